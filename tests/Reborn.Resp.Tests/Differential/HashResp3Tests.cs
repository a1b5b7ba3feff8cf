using System.Buffers;
using System.Text;
using Reborn.Core.Cluster;
using Reborn.Resp.Client;
using Reborn.Resp.Commands;
using Reborn.Resp.Protocol;
using Reborn.Storage;
using Reborn.Testing;

namespace Reborn.Resp.Tests.Differential;

/// <summary>
/// The hash replies whose shape differs between RESP2 and RESP3 (HGETALL is a map, HRANDFIELD
/// WITHVALUES a list of pairs, nulls are "_"), compared byte for byte with a redis-server after
/// HELLO 3. One-field hashes keep every reply deterministic.
/// </summary>
[NonParallelizable]
public sealed class HashResp3Tests
{
    private static readonly string[] Commands =
    [
        "HSET h a 1",
        "HGETALL h", "HGETALL nx",
        "HRANDFIELD nx", "HRANDFIELD h", "HRANDFIELD nx 2", "HRANDFIELD nx 2 WITHVALUES", "HRANDFIELD h 0 WITHVALUES",
        "HRANDFIELD h 1 WITHVALUES", "HRANDFIELD h 5 WITHVALUES", "HRANDFIELD h -3 WITHVALUES", "HRANDFIELD h -2",
        "HGET h zz", "HMGET h a zz", "HMGET nx a", "HKEYS nx", "HVALS h",
        "HINCRBYFLOAT h f 1.5", "HINCRBY h i 2", "HSTRLEN h f", "HEXISTS h f",
        "HSCAN h 0", "HSCAN nx 0", "HSCAN h 0 MATCH b*",
        "HDEL h a f i", "HGETALL h",
    ];

    [TestCase(2)]
    [TestCase(3)]
    public async Task RepliesMatchRedis(int protocol)
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", redis.Port);
        await using var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions { Engine = EngineKind.Memory, BackgroundSweeps = false });
        var output = new ArrayBufferWriter<byte>();
        using var args = new RespCommandArgs();
        var context = new CommandContext(cluster, new RespWriter(output) { Protocol = protocol }) { Args = args };
        var dispatcher = new CommandDispatcher();
        if (protocol == 3) await connection.ExecuteRawAsync("HELLO", "3");
        foreach (var line in Commands)
        {
            var command = line.Split(' ').Select(Encoding.UTF8.GetBytes).ToArray();
            var expected = await connection.ExecuteRawAsync(command);
            output.Clear();
            args.Load(command);
            await dispatcher.ExecuteAsync(context);
            Assert.That(DifferentialHarness.Show(output.WrittenSpan.ToArray()), Is.EqualTo(DifferentialHarness.Show(expected)), line);
        }
    }
}
