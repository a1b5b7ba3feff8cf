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
/// Runs a fixed script of commands (space-separated words) against a fresh redis-server and a fresh
/// in-process Reborn in RESP2 or (after HELLO 3) RESP3, and asserts every reply is the same bytes.
/// </summary>
public static class ScriptComparison
{
    public static async Task AssertSameRepliesAsync(IEnumerable<string> script, int protocol)
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var connection = await RespConnection.ConnectAsync("127.0.0.1", redis.Port);
        await using var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions { Engine = EngineKind.Memory, BackgroundSweeps = false });
        var output = new ArrayBufferWriter<byte>();
        using var args = new RespCommandArgs();
        var context = new CommandContext(cluster, new RespWriter(output) { Protocol = protocol }) { Args = args };
        var dispatcher = new CommandDispatcher();
        if (protocol == 3) await connection.ExecuteRawAsync("HELLO", "3");
        foreach (var line in script)
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
