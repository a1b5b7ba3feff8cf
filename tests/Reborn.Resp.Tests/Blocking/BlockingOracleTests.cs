using Reborn.Resp.Tests.Transactions;

namespace Reborn.Resp.Tests.Blocking;

/// <summary>
/// Blocking pops compared byte for byte with redis-server 7.0.15 (RESP2 and RESP3): served when
/// another client pushes, timeouts, first-come-first-served wake-ups, a woken client that finds
/// nothing keeping its place, and Redis's timeout parsing. A client is known to be blocked when
/// both servers count it (bounded polling), never by waiting a while.
/// </summary>
[NonParallelizable]
public sealed class BlockingOracleTests
{
    [TestCase(2)]
    [TestCase(3)]
    public async Task BLPopIsServedWhenAnotherClientPushes(int protocol)
    {
        await using var clients = await OracleClients.StartAsync(2, protocol);
        await clients.SendAsync(0, "BLPOP", "nx", "list", "0");
        await clients.WaitBlockedAsync(1);
        await clients.SameAsync(1, "RPUSH", "list", "a", "b");
        Assert.That(await clients.ReadSameAsync(0), Is.EqualTo("*2\r\n$4\r\nlist\r\n$1\r\na\r\n"));
        await clients.WaitBlockedAsync(0);
        await clients.SameAsync(1, "LRANGE", "list", "0", "-1");

        await clients.SendAsync(0, "BRPOP", "list2", "0");
        await clients.WaitBlockedAsync(1);
        await clients.SameAsync(1, "LPUSH", "list2", "x", "y");
        await clients.ReadSameAsync(0, "BRPOP");
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task TimeoutsReplyNull(int protocol)
    {
        await using var clients = await OracleClients.StartAsync(1, protocol);
        string expected = protocol == 2 ? "*-1\r\n" : "_\r\n";
        Assert.That(await clients.SameAsync(0, "BLPOP", "nx", "0.02"), Is.EqualTo(expected));
        Assert.That(await clients.SameAsync(0, "BRPOP", "nx", "ny", "0.01"), Is.EqualTo(expected));
        // BLMOVE answers a bulk string when served but the null array when it times out.
        Assert.That(await clients.SameAsync(0, "BRPOPLPUSH", "nx", "d", "0.01"), Is.EqualTo(expected));
        Assert.That(await clients.SameAsync(0, "BLMOVE", "nx", "d", "LEFT", "RIGHT", "0.01"), Is.EqualTo(expected));
        Assert.That(await clients.SameAsync(0, "BLMPOP", "0.01", "2", "nx", "ny", "LEFT"), Is.EqualTo(expected));
        Assert.That(await clients.SameAsync(0, "BZPOPMIN", "nx", "0.01"), Is.EqualTo(expected));
        Assert.That(await clients.SameAsync(0, "BZPOPMAX", "nx", "0.01"), Is.EqualTo(expected));
        Assert.That(await clients.SameAsync(0, "BZMPOP", "0.01", "1", "nx", "MAX", "COUNT", "3"), Is.EqualTo(expected));
        // A positive fraction of a millisecond still times out rather than waiting forever.
        Assert.That(await clients.SameAsync(0, "BLPOP", "nx", "0.0001"), Is.EqualTo(expected));
        Assert.That(clients.RebornServer.Server.BlockedClients, Is.Zero);
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task NonBlockingPathsAndErrors(int protocol)
    {
        await using var clients = await OracleClients.StartAsync(1, protocol);
        foreach (var line in new[]
                 {
                     "RPUSH l a b c d e", "ZADD z 1 a 2 b 3 c 4 d", "SET s x",
                     "BLPOP nx l 0", "BRPOP l 0", "BLMPOP 0 2 nx l RIGHT COUNT 2", "BLMPOP 0 1 l LEFT COUNT 9",
                     "RPUSH l a b", "BLMOVE l d RIGHT LEFT 0", "BRPOPLPUSH l d 0", "LRANGE d 0 -1",
                     "BZPOPMIN nx z 0", "BZPOPMAX z 0", "BZMPOP 0 1 z MIN COUNT 1", "BZMPOP 0 1 z MAX COUNT 10",
                     "BLPOP s 0", "BZPOPMIN s 0", "BLMOVE s d LEFT LEFT 0", "RPUSH l2 v", "BLMOVE l2 s LEFT LEFT 0", "BLMPOP 0 1 s LEFT",
                     "BZMPOP 0 2 nx s MIN",
                     "BLPOP k abc", "BLPOP k -1", "BLPOP k -0.5", "BLPOP k inf", "BLPOP k -inf", "BLPOP k nan", "BLPOP k 1e16",
                     "BLPOP k 9.3e15", "BLPOP k 1x", "BLPOP k ", "BZPOPMIN k abc", "BZPOPMAX k -2",
                     "BLMOVE a b UP LEFT 0", "BLMOVE a b LEFT DOWN abc", "BLMOVE a b LEFT LEFT abc", "BRPOPLPUSH a b -1",
                     "BLMPOP abc 1 k LEFT", "BLMPOP -1 1 k LEFT", "BLMPOP 0 0 k LEFT", "BLMPOP 0 1 k UP", "BLMPOP 0 1 k LEFT COUNT 0",
                     "BLMPOP 0 5 k LEFT", "BLMPOP 0 1 k LEFT COUNT", "BLMPOP 0 1 k LEFT COUNT 1 COUNT 1",
                     "BZMPOP abc 1 k MIN", "BZMPOP 0 0 k MIN", "BZMPOP 0 1 k UP", "BZMPOP 0 1 k MIN COUNT -1",
                     "BLPOP k", "BZPOPMIN k", "BLMOVE a b LEFT LEFT", "BLMPOP 0 1 k", "BZMPOP 0 1 k", "BRPOPLPUSH a 0",
                 })
            await clients.SameAsync(0, line.Split(' '));
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task ThreeBlockedClientsAreServedFirstComeFirstServed(int protocol)
    {
        await using var clients = await OracleClients.StartAsync(4, protocol);
        for (int i = 0; i < 3; i++)
        {
            await clients.SendAsync(i, "BLPOP", "queue", "0");
            await clients.WaitBlockedAsync(i + 1);
        }
        // One push of three elements: the longest-waiting client gets the head first.
        await clients.SameAsync(3, "LPUSH", "queue", "x", "y", "z");
        Assert.That(await clients.ReadSameAsync(0), Is.EqualTo("*2\r\n$5\r\nqueue\r\n$1\r\nz\r\n"));
        Assert.That(await clients.ReadSameAsync(1), Is.EqualTo("*2\r\n$5\r\nqueue\r\n$1\r\ny\r\n"));
        Assert.That(await clients.ReadSameAsync(2), Is.EqualTo("*2\r\n$5\r\nqueue\r\n$1\r\nx\r\n"));
        await clients.WaitBlockedAsync(0);

        // Again with one element at a time: each push serves the next in line.
        for (int i = 0; i < 3; i++)
        {
            await clients.SendAsync(i, "BRPOP", "queue", "0");
            await clients.WaitBlockedAsync(i + 1);
        }
        for (int i = 0; i < 3; i++)
        {
            await clients.SameAsync(3, "RPUSH", "queue", $"e{i}");
            Assert.That(await clients.ReadSameAsync(i), Does.EndWith($"$2\r\ne{i}\r\n"));
            await clients.WaitBlockedAsync(2 - i);
        }
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task AWokenClientThatFindsNothingKeepsItsPlace(int protocol)
    {
        await using var clients = await OracleClients.StartAsync(3, protocol);
        await clients.SendAsync(0, "BLPOP", "k", "0");
        await clients.WaitBlockedAsync(1);
        await clients.SendAsync(1, "BLPOP", "k", "0");
        await clients.WaitBlockedAsync(2);

        // The key becomes ready inside EXEC but is empty again when EXEC ends: nobody is served.
        await clients.SameAsync(2, "MULTI");
        await clients.SameAsync(2, "RPUSH", "k", "gone");
        await clients.SameAsync(2, "LPOP", "k");
        await clients.SameAsync(2, "EXEC");
        await clients.WaitBlockedAsync(2);

        // A key of another type wakes nobody either.
        await clients.SameAsync(2, "ZADD", "k", "1", "m");
        await clients.WaitBlockedAsync(2);
        await clients.SameAsync(2, "DEL", "k");

        // The first client is still first.
        await clients.SameAsync(2, "RPUSH", "k", "one");
        Assert.That(await clients.ReadSameAsync(0), Does.EndWith("$3\r\none\r\n"));
        await clients.WaitBlockedAsync(1);
        await clients.SameAsync(2, "RPUSH", "k", "two");
        Assert.That(await clients.ReadSameAsync(1), Does.EndWith("$3\r\ntwo\r\n"));
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task BZPopMinAndBZMPopAreServedByZAdd(int protocol)
    {
        await using var clients = await OracleClients.StartAsync(3, protocol);
        await clients.SendAsync(0, "BZPOPMIN", "z1", "z2", "0");
        await clients.WaitBlockedAsync(1);
        await clients.SendAsync(1, "BZMPOP", "0", "1", "z2", "MAX", "COUNT", "2");
        await clients.WaitBlockedAsync(2);
        await clients.SameAsync(2, "ZADD", "z2", "1.5", "a", "2.5", "b", "-3", "c");
        await clients.ReadSameAsync(0, "BZPOPMIN gets the lowest of z2");
        await clients.ReadSameAsync(1, "BZMPOP gets the rest, highest first");
        await clients.WaitBlockedAsync(0);
        await clients.SameAsync(2, "EXISTS", "z2");

        await clients.SendAsync(0, "BZPOPMAX", "z3", "0");
        await clients.WaitBlockedAsync(1);
        await clients.SameAsync(2, "ZINCRBY", "z3", "7", "m");
        await clients.ReadSameAsync(0, "BZPOPMAX");
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task BLMoveAndBLMPopAreServedByPushes(int protocol)
    {
        await using var clients = await OracleClients.StartAsync(3, protocol);
        await clients.SendAsync(0, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "0");
        await clients.WaitBlockedAsync(1);
        // Client 1 waits on BLMOVE's destination: the moved element serves it in the same pass.
        await clients.SendAsync(1, "BLMPOP", "0", "1", "dst", "LEFT", "COUNT", "5");
        await clients.WaitBlockedAsync(2);
        await clients.SameAsync(2, "RPUSH", "src", "a", "b");
        Assert.That(await clients.ReadSameAsync(0), Is.EqualTo("$1\r\nb\r\n"));
        await clients.ReadSameAsync(1, "BLMPOP served from the destination");
        await clients.WaitBlockedAsync(0);
        await clients.SameAsync(2, "LRANGE", "src", "0", "-1");
        await clients.SameAsync(2, "EXISTS", "dst");

        // A destination of another type ends the wait with WRONGTYPE; the element stays.
        await clients.SameAsync(2, "SET", "str", "x");
        await clients.SendAsync(0, "BRPOPLPUSH", "src2", "str", "0");
        await clients.WaitBlockedAsync(1);
        await clients.SameAsync(2, "RPUSH", "src2", "v");
        await clients.ReadSameAsync(0, "WRONGTYPE");
        await clients.SameAsync(2, "LRANGE", "src2", "0", "-1");
    }

    [Test]
    public async Task AClosedClientStopsWaiting()
    {
        await using var clients = await OracleClients.StartAsync(2);
        await clients.SendAsync(0, "BLPOP", "k", "0");
        await clients.WaitBlockedAsync(1);
        await clients.Redis(0).DisposeAsync();
        await clients.Reborn(0).DisposeAsync();
        await clients.WaitBlockedAsync(0);
        // The element is not lost to the departed client.
        await clients.SameAsync(1, "RPUSH", "k", "v");
        await clients.SameAsync(1, "LLEN", "k");
    }

    [Test]
    public async Task AKilledClientStopsWaiting()
    {
        await using var clients = await OracleClients.StartAsync(2);
        await clients.SendAsync(0, "BZPOPMIN", "k", "0");
        await clients.WaitBlockedAsync(1);
        // How many clients each server kills depends on probes it still counts: read, do not compare.
        await clients.SendAsync(1, "CLIENT", "KILL", "SKIPME", "yes");
        Assert.That((await clients.Redis(1).ReadReplyAsync()).IsError, Is.False);
        Assert.That((await clients.Reborn(1).ReadReplyAsync()).IsError, Is.False);
        await clients.WaitBlockedAsync(0);
    }
}
