using System.Text;
using Reborn.Resp.Client;
using Reborn.Resp.Protocol;
using Reborn.Resp.Tests.Differential;
using Reborn.Resp.Tests.Server;
using Reborn.Storage;
using Reborn.Testing;

namespace Reborn.Resp.Tests.Wire;

/// <summary>
/// The foundation's differential run over TCP: one connection to a real redis-server and one to
/// an in-process Reborn server, the same generated commands on both, raw reply bytes compared.
/// In RESP3 mode both connections send HELLO 3 first, so every reply is compared in RESP3.
/// With a pipeline depth above 1, commands go out in pipelined batches of that many (one write),
/// so Reborn runs each batch as one group commit: its writes wait among the engine's pending
/// writes, and the batch's later commands must read them back.
/// </summary>
public sealed class WireDifferentialHarness : IAsyncDisposable
{
    private readonly RedisServerProcess _redis;
    private readonly RebornServerProcess _reborn;
    private readonly RespConnection _toRedis;
    private readonly RespConnection _toReborn;
    private int _pipelineDepth = 1;

    private WireDifferentialHarness(RedisServerProcess redis, RebornServerProcess reborn, RespConnection toRedis, RespConnection toReborn)
    {
        _redis = redis;
        _reborn = reborn;
        _toRedis = toRedis;
        _toReborn = toReborn;
    }

    public static async Task<WireDifferentialHarness> StartAsync(int protocol, EngineKind engine = EngineKind.Memory, int pipelineDepth = 1, bool eventLoop = true)
    {
        var redis = await RedisServerProcess.StartAsync();
        var reborn = await RebornServerProcess.StartAsync(engine, o => o.EventLoop = eventLoop);
        var harness = new WireDifferentialHarness(redis, reborn,
            await RespConnection.ConnectAsync(redis.Host, redis.Port),
            await RespConnection.ConnectAsync(reborn.Host, reborn.Port));
        harness._pipelineDepth = pipelineDepth;
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

    /// <summary>A batch pipelined to both servers at once; one reply per command from each, in order.</summary>
    private async Task<(byte[][] Redis, byte[][] Reborn)> BothAsync(IReadOnlyList<GeneratedCommand> batch)
    {
        var commands = batch.Select(command => command.Args).ToArray();
        Task<byte[][]> redis = _toRedis.PipelineRawAsync(commands);
        Task<byte[][]> reborn = _toReborn.PipelineRawAsync(commands);
        return (await redis, await reborn);
    }

    private async Task<(byte[] Redis, byte[] Reborn)> BothAsync(byte[][] command)
    {
        // The two servers are independent: ask both at once and halve the round trips.
        Task<byte[]> redis = _toRedis.ExecuteRawAsync(command);
        Task<byte[]> reborn = _toReborn.ExecuteRawAsync(command);
        return (await redis, await reborn);
    }

    /// <summary>
    /// How close to a relative expiry (EX/PX/EXPIRE...) a difference may fall and still be the
    /// two servers' clocks, not a bug: each server starts a TTL when it runs the command, and on
    /// a loaded machine the two may run it milliseconds apart, so a key can be gone on one side
    /// and not yet on the other. Such a difference is reported, both keyspaces are flushed, and
    /// the run goes on; more than <see cref="MaxExpiryRaces"/> of them fail the run.
    /// </summary>
    private static readonly TimeSpan ExpiryRaceWindow = TimeSpan.FromMilliseconds(250);
    private const int MaxExpiryRaces = 3;

    /// <summary>Runs <paramref name="count"/> generated commands; fails with the seed and the first difference.</summary>
    public async Task<int> RunAsync(ICommandGenerator generator, int seed, int count)
    {
        var random = new Random(seed);
        await BothAsync([Encoding.ASCII.GetBytes("FLUSHALL")]);
        var history = new Queue<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var deadlines = new List<TimeSpan>(); // when relative TTLs set so far run out
        int races = 0;
        var batch = new List<GeneratedCommand>(_pipelineDepth);
        for (int first = 0; first < count; first += batch.Count)
        {
            batch.Clear();
            for (int j = 0; j < _pipelineDepth && first + j < count; j++) batch.Add(generator.Next(random));
            TimeSpan sent = clock.Elapsed;
            var (expectedReplies, actualReplies) = await BothAsync(batch);
            for (int j = 0; j < batch.Count; j++)
            {
                GeneratedCommand command = batch[j];
                byte[] expected = expectedReplies[j], actual = actualReplies[j];
                int i = first + j;
                history.Enqueue(command.ToString());
                if (history.Count > 12) history.Dequeue();
                if (RelativeTtl(command.Args) is { } ttl) deadlines.Add(sent + ttl);
                if (!ReplyComparer.Same(expected, actual, command.Mode))
                {
                    TimeSpan now = clock.Elapsed;
                    deadlines.RemoveAll(d => d < sent - ExpiryRaceWindow);
                    string difference = $"command #{i} of seed {seed} ({generator.GetType().Name}, pipelined {_pipelineDepth} deep): {command}\nredis:    {Show(expected)}\nreborn:   {Show(actual)}";
                    if (deadlines.Any(d => d <= now + ExpiryRaceWindow) && ++races <= MaxExpiryRaces)
                    {
                        TestContext.Out.WriteLine($"Expiry race forgiven ({races} of at most {MaxExpiryRaces}; a TTL ran out within {ExpiryRaceWindow.TotalMilliseconds} ms), keyspaces flushed:\n{difference}");
                        await BothAsync([Encoding.ASCII.GetBytes("FLUSHALL")]);
                        deadlines.Clear();
                        break; // the rest of the batch ran on keyspaces that differed
                    }
                    string state = command.Args.Length > 1 ? await DescribeKeyAsync(command.Args[1]) : "";
                    throw new AssertionException(
                        $"Replies over the wire differ at {difference}\nReplay with that seed. Recent commands:\n  {string.Join("\n  ", history)}\n{state}");
                }
            }
        }
        return count;
    }

    /// <summary>The TTL a command sets relative to now (SET/GETEX EX|PX, SETEX, PSETEX, EXPIRE, PEXPIRE), if any.</summary>
    private static TimeSpan? RelativeTtl(byte[][] args)
    {
        static long? Number(byte[] text) => long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long n) && n > 0 ? n : null;
        string name = Encoding.ASCII.GetString(args[0]).ToUpperInvariant();
        long? seconds = null, milliseconds = null;
        switch (name)
        {
            case "SETEX" or "EXPIRE" when args.Length > 2: seconds = Number(args[2]); break;
            case "PSETEX" or "PEXPIRE" when args.Length > 2: milliseconds = Number(args[2]); break;
            case "SET" or "GETEX":
                for (int a = 2; a + 1 < args.Length; a++)
                {
                    string option = Encoding.ASCII.GetString(args[a]).ToUpperInvariant();
                    if (option == "EX") seconds = Number(args[a + 1]);
                    else if (option == "PX") milliseconds = Number(args[a + 1]);
                }
                break;
        }
        if (seconds is { } s && s < 10_000_000) return TimeSpan.FromSeconds(s);
        if (milliseconds is { } ms && ms < 10_000_000_000) return TimeSpan.FromMilliseconds(ms);
        return null;
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
