using System.Text;
using Reborn.Resp.Client;
using Reborn.Resp.Protocol;
using Reborn.Resp.Tests.Differential;
using Reborn.Resp.Tests.Server;
using Reborn.Testing;

namespace Reborn.Resp.Tests.Wire;

/// <summary>
/// The foundation's differential run over TCP: one connection to a real redis-server and one to
/// an in-process Reborn server, the same generated commands on both, raw reply bytes compared.
/// In RESP3 mode both connections send HELLO 3 first, so every reply is compared in RESP3.
/// </summary>
public sealed class WireDifferentialHarness : IAsyncDisposable
{
    private readonly RedisServerProcess _redis;
    private readonly RebornServerProcess _reborn;
    private readonly RespConnection _toRedis;
    private readonly RespConnection _toReborn;

    private WireDifferentialHarness(RedisServerProcess redis, RebornServerProcess reborn, RespConnection toRedis, RespConnection toReborn)
    {
        _redis = redis;
        _reborn = reborn;
        _toRedis = toRedis;
        _toReborn = toReborn;
    }

    public static async Task<WireDifferentialHarness> StartAsync(int protocol)
    {
        var redis = await RedisServerProcess.StartAsync();
        var reborn = await RebornServerProcess.StartAsync();
        var harness = new WireDifferentialHarness(redis, reborn,
            await RespConnection.ConnectAsync(redis.Host, redis.Port),
            await RespConnection.ConnectAsync(reborn.Host, reborn.Port));
        if (protocol == 3)
        {
            try { await harness.SwitchToResp3Async(); }
            catch { await harness.DisposeAsync(); throw; }
        }
        return harness;
    }

    /// <summary>HELLO 3 on both connections. Its reply carries ids and versions, so only its shape is compared.</summary>
    private async Task SwitchToResp3Async()
    {
        byte[][] hello = [Encoding.ASCII.GetBytes("HELLO"), Encoding.ASCII.GetBytes("3")];
        var (expected, actual) = await BothAsync(hello);
        RespReply redisHello = RespReplyReader.Read(expected);
        RespReply rebornHello = RespReplyReader.Read(actual);
        if (rebornHello.Type != RespReplyType.Map || rebornHello.Elements.Count != redisHello.Elements.Count)
            throw new AssertionException($"HELLO 3 over the wire: redis answered {Show(expected)}\nbut reborn answered {Show(actual)}");
    }

    private async Task<(byte[] Redis, byte[] Reborn)> BothAsync(byte[][] command)
    {
        // The two servers are independent: ask both at once and halve the round trips.
        Task<byte[]> redis = _toRedis.ExecuteRawAsync(command);
        Task<byte[]> reborn = _toReborn.ExecuteRawAsync(command);
        return (await redis, await reborn);
    }

    /// <summary>Runs <paramref name="count"/> generated commands; fails with the seed and the first difference.</summary>
    public async Task<int> RunAsync(ICommandGenerator generator, int seed, int count)
    {
        var random = new Random(seed);
        await BothAsync([Encoding.ASCII.GetBytes("FLUSHALL")]);
        var history = new Queue<string>();
        for (int i = 0; i < count; i++)
        {
            GeneratedCommand command = generator.Next(random);
            var (expected, actual) = await BothAsync(command.Args);
            history.Enqueue(command.ToString());
            if (history.Count > 12) history.Dequeue();
            if (!ReplyComparer.Same(expected, actual, command.Mode))
            {
                string state = command.Args.Length > 1 ? await DescribeKeyAsync(command.Args[1]) : "";
                throw new AssertionException(
                    $"Replies over the wire differ at command #{i} of seed {seed} ({generator.GetType().Name}); replay with that seed.\n" +
                    $"command:  {command}\nredis:    {Show(expected)}\nreborn:   {Show(actual)}\nrecent commands:\n  {string.Join("\n  ", history)}\n{state}");
            }
        }
        return count;
    }

    private async Task<string> DescribeKeyAsync(byte[] key)
    {
        var text = new StringBuilder();
        foreach (string probe in new[] { "TYPE", "GET", "PTTL" })
        {
            var (expected, actual) = await BothAsync([Encoding.ASCII.GetBytes(probe), key]);
            text.Append($"{probe,-5} redis: {Show(expected)}  reborn: {Show(actual)}\n");
        }
        return text.ToString();
    }

    private static string Show(byte[] reply) => DifferentialHarness.Show(reply);

    public async ValueTask DisposeAsync()
    {
        await _toRedis.DisposeAsync();
        await _toReborn.DisposeAsync();
        await _reborn.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
