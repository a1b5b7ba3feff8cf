using Reborn.Resp.Client;

namespace Reborn.Resp.Tests.Connection;

/// <summary>HELLO, AUTH, SELECT, QUIT and RESET compared byte for byte with redis-server 7.0.</summary>
public sealed class HelloAuthTests
{
    [Test]
    public async Task HelloShapesAndErrorsMatchRedis()
    {
        await using var pair = await OraclePair.StartAsync();
        await pair.SameAsync("HELLO");
        await pair.SameAsync("HELLO", "2");
        await pair.SameAsync("HELLO", "4");
        await pair.SameAsync("HELLO", "1");
        await pair.SameAsync("HELLO", "three");
        await pair.SameAsync("HELLO", "3", "foo");
        await pair.SameAsync("HELLO", "3", "AUTH", "default");
        await pair.SameAsync("HELLO", "3", "SETNAME", "bad name");
        await pair.SameAsync("HELLO", "2", "AUTH", "someone", "pw");
        string resp3 = await pair.SameAsync("HELLO", "3", "SETNAME", "conn1");
        Assert.That(resp3, Does.StartWith("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"));
        await pair.SameAsync("CLIENT", "GETNAME");
        await pair.SameAsync("HELLO");
        await pair.SameAsync("HELLO", "3", "AUTH", "default", "anything");
        await pair.SameAsync("HELLO", "2");
        await pair.SameAsync("GET", "missing");
    }

    [Test]
    public async Task AuthWithoutRequirePassMatchesRedis()
    {
        await using var pair = await OraclePair.StartAsync();
        await pair.SameAsync("AUTH", "x");
        await pair.SameAsync("AUTH", "default", "x");
        await pair.SameAsync("AUTH", "someone", "x");
        await pair.SameAsync("AUTH", "a", "b", "c");
        await pair.SameAsync("AUTH");
    }

    [Test]
    public async Task AuthFlowsWithRequirePassMatchRedis()
    {
        await using var pair = await OraclePair.StartAsync(requirePass: "secret");
        await pair.SameAsync("GET", "k");
        await pair.SameAsync("PING");
        await pair.SameAsync("HELLO");
        await pair.SameAsync("HELLO", "3");
        await pair.SameAsync("AUTH", "wrong");
        await pair.SameAsync("AUTH", "default", "wrong");
        await pair.SameAsync("HELLO", "3", "AUTH", "default", "wrong");
        await pair.SameAsync("CLIENT", "ID");
        await pair.SameAsync("AUTH", "secret");
        await pair.SameAsync("SET", "k", "v");
        await pair.SameAsync("GET", "k");
        await pair.SameAsync("RESET");
        await pair.SameAsync("GET", "k");
        await pair.SameAsync("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "me");
        await pair.SameAsync("CLIENT", "GETNAME");
        await pair.SameAsync("GET", "k");
        await pair.SameAsync("RESET");
        await pair.SameAsync("AUTH", "default", "secret");
        await pair.SameAsync("GET", "k");
        await pair.SameAsync("QUIT");
        await pair.ReconnectAsync();
        await pair.SameAsync("GET", "k");
    }

    [Test]
    public async Task SelectQuitAndResetMatchRedis()
    {
        await using var pair = await OraclePair.StartAsync();
        await pair.SameAsync("SELECT", "99");
        await pair.SameAsync("SELECT", "x");
        await pair.SameAsync("SELECT", "1");
        await pair.SameAsync("SET", "in1", "v");
        await pair.SameAsync("CLIENT", "SETNAME", "named");
        await pair.SameAsync("HELLO", "3");
        await pair.SameAsync("RESET");
        await pair.SameAsync("GET", "in1");
        await pair.SameAsync("CLIENT", "GETNAME");
        await pair.SameAsync("GET", "missing");
        await pair.SameAsync("RESET", "extra");
        await pair.SameAsync("QUIT", "extra");
        var rebornRest = await pair.RebornClient.ReadToEndAsync();
        var redisRest = await pair.RedisClient.ReadToEndAsync();
        Assert.That(rebornRest, Is.EqualTo(redisRest), "QUIT closes the connection");
    }

    [Test]
    public async Task ResetDiscardsTheTransactionAndWatches()
    {
        await using var cluster = await Reborn.Core.Cluster.RebornCluster.OpenAsync(new Reborn.Core.Cluster.RebornClusterOptions { Engine = Reborn.Storage.EngineKind.Memory });
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        using var args = new Reborn.Resp.Protocol.RespCommandArgs();
        var context = new Reborn.Resp.Commands.CommandContext(cluster, new Reborn.Resp.Protocol.RespWriter(output) { Protocol = 3 }) { Args = args };
        var session = context.Session;
        session.InTransaction = true;
        session.TransactionDirty = true;
        session.QueuedCommands.Add([System.Text.Encoding.ASCII.GetBytes("SET")]);
        session.Watches = cluster.Watch(null, 0, new Reborn.Core.RebornKey(new byte[] { 1 }));
        session.Name = "n";
        context.Select(2);
        args.Load([System.Text.Encoding.ASCII.GetBytes("RESET")]);
        await new Reborn.Resp.Commands.CommandDispatcher().ExecuteAsync(context);
        Assert.That(System.Text.Encoding.ASCII.GetString(output.WrittenSpan), Is.EqualTo("+RESET\r\n"));
        Assert.That((session.InTransaction, session.TransactionDirty, session.QueuedCommands.Count, session.Watches), Is.EqualTo((false, false, 0, (Reborn.Core.Cluster.WatchSet?)null)));
        Assert.That((session.Name, context.DatabaseIndex, context.Writer.Protocol), Is.EqualTo(((string?)null, 0, 2)));
    }

    [Test]
    public async Task ResetLeavesSubscriptionsAndRestoresReplies()
    {
        await using var server = await Server.RebornServerProcess.StartAsync();
        await using var client = await RespConnection.ConnectAsync(server.Host, server.Port);
        await client.SendAsync("CLIENT", "REPLY", "OFF");
        await client.SendAsync("SET", "k", "v");
        Assert.That((await client.ExecuteAsync("RESET")).ToString(), Is.EqualTo("RESET"));
        Assert.That((await client.ExecuteAsync("GET", "k")).ToString(), Is.EqualTo("\"v\""));
    }
}
