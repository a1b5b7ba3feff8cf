using System.Buffers;
using System.Text;
using Reborn.Core.Cluster;
using Reborn.Resp.Commands;
using Reborn.Resp.Protocol;
using Reborn.Resp.Tests.Server;
using Reborn.Storage;
using StackExchange.Redis;

namespace Reborn.Resp.Tests.Transactions;

/// <summary>Transactions and batches through StackExchange.Redis, and MULTI/EXEC in process (no server).</summary>
public sealed class TransactionClientTests
{
    private static Task<ConnectionMultiplexer> ConnectAsync(RebornServerProcess server, string extra = "")
        => ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},abortConnect=true,connectTimeout=10000{extra}");

    [TestCase("")]
    [TestCase(",protocol=resp3")]
    public async Task ATransactionWithAConditionCommitsOrAborts(string extra)
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server, extra);
        var db = redis.GetDatabase();

        var first = db.CreateTransaction();
        first.AddCondition(Condition.KeyNotExists("lock"));
        var set = first.StringSetAsync("lock", "me");
        var incr = first.StringIncrementAsync("counter", 5);
        var push = first.ListRightPushAsync("log", ["a", "b"]);
        Assert.That(await first.ExecuteAsync(), Is.True);
        Assert.That(await set, Is.True);
        Assert.That(await incr, Is.EqualTo(5));
        Assert.That(await push, Is.EqualTo(2));

        // The condition now fails: nothing of the second transaction runs.
        var second = db.CreateTransaction();
        second.AddCondition(Condition.KeyNotExists("lock"));
        _ = second.StringIncrementAsync("counter", 100);
        Assert.That(await second.ExecuteAsync(), Is.False);
        Assert.That((long)await db.StringGetAsync("counter"), Is.EqualTo(5));

        // A value condition, met.
        var third = db.CreateTransaction();
        third.AddCondition(Condition.StringEqual("lock", "me"));
        var rename = third.StringSetAsync("lock", "you");
        var length = third.ListLengthAsync("log");
        Assert.That(await third.ExecuteAsync(), Is.True);
        Assert.That(await rename, Is.True);
        Assert.That(await length, Is.EqualTo(2));
        Assert.That((string?)await db.StringGetAsync("lock"), Is.EqualTo("you"));
    }

    [Test]
    public async Task AConditionBrokenByAnotherClientRunsNothing()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server);
        var db = redis.GetDatabase();
        await db.StringSetAsync("balance", 10);
        var transaction = db.CreateTransaction();
        transaction.AddCondition(Condition.StringEqual("balance", 10));
        _ = transaction.StringDecrementAsync("balance", 3);
        // SE.Redis sends WATCH, the check, MULTI ... EXEC in one go: another client's write before it makes the check fail.
        await using var other = await ConnectAsync(server);
        await other.GetDatabase().StringSetAsync("balance", 11);
        Assert.That(await transaction.ExecuteAsync(), Is.False);
        Assert.That((long)await db.StringGetAsync("balance"), Is.EqualTo(11));
    }

    [TestCase("")]
    [TestCase(",protocol=resp3")]
    public async Task ABatchSendsEverythingAtOnce(string extra)
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var redis = await ConnectAsync(server, extra);
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var tasks = new List<Task<long>>();
        for (int i = 0; i < 200; i++) tasks.Add(batch.StringIncrementAsync($"k{i % 10}"));
        var push = batch.ListLeftPushAsync("l", "x");
        var zadd = batch.SortedSetAddAsync("z", "m", 1.5);
        batch.Execute();
        var results = await Task.WhenAll(tasks);
        Assert.That(results[^1], Is.EqualTo(20));
        Assert.That(await push, Is.EqualTo(1));
        Assert.That(await zadd, Is.True);
        Assert.That((long)await db.StringGetAsync("k3"), Is.EqualTo(20));
    }

    [Test]
    public async Task MultiExecWorksInProcess()
    {
        await using var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions { Engine = EngineKind.Memory, BackgroundSweeps = false });
        var output = new ArrayBufferWriter<byte>();
        using var args = new RespCommandArgs();
        var context = new CommandContext(cluster, new RespWriter(output)) { Args = args };
        var other = new CommandContext(cluster, new RespWriter(new ArrayBufferWriter<byte>())) { Args = new RespCommandArgs() };
        var dispatcher = new CommandDispatcher();

        async Task<string> Run(CommandContext c, string line)
        {
            output.Clear();
            c.Args.Load(line.Split(' ').Select(Encoding.UTF8.GetBytes).ToArray());
            await dispatcher.ExecuteAsync(c);
            return Encoding.UTF8.GetString(output.WrittenSpan);
        }

        Assert.That(await Run(context, "MULTI"), Is.EqualTo("+OK\r\n"));
        Assert.That(await Run(context, "SET a 1"), Is.EqualTo("+QUEUED\r\n"));
        Assert.That(await Run(context, "INCR a"), Is.EqualTo("+QUEUED\r\n"));
        Assert.That(await Run(context, "EXEC"), Is.EqualTo("*2\r\n+OK\r\n:2\r\n"));

        Assert.That(await Run(context, "WATCH a"), Is.EqualTo("+OK\r\n"));
        await Run(other, "SET a 5");
        Assert.That(await Run(context, "MULTI"), Is.EqualTo("+OK\r\n"));
        Assert.That(await Run(context, "INCR a"), Is.EqualTo("+QUEUED\r\n"));
        Assert.That(await Run(context, "EXEC"), Is.EqualTo("*-1\r\n"));
        Assert.That(context.Session.Watches, Is.Null);
        Assert.That(await Run(context, "SUBSCRIBE c"), Does.StartWith("-ERR pub/sub needs a client connection"));
        Assert.That(await Run(context, "BLPOP nx 0"), Is.EqualTo("*-1\r\n"));
    }
}
