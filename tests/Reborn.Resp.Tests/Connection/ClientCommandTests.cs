using System.Diagnostics;
using Reborn.Resp.Client;
using Reborn.Resp.Tests.Server;

namespace Reborn.Resp.Tests.Connection;

/// <summary>CLIENT subcommands: errors byte for byte against redis-server 7.0, behaviour over real connections.</summary>
public sealed class ClientCommandTests
{
    [Test]
    public async Task ErrorsAndSimpleRepliesMatchRedis()
    {
        await using var pair = await OraclePair.StartAsync();
        string[][] commands =
        [
            ["CLIENT"], ["CLIENT", "foo"], ["CLIENT", "KILL"], ["CLIENT", "SETNAME"], ["CLIENT", "SETNAME", "a", "b"],
            ["CLIENT", "SETNAME", "has space"], ["CLIENT", "SETNAME", "new\nline"], ["CLIENT", "GETNAME"],
            ["CLIENT", "SETNAME", "app-1"], ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", ""], ["CLIENT", "GETNAME"],
            ["CLIENT", "KILL", "1.2.3.4:5"], ["CLIENT", "KILL", "ID", "999999"], ["CLIENT", "KILL", "ADDR", "1.2.3.4:5"],
            ["CLIENT", "KILL", "foo", "bar"], ["CLIENT", "KILL", "ID", "abc"], ["CLIENT", "KILL", "ID", "0"],
            ["CLIENT", "KILL", "TYPE", "foo"], ["CLIENT", "KILL", "ID", "1", "SKIPME", "maybe"], ["CLIENT", "KILL", "ID", "1", "TYPE"],
            ["CLIENT", "KILL", "USER", "nobody"], ["CLIENT", "REPLY", "foo"], ["CLIENT", "NO-EVICT", "maybe"],
            ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "NO-EVICT", "off"], ["CLIENT", "REPLY", "ON"],
            ["CLIENT", "LIST", "TYPE", "foo"], ["CLIENT", "LIST", "ID", "x"], ["CLIENT", "LIST", "foo"], ["CLIENT", "LIST", "ID", "0"],
            ["CLIENT", "LIST", "ID", "999999"], ["CLIENT", "LIST", "TYPE", "pubsub"], ["CLIENT", "INFO", "x"], ["CLIENT", "ID", "x"],
            ["CLIENT", "GETREDIR"], ["CLIENT", "HELP", "x"],
        ];
        foreach (var command in commands) await pair.SameAsync(command);
    }

    [Test]
    public async Task HelpListsTheSameLinesAsRedis()
    {
        await using var pair = await OraclePair.StartAsync();
        await pair.SameAsync("CLIENT", "HELP");
    }

    [Test]
    public async Task IdListAndInfoDescribeTheConnection()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var a = await RespConnection.ConnectAsync(server.Host, server.Port);
        await using var b = await RespConnection.ConnectAsync(server.Host, server.Port);
        long idA = (await a.ExecuteAsync("CLIENT", "ID")).Integer;
        long idB = (await b.ExecuteAsync("CLIENT", "ID")).Integer;
        Assert.That(idB, Is.Not.EqualTo(idA));
        await a.ExecuteAsync("CLIENT", "SETNAME", "alpha");
        await a.ExecuteAsync("SELECT", "2");

        var list = (await b.ExecuteAsync("CLIENT", "LIST")).AsString()!;
        var lines = list.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2));
        var lineA = Fields(lines.Single(l => l.StartsWith($"id={idA} ")));
        Assert.That(lineA["name"], Is.EqualTo("alpha"));
        Assert.That(lineA["db"], Is.EqualTo("2"));
        Assert.That(lineA["flags"], Is.EqualTo("N"));
        Assert.That(lineA["resp"], Is.EqualTo("2"));
        Assert.That(lineA["cmd"], Is.EqualTo("select"));
        Assert.That(lineA["laddr"], Is.EqualTo($"127.0.0.1:{server.Port}"));
        var lineB = Fields(lines.Single(l => l.StartsWith($"id={idB} ")));
        Assert.That(lineB["cmd"], Is.EqualTo("client|list"));

        var only = (await b.ExecuteAsync("CLIENT", "LIST", "ID", idA.ToString())).AsString()!;
        Assert.That(only, Does.StartWith($"id={idA} ").And.EndWith("\n"));
        var info = Fields((await a.ExecuteAsync("CLIENT", "INFO")).AsString()!.TrimEnd('\n'));
        Assert.That(info["id"], Is.EqualTo(idA.ToString()));
        Assert.That(info["cmd"], Is.EqualTo("client|info"));

        // The field names and their order are Redis 7.0's.
        await using var redis = await Reborn.Testing.RedisServerProcess.StartAsync();
        await using var r = await RespConnection.ConnectAsync(redis.Host, redis.Port);
        var redisInfo = Fields((await r.ExecuteAsync("CLIENT", "INFO")).AsString()!.TrimEnd('\n'));
        Assert.That(info.Keys, Is.EqualTo(redisInfo.Keys));
    }

    [Test]
    public async Task ListAndInfoAreVerbatimInResp3()
    {
        await using var pair = await OraclePair.StartAsync();
        await pair.SameAsync("HELLO", "3");
        var (redis, reborn) = await pair.BothAsync("CLIENT", "INFO");
        Assert.That(redis, Does.StartWith("="));
        Assert.That(reborn, Does.StartWith("=").And.Contains("txt:id="));
    }

    [Test]
    public async Task KillClosesOtherConnectionsAndSkipsTheCaller()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var killer = await RespConnection.ConnectAsync(server.Host, server.Port);
        await using var victim = await RespConnection.ConnectAsync(server.Host, server.Port);
        await using var byAddress = await RespConnection.ConnectAsync(server.Host, server.Port);
        long victimId = (await victim.ExecuteAsync("CLIENT", "ID")).Integer;
        var address = Fields((await byAddress.ExecuteAsync("CLIENT", "INFO")).AsString()!.TrimEnd('\n'))["addr"];

        Assert.That((await killer.ExecuteAsync("CLIENT", "KILL", "ID", victimId.ToString())).Integer, Is.EqualTo(1));
        Assert.That(await victim.ReadToEndAsync(), Is.Empty);
        Assert.That((await killer.ExecuteAsync("CLIENT", "KILL", address)).ToString(), Is.EqualTo("OK"));
        Assert.That(await byAddress.ReadToEndAsync(), Is.Empty);

        long killerId = (await killer.ExecuteAsync("CLIENT", "ID")).Integer;
        Assert.That((await killer.ExecuteAsync("CLIENT", "KILL", "ID", killerId.ToString())).Integer, Is.EqualTo(0), "SKIPME yes by default");
        Assert.That((await killer.ExecuteAsync("CLIENT", "KILL", "ID", killerId.ToString(), "SKIPME", "no")).Integer, Is.EqualTo(1));
        Assert.That(await killer.ReadToEndAsync(), Is.Empty, "the caller is closed after its reply");
        await WaitUntil(() => server.Server.ConnectedClients == 0);
    }

    [Test]
    public async Task ReplyOffSkipAndOn()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var client = await RespConnection.ConnectAsync(server.Host, server.Port);
        await client.SendAsync("CLIENT", "REPLY", "OFF");
        await client.SendAsync("SET", "a", "1");
        await client.SendAsync("INCR", "a");
        Assert.That((await client.ExecuteAsync("CLIENT", "REPLY", "ON")).ToString(), Is.EqualTo("OK"));
        await client.SendAsync("CLIENT", "REPLY", "SKIP");
        await client.SendAsync("INCR", "a");
        Assert.That((await client.ExecuteAsync("GET", "a")).ToString(), Is.EqualTo("\"3\""));
    }

    [Test]
    public async Task ReplyModesMatchRedisOnTheWire()
    {
        await using var pair = await OraclePair.StartAsync();
        foreach (var client in new[] { pair.RedisClient, pair.RebornClient })
        {
            await client.SendAsync("CLIENT", "REPLY", "SKIP");
            await client.SendAsync("SET", "x", "1");
            await client.SendAsync("CLIENT", "REPLY", "OFF");
            await client.SendAsync("CLIENT", "REPLY", "SKIP");
            await client.SendAsync("INCR", "x");
        }
        await pair.SameAsync("CLIENT", "REPLY", "ON");
        await pair.SameAsync("GET", "x");
    }

    internal static Dictionary<string, string> Fields(string line) =>
        line.Split(' ').Select(f => f.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) Assert.Fail("condition not reached within 10 s");
            await Task.Delay(10);
        }
    }
}
