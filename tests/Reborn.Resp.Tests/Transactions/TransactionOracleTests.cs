namespace Reborn.Resp.Tests.Transactions;

/// <summary>
/// MULTI / EXEC / DISCARD / WATCH / UNWATCH replies compared byte for byte with redis-server 7.0.15,
/// in RESP2 and RESP3: queueing, EXECABORT after a rejected command, errors inside EXEC, and WATCH
/// aborts caused by another client, by the client itself and by a flush.
/// </summary>
[NonParallelizable]
public sealed class TransactionOracleTests
{
    private static IEnumerable<TestCaseData> Scripts()
    {
        // (client, command) steps; client 1 is the "other" client that touches watched keys.
        yield return Script("queued commands run in order",
            (0, "MULTI"), (0, "SET a 1"), (0, "INCR a"), (0, "GET a"), (0, "LPUSH l x y"), (0, "LRANGE l 0 -1"), (0, "EXEC"), (0, "GET a"));
        yield return Script("errors inside EXEC are elements and the rest still runs",
            (0, "SET s x"), (0, "MULTI"), (0, "INCR s"), (0, "LPUSH s 1"), (0, "SET t 2"), (0, "HSET t f v"), (0, "GET t"), (0, "EXEC"));
        yield return Script("EXECABORT after a rejected command; nothing ran",
            (0, "MULTI"), (0, "SET a 9"), (0, "SET a"), (0, "NOSUCHCOMMAND x"), (0, "INCR a b"), (0, "EXEC"), (0, "GET a"), (0, "EXEC"));
        yield return Script("nested MULTI and WATCH inside MULTI are errors that do not abort",
            (0, "MULTI"), (0, "MULTI"), (0, "WATCH x"), (0, "PING"), (0, "EXEC"));
        yield return Script("EXEC and DISCARD without MULTI",
            (0, "EXEC"), (0, "DISCARD"), (0, "UNWATCH"), (0, "WATCH"), (0, "MULTI"), (0, "SET d 1"), (0, "DISCARD"), (0, "GET d"), (0, "EXEC"));
        yield return Script("empty transaction",
            (0, "MULTI"), (0, "EXEC"), (0, "MULTI"), (0, "DISCARD"));
        yield return Script("WATCHed key written by another client aborts EXEC",
            (0, "WATCH w"), (1, "SET w 1"), (0, "MULTI"), (0, "SET x 1"), (0, "EXEC"), (0, "GET x"));
        yield return Script("WATCHed key written by the client itself aborts EXEC",
            (0, "WATCH w v"), (0, "SET v 1"), (0, "MULTI"), (0, "PING"), (0, "EXEC"));
        yield return Script("an untouched WATCH lets EXEC run",
            (0, "WATCH w"), (1, "SET other 1"), (0, "MULTI"), (0, "SET w 2"), (0, "EXEC"), (0, "GET w"));
        yield return Script("WATCH is released by EXEC",
            (0, "WATCH w"), (0, "MULTI"), (0, "EXEC"), (1, "SET w 3"), (0, "MULTI"), (0, "SET q 1"), (0, "EXEC"));
        yield return Script("WATCH is released by an aborted EXEC",
            (0, "WATCH w"), (1, "SET w 3"), (0, "MULTI"), (0, "EXEC"), (1, "SET w 4"), (0, "MULTI"), (0, "SET q 1"), (0, "EXEC"));
        yield return Script("WATCH is released by DISCARD",
            (0, "WATCH w"), (0, "MULTI"), (0, "DISCARD"), (1, "SET w 1"), (0, "MULTI"), (0, "PING"), (0, "EXEC"));
        yield return Script("UNWATCH forgets a touched key",
            (0, "WATCH w"), (1, "SET w 5"), (0, "UNWATCH"), (0, "MULTI"), (0, "PING"), (0, "EXEC"));
        yield return Script("UNWATCH inside MULTI is queued",
            (0, "WATCH w"), (0, "MULTI"), (0, "UNWATCH"), (0, "EXEC"));
        yield return Script("WATCH with EXECABORT still releases the keys",
            (0, "WATCH w"), (0, "MULTI"), (0, "FOO"), (0, "EXEC"), (1, "SET w 9"), (0, "MULTI"), (0, "PING"), (0, "EXEC"));
        yield return Script("a deleted or expired-by-command watched key aborts",
            (1, "SET w 1"), (0, "WATCH w"), (1, "DEL w"), (0, "MULTI"), (0, "PING"), (0, "EXEC"),
            (1, "SET w 1"), (0, "WATCH w"), (1, "EXPIRE w 100"), (0, "MULTI"), (0, "PING"), (0, "EXEC"));
        yield return Script("overwriting a field, an element or a list slot touches the watched key",
            (1, "HSET h f 1"), (0, "WATCH h"), (1, "HSET h f 2"), (0, "MULTI"), (0, "PING"), (0, "EXEC"),
            (1, "RPUSH l a b"), (0, "WATCH l"), (1, "LSET l 0 c"), (0, "MULTI"), (0, "PING"), (0, "EXEC"),
            (1, "ZADD z 1 m"), (0, "WATCH z"), (1, "ZADD z 2 m"), (0, "MULTI"), (0, "PING"), (0, "EXEC"),
            (0, "WATCH h"), (1, "HSET h f 2"), (0, "MULTI"), (0, "HLEN h"), (0, "EXEC"));
        yield return Script("FLUSHDB touches an existing watched key",
            (1, "SET w 1"), (0, "WATCH w"), (1, "FLUSHDB"), (0, "MULTI"), (0, "PING"), (0, "EXEC"));
        yield return Script("a watched key of another database is not touched",
            (0, "WATCH w"), (1, "SELECT 1"), (1, "SET w 1"), (0, "MULTI"), (0, "PING"), (0, "EXEC"), (1, "SELECT 0"));
        yield return Script("SELECT inside MULTI",
            (0, "MULTI"), (0, "SELECT 2"), (0, "SET a 1"), (0, "EXEC"), (0, "GET a"), (0, "SELECT 0"), (0, "GET a"));
        yield return Script("blocking commands inside MULTI never wait",
            (0, "MULTI"), (0, "BLPOP nx 0"), (0, "BRPOP nx 0"), (0, "BRPOPLPUSH nx d 0"), (0, "BLMOVE nx d LEFT LEFT 0"),
            (0, "BZPOPMIN nx 0"), (0, "BZPOPMAX nx 0"), (0, "BLMPOP 0 1 nx LEFT"), (0, "BZMPOP 0 1 nx MIN"), (0, "BLPOP nx -1"), (0, "EXEC"));
        yield return Script("blocking commands inside MULTI pop what is there",
            (0, "RPUSH l a b c"), (0, "ZADD z 1 m 2 n"), (0, "MULTI"), (0, "BLPOP l 0"), (0, "BRPOPLPUSH l d 0"), (0, "BLMPOP 0 1 l RIGHT COUNT 5"),
            (0, "BZPOPMAX z 0"), (0, "BZMPOP 0 1 z MIN COUNT 3"), (0, "EXEC"), (0, "LRANGE d 0 -1"));
        yield return Script("arity errors of transaction commands",
            (0, "MULTI x"), (0, "EXEC x"), (0, "DISCARD x"), (0, "UNWATCH x"), (0, "MULTI"), (0, "EXEC x"), (0, "DISCARD x"), (0, "EXEC"));
    }

    private static TestCaseData Script(string name, params (int Client, string Command)[] steps)
        => new TestCaseData((object)steps) { TestName = "{m}(" + name + ")" };

    [TestCaseSource(nameof(Scripts))]
    public async Task Resp2((int Client, string Command)[] steps) => await RunAsync(steps, 2);

    [TestCaseSource(nameof(Scripts))]
    public async Task Resp3((int Client, string Command)[] steps) => await RunAsync(steps, 3);

    private static async Task RunAsync((int Client, string Command)[] steps, int protocol)
    {
        await using var clients = await OracleClients.StartAsync(2, protocol);
        foreach (var (client, command) in steps) await clients.SameAsync(client, command.Split(' '));
    }
}
