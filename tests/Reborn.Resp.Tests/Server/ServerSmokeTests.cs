using Reborn.Resp.Client;

namespace Reborn.Resp.Tests.Server;

/// <summary>The server answers over TCP with the same replies the dispatcher produces.</summary>
public sealed class ServerSmokeTests
{
    [Test]
    public async Task PipelinedCommandsAreAnsweredInOrder()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var client = await RespConnection.ConnectAsync(server.Host, server.Port);
        var replies = await client.PipelineAsync([["SET", "k", "v"], ["GET", "k"], ["INCR", "n"], ["PING"]]);
        Assert.That(replies.Select(r => r.ToString()), Is.EqualTo(new[] { "OK", "\"v\"", "(integer) 1", "PONG" }));
    }

    [Test]
    public async Task AProtocolErrorClosesOnlyThatConnection()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var good = await RespConnection.ConnectAsync(server.Host, server.Port);
        await using var bad = await RespConnection.ConnectAsync(server.Host, server.Port);
        await bad.SendRawAsync("*1\r\n$-5\r\n"u8.ToArray());
        var error = await bad.ReadToEndAsync();
        Assert.That(System.Text.Encoding.ASCII.GetString(error), Is.EqualTo("-ERR Protocol error: invalid bulk length\r\n"));
        Assert.That((await good.ExecuteAsync("PING")).ToString(), Is.EqualTo("PONG"));
    }
}
