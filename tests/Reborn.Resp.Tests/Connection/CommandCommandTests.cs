using Reborn.Resp.Commands;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Tests.Connection;

/// <summary>COMMAND and its subcommands, read from the one command table, against redis-server 7.0.</summary>
public sealed class CommandCommandTests
{
    private static readonly string[] Compared =
    [
        "get", "set", "mget", "mset", "del", "exists", "expire", "incr", "lpush", "hset", "sadd", "zadd", "dbsize", "ping", "echo", "select",
        "auth", "hello", "quit", "reset", "client", "config", "info", "time", "lastsave", "save", "bgsave", "shutdown", "object", "command",
        "client|kill", "client|list", "client|setname", "client|reply", "config|get", "config|set", "object|encoding", "command|info",
    ];

    [Test]
    public async Task CountEqualsTheTableSize()
    {
        await using var pair = await OraclePair.StartAsync();
        var count = await pair.RebornClient.ExecuteAsync("COMMAND", "COUNT");
        Assert.That(count.Integer, Is.EqualTo(CommandTable.Default.Count));
        var all = await pair.RebornClient.ExecuteAsync("COMMAND");
        Assert.That(all.Elements, Has.Count.EqualTo(CommandTable.Default.Count));
        var list = await pair.RebornClient.ExecuteAsync("COMMAND", "LIST");
        Assert.That(list.Elements.Select(e => e.AsString()), Does.Contain("get").And.Contain("client|kill"));
        var filtered = await pair.RebornClient.ExecuteAsync("COMMAND", "LIST", "FILTERBY", "PATTERN", "client*");
        Assert.That(filtered.Elements.Select(e => e.AsString()), Is.All.StartsWith("client"));
        await pair.SameAsync("COMMAND", "LIST", "FILTERBY", "MODULE", "none");
        await pair.SameAsync("COMMAND", "LIST", "FILTERBY", "foo", "bar");
    }

    [Test]
    public async Task InfoAgreesWithRedisOnNameArityFlagsAndKeyPositions()
    {
        await using var pair = await OraclePair.StartAsync();
        var args = new[] { "COMMAND", "INFO" }.Concat(Compared).ToArray();
        var ours = await pair.RebornClient.ExecuteAsync(args);
        var theirs = await pair.RedisClient.ExecuteAsync(args);
        for (int i = 0; i < Compared.Length; i++)
        {
            var o = ours.Elements[i];
            var t = theirs.Elements[i];
            Assert.That(o.IsNull, Is.False, Compared[i]);
            Assert.That(Head(o), Is.EqualTo(Head(t)), Compared[i]);
            Assert.That(o.Elements, Has.Count.EqualTo(10));
        }
    }

    [Test]
    public async Task InfoOfOurOwnCommandsMatchesRedisByteForByte()
    {
        await using var pair = await OraclePair.StartAsync();
        foreach (var name in new[] { "auth", "hello", "quit", "reset", "select", "echo", "ping", "info", "time", "lastsave", "save", "bgsave", "shutdown",
                     "config|get", "config|set", "client|kill", "client|id", "object|help", "command|getkeys", "nosuch" })
            await pair.SameAsync("COMMAND", "INFO", name);
        await pair.SameAsync("HELLO", "3");
        foreach (var name in new[] { "get", "auth", "config|set", "client|list" })
            await pair.SameAsync("COMMAND", "INFO", name);
    }

    [Test]
    public async Task GetKeysMatchesRedis()
    {
        await using var pair = await OraclePair.StartAsync();
        string[][] commands =
        [
            ["COMMAND", "GETKEYS", "GET", "k"], ["COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"], ["COMMAND", "GETKEYS", "DEL", "a", "b", "c"],
            ["COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a", "b"], ["COMMAND", "GETKEYS", "LMPOP", "2", "a", "b", "LEFT"],
            ["COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k"], ["COMMAND", "GETKEYS", "nosuch", "k"], ["COMMAND", "GETKEYS", "PING", "x"],
            ["COMMAND", "GETKEYS", "GET", "a", "b"], ["COMMAND", "GETKEYS", "GET"], ["COMMAND", "GETKEYS", "LMPOP", "9", "a", "LEFT"],
            ["COMMAND", "GETKEYSANDFLAGS", "GET", "k"], ["COMMAND", "COUNT", "x"], ["COMMAND", "foo"], ["COMMAND", "HELP"],
        ];
        foreach (var command in commands) await pair.SameAsync(command);
    }

    [Test]
    public async Task DocsNameEveryRequestedCommand()
    {
        await using var pair = await OraclePair.StartAsync();
        await pair.SameAsync("HELLO", "3");
        var docs = await pair.RebornClient.ExecuteAsync("COMMAND", "DOCS", "get", "client", "nosuch");
        Assert.That(docs.Type, Is.EqualTo(RespReplyType.Map));
        Assert.That(docs.Elements.Where((_, i) => i % 2 == 0).Select(e => e.AsString()), Is.EqualTo(new[] { "get", "client" }));
    }

    /// <summary>name, arity, flags, first key, last key, step.</summary>
    private static string Head(RespReply info) =>
        $"{info.Elements[0].AsString()} {info.Elements[1].Integer} [{string.Join(' ', info.Elements[2].Elements.Select(f => f.AsString()))}] " +
        $"{info.Elements[3].Integer} {info.Elements[4].Integer} {info.Elements[5].Integer}";
}
