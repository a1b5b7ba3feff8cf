using System.Text.RegularExpressions;
using Reborn.Resp.Client;
using Reborn.Resp.Protocol;
using Reborn.Resp.Tests.Server;

namespace Reborn.Resp.Tests.Connection;

/// <summary>CONFIG, INFO, TIME, LASTSAVE, SAVE, BGSAVE, OBJECT and SHUTDOWN against redis-server 7.0 and in process.</summary>
public sealed class ServerCommandTests
{
    [Test]
    public async Task ConfigErrorsMatchRedis()
    {
        await using var pair = await OraclePair.StartAsync();
        string[][] commands =
        [
            ["CONFIG"], ["CONFIG", "foo"], ["CONFIG", "GET"], ["CONFIG", "SET", "port"], ["CONFIG", "SET", "foo", "bar"],
            ["CONFIG", "SET", "hz", "5", "maxclients"], ["CONFIG", "SET", "databases", "5"], ["CONFIG", "SET", "appendonly", "maybe"],
            ["CONFIG", "SET", "maxmemory", "12zz"], ["CONFIG", "SET", "timeout", "-1"], ["CONFIG", "SET", "maxclients", "0"],
            ["CONFIG", "SET", "maxclients", "abc"], ["CONFIG", "SET", "proto-max-bulk-len", "10"], ["CONFIG", "SET", "dir", "/tmp"],
            ["CONFIG", "SET", "hz", "5", "hz", "6"], ["CONFIG", "SET", "maxmemory-policy", "sometimes"], ["CONFIG", "GET", "nomatch*"],
            ["CONFIG", "REWRITE"], ["CONFIG", "RESETSTAT"], ["CONFIG", "HELP"], ["CONFIG", "RESETSTAT", "x"],
        ];
        foreach (var command in commands) await pair.SameAsync(command);
    }

    [Test]
    public async Task ConfigRoundTripsMatchRedis()
    {
        await using var pair = await OraclePair.StartAsync();
        string[][] commands =
        [
            ["CONFIG", "GET", "maxclients"], ["CONFIG", "GET", "timeout"], ["CONFIG", "GET", "databases"], ["CONFIG", "GET", "appendonly"],
            ["CONFIG", "GET", "proto-max-bulk-len"], ["CONFIG", "GET", "client-query-buffer-limit"], ["CONFIG", "GET", "requirepass"],
            ["CONFIG", "GET", "maxmemory"], ["CONFIG", "GET", "maxmemory-policy"], ["CONFIG", "GET", "hash-max-listpack-entries"],
            ["CONFIG", "GET", "HASH-MAX-ZIPLIST-ENTRIES"], ["CONFIG", "GET", "slave-read-only"], ["CONFIG", "GET", "save"],
            ["CONFIG", "SET", "hz", "0"], ["CONFIG", "GET", "hz"], ["CONFIG", "SET", "hz", "999"], ["CONFIG", "GET", "hz"],
            ["CONFIG", "SET", "maxmemory", "2mb", "maxmemory-policy", "ALLKEYS-LRU"], ["CONFIG", "GET", "maxmemory"], ["CONFIG", "GET", "maxmemory-policy"],
            ["CONFIG", "SET", "maxmemory", "1gb"], ["CONFIG", "GET", "maxmemory"], ["CONFIG", "SET", "maxmemory", "0"],
            ["CONFIG", "SET", "timeout", "300"], ["CONFIG", "GET", "timeout"], ["CONFIG", "SET", "timeout", "0"],
            ["CONFIG", "SET", "maxclients", "500"], ["CONFIG", "GET", "maxclients"],
            ["CONFIG", "SET", "proto-max-bulk-len", "2mb"], ["CONFIG", "GET", "proto-max-bulk-len"],
            ["CONFIG", "SET", "appendonly", "yes"], ["CONFIG", "GET", "appendonly"], ["CONFIG", "SET", "appendonly", "no"],
            ["CONFIG", "SET", "save", "900 1 300 10"], ["CONFIG", "GET", "save"], ["CONFIG", "SET", "save", ""],
            ["CONFIG", "SET", "hash-max-ziplist-entries", "64"], ["CONFIG", "GET", "hash-max-listpack-entries"],
        ];
        foreach (var command in commands) await pair.SameAsync(command);
        await pair.SameAsync("HELLO", "3");
        await pair.SameAsync("CONFIG", "GET", "maxclients");
    }

    [Test]
    public async Task ConfigGetGlobsAnswerTheSameSetOfParametersAsRedisForTheOnesReborneKeeps()
    {
        await using var pair = await OraclePair.StartAsync();
        foreach (var pattern in new[] { "maxmemory*", "*max-*-entries", "proto-max-bulk-len", "port", "bind" })
        {
            var reborn = Pairs(await pair.RebornClient.ExecuteAsync("CONFIG", "GET", pattern));
            var redis = Pairs(await pair.RedisClient.ExecuteAsync("CONFIG", "GET", pattern));
            Assert.That(reborn.Keys, Is.SubsetOf(redis.Keys), pattern);
            Assert.That(reborn, Is.Not.Empty, pattern);
        }
        var ours = Pairs(await pair.RebornClient.ExecuteAsync("CONFIG", "GET", "port", "databases", "bind"));
        Assert.That(ours["port"], Is.EqualTo(pair.Reborn.Port.ToString()));
        Assert.That(ours["databases"], Is.EqualTo("16"));
        Assert.That(ours["bind"], Is.EqualTo("127.0.0.1"));
    }

    [Test]
    public async Task ConfigSetChangesTheServer()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var client = await RespConnection.ConnectAsync(server.Host, server.Port);
        Assert.That((await client.ExecuteAsync("CONFIG", "SET", "requirepass", "pw", "maxclients", "77")).ToString(), Is.EqualTo("OK"));
        Assert.That(server.Server.Options.RequirePass, Is.EqualTo("pw"));
        Assert.That(server.Server.Options.MaxClients, Is.EqualTo(77));
        Assert.That((await client.ExecuteAsync("PING")).ToString(), Is.EqualTo("PONG"), "the connection stays authenticated");
        await using (var other = await RespConnection.ConnectAsync(server.Host, server.Port))
        {
            Assert.That((await other.ExecuteAsync("PING")).ToString(), Is.EqualTo("(error) NOAUTH Authentication required."));
            Assert.That((await other.ExecuteAsync("AUTH", "pw")).ToString(), Is.EqualTo("OK"));
        }
        await client.ExecuteAsync("CONFIG", "SET", "requirepass", "");
        Assert.That(server.Server.Options.RequirePass, Is.Null);
    }

    [Test]
    public async Task InfoHasRedisSectionsAndAKeyspaceLine()
    {
        await using var pair = await OraclePair.StartAsync();
        foreach (var command in new[] { new[] { "SET", "a", "1" }, ["SET", "b", "2", "EX", "100"], ["SET", "c", "3", "PX", "50000"], ["SELECT", "3"], ["RPUSH", "l", "x"], ["SELECT", "0"] })
            await pair.SameAsync(command);

        var redisDefault = Sections(await pair.RedisClient.ExecuteAsync("INFO"));
        var rebornDefault = Sections(await pair.RebornClient.ExecuteAsync("INFO"));
        Assert.That(rebornDefault.Keys, Is.EqualTo(redisDefault.Keys));
        foreach (var section in new[] { "Server", "Clients", "Persistence", "Stats", "Replication" })
            Assert.That(rebornDefault[section].Keys.Intersect(redisDefault[section].Keys).Count(), Is.GreaterThan(redisDefault[section].Count / 3), section);
        Assert.That(rebornDefault["Server"]["redis_version"], Is.EqualTo("7.0.15"));
        Assert.That(rebornDefault["Server"]["tcp_port"], Is.EqualTo(pair.Reborn.Port.ToString()));
        Assert.That(rebornDefault["Replication"]["role"], Is.EqualTo("master"));
        Assert.That(rebornDefault["Clients"]["connected_clients"], Is.EqualTo("1"));

        Assert.That(rebornDefault["Keyspace"].Keys, Is.EqualTo(redisDefault["Keyspace"].Keys));
        var keyspaceLine = new Regex(@"^keys=(\d+),expires=(\d+),avg_ttl=(\d+)$");
        foreach (var db in new[] { "db0", "db3" })
        {
            var ours = keyspaceLine.Match(rebornDefault["Keyspace"][db]);
            var theirs = keyspaceLine.Match(redisDefault["Keyspace"][db]);
            Assert.That(ours.Success, rebornDefault["Keyspace"][db]);
            Assert.That(ours.Groups[1].Value, Is.EqualTo(theirs.Groups[1].Value), db + " keys");
            Assert.That(ours.Groups[2].Value, Is.EqualTo(theirs.Groups[2].Value), db + " expires");
        }
        long averageTtl = long.Parse(keyspaceLine.Match(rebornDefault["Keyspace"]["db0"]).Groups[3].Value);
        Assert.That(averageTtl, Is.InRange(1, 75_000), "the mean of 100 s and 50 s, less the time passed");

        var all = Sections(await pair.RebornClient.ExecuteAsync("INFO", "all"));
        var redisAll = Sections(await pair.RedisClient.ExecuteAsync("INFO", "all"));
        Assert.That(all.Keys, Is.EqualTo(redisAll.Keys));
        Assert.That(all["Commandstats"]["cmdstat_set"], Does.StartWith("calls=3,usec="));
        Assert.That(all["Commandstats"]["cmdstat_select"], Does.Match(@"^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$"));

        var two = Sections(await pair.RebornClient.ExecuteAsync("INFO", "keyspace", "SERVER"));
        Assert.That(two.Keys, Is.EqualTo(Sections(await pair.RedisClient.ExecuteAsync("INFO", "keyspace", "SERVER")).Keys));
        await pair.SameAsync("INFO", "nosuchsection");
        await pair.SameAsync("CONFIG", "RESETSTAT");
        var afterReset = Sections(await pair.RebornClient.ExecuteAsync("INFO", "commandstats"));
        Assert.That(afterReset["Commandstats"].Keys, Is.EquivalentTo(new[] { "cmdstat_config|resetstat" }));

        // A connection repeating one command across another connection's reset counts into the new stats.
        await using var other = await RespConnection.ConnectAsync(pair.Reborn.Host, pair.Reborn.Port);
        await pair.RebornClient.ExecuteAsync("SET", "k", "1");
        await pair.RebornClient.ExecuteAsync("SET", "k", "2");
        await other.ExecuteAsync("CONFIG", "RESETSTAT");
        await pair.RebornClient.ExecuteAsync("SET", "k", "3");
        var repeated = Sections(await other.ExecuteAsync("INFO", "commandstats"));
        Assert.That(repeated["Commandstats"]["cmdstat_set"], Does.StartWith("calls=1,usec="));
    }

    [Test]
    public async Task CommandCountsAndTimesAddUpAsRedisCountsThem()
    {
        await using var pair = await OraclePair.StartAsync();
        static long Total(RespReply info) => long.Parse(Sections(info)["Stats"]["total_commands_processed"]);
        long redisBefore = Total(await pair.RedisClient.ExecuteAsync("INFO", "stats"));
        long rebornBefore = Total(await pair.RebornClient.ExecuteAsync("INFO", "stats"));
        // Known commands, an unknown one, a wrong arity and a failing one, then 20,000 pipelined PINGs.
        foreach (var command in new[] { new[] { "SET", "a", "1" }, ["GET", "a"], ["NOSUCHCOMMAND"], ["GET"], ["LPUSH", "a", "x"] })
            await pair.SameAsync(command);
        var pings = Enumerable.Repeat(new[] { "PING" }, 20_000).ToArray();
        await pair.RedisClient.PipelineAsync(pings);
        await pair.RebornClient.PipelineAsync(pings);
        long redisCount = Total(await pair.RedisClient.ExecuteAsync("INFO", "stats")) - redisBefore;
        long rebornCount = Total(await pair.RebornClient.ExecuteAsync("INFO", "stats")) - rebornBefore;
        Assert.That(rebornCount, Is.EqualTo(redisCount), "total_commands_processed counts what Redis counts");
        // The wrong arity is a rejected GET, the WRONGTYPE a failed LPUSH; the unknown command counts nowhere.
        var redisStats = Sections(await pair.RedisClient.ExecuteAsync("INFO", "commandstats"))["Commandstats"];
        var rebornStats = Sections(await pair.RebornClient.ExecuteAsync("INFO", "commandstats"))["Commandstats"];
        static string Counts(string line) => Regex.Replace(line, @"usec=\d+,usec_per_call=[\d.]+,", "");
        foreach (var name in new[] { "cmdstat_get", "cmdstat_lpush", "cmdstat_set" })
            Assert.That(Counts(rebornStats[name]), Is.EqualTo(Counts(redisStats[name])), name);
        Assert.That(rebornStats.Keys.Where(k => k.Contains("nosuch")), Is.Empty);

        // Each pipelined PING takes well under a microsecond: their time adds up as measured, not rounded down one by one.
        var stat = Sections(await pair.RebornClient.ExecuteAsync("INFO", "commandstats"))["Commandstats"]["cmdstat_ping"];
        var match = Regex.Match(stat, @"^calls=(\d+),usec=(\d+),");
        Assert.That(match.Success, stat);
        Assert.That(long.Parse(match.Groups[1].Value), Is.EqualTo(20_000));
        Assert.That(long.Parse(match.Groups[2].Value), Is.GreaterThan(0), stat);
    }

    [Test]
    public async Task TransactionsAndSubcommandsCountAsRedisCountsThem()
    {
        await using var pair = await OraclePair.StartAsync();
        await pair.SameAsync("CONFIG", "RESETSTAT");
        static long Total(RespReply info) => long.Parse(Sections(info)["Stats"]["total_commands_processed"]);
        long redisBefore = Total(await pair.RedisClient.ExecuteAsync("INFO", "stats"));
        long rebornBefore = Total(await pair.RebornClient.ExecuteAsync("INFO", "stats"));
        string[][] commands =
        [
            // A transaction: the queued commands count when EXEC runs them, a failing one as failed.
            ["MULTI"], ["SET", "t", "1"], ["INCR", "t"], ["LPUSH", "t", "x"], ["GET", "t"], ["EXEC"],
            // A transaction aborted by a command rejected while queueing.
            ["MULTI"], ["SET", "u", "1"], ["GET"], ["EXEC"],
            // A transaction discarded.
            ["MULTI"], ["INCR", "t"], ["DISCARD"],
            // Subcommands: run, with a wrong arity, unknown.
            ["CONFIG", "GET", "maxclients"], ["CONFIG", "GET"], ["CONFIG", "NOSUCHSUB"], ["CLIENT", "GETNAME"], ["OBJECT", "ENCODING", "t"],
            ["OBJECT", "ENCODING", "missing"], ["COMMAND", "INFO", "get"],
            // A bad subcommand while queueing aborts the transaction, as a bad command does.
            ["MULTI"], ["SET", "v", "1"], ["CONFIG", "GET"], ["EXEC"], ["MULTI"], ["CLIENT", "NOSUCHSUB"], ["EXEC"], ["GET", "v"],
        ];
        foreach (var command in commands)
            await pair.SameAsync(command);
        long redisCount = Total(await pair.RedisClient.ExecuteAsync("INFO", "stats")) - redisBefore;
        long rebornCount = Total(await pair.RebornClient.ExecuteAsync("INFO", "stats")) - rebornBefore;
        Assert.That(rebornCount, Is.EqualTo(redisCount), "total_commands_processed counts what Redis counts");
        static Dictionary<string, string> Counts(RespReply info) => Sections(info)["Commandstats"]
            .Where(line => !line.Key.StartsWith("cmdstat_info", StringComparison.Ordinal))
            .ToDictionary(line => line.Key, line => Regex.Replace(line.Value, @"usec=\d+,usec_per_call=[\d.]+,", ""));
        var redisStats = Counts(await pair.RedisClient.ExecuteAsync("INFO", "commandstats"));
        var rebornStats = Counts(await pair.RebornClient.ExecuteAsync("INFO", "commandstats"));
        Assert.That(rebornStats, Is.EqualTo(redisStats));
    }

    [Test]
    public async Task InfoIsCrlfTextAsBulkInResp2AndVerbatimInResp3()
    {
        await using var pair = await OraclePair.StartAsync();
        var (redis2, reborn2) = await pair.BothAsync("INFO", "cluster");
        Assert.That(reborn2, Is.EqualTo(redis2));
        await pair.SameAsync("HELLO", "3");
        var (redis3, reborn3) = await pair.BothAsync("INFO", "cluster");
        Assert.That(reborn3, Is.EqualTo(redis3));
        Assert.That(reborn3, Is.EqualTo("=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n"));
        var (_, server) = await pair.BothAsync("INFO", "server", "cluster");
        Assert.That(server, Does.Contain("\r\n\r\n# Cluster\r\n"));
    }

    [Test]
    public async Task TimeLastSaveSaveAndBgsave()
    {
        await using var pair = await OraclePair.StartAsync();
        var time = await pair.RebornClient.ExecuteAsync("TIME");
        Assert.That(time.Elements, Has.Count.EqualTo(2));
        Assert.That(time.Elements.All(e => e.Type == RespReplyType.BulkString));
        long seconds = long.Parse(time.Elements[0].AsString()!), micros = long.Parse(time.Elements[1].AsString()!);
        var redisTime = await pair.RedisClient.ExecuteAsync("TIME");
        Assert.That(Math.Abs(seconds - long.Parse(redisTime.Elements[0].AsString()!)), Is.LessThanOrEqualTo(5));
        Assert.That(micros, Is.InRange(0, 999_999));

        await pair.SameAsync("TIME", "x");
        await pair.SameAsync("LASTSAVE", "x");
        await pair.SameAsync("SAVE", "x");
        await pair.SameAsync("BGSAVE", "foo");
        await pair.SameAsync("SAVE");
        long lastSave = (await pair.RebornClient.ExecuteAsync("LASTSAVE")).Integer;
        Assert.That(Math.Abs(lastSave - DateTimeOffset.UtcNow.ToUnixTimeSeconds()), Is.LessThanOrEqualTo(5));
        await pair.SameAsync("SET", "k", "v");
        Assert.That((await pair.RebornClient.ExecuteAsync("BGSAVE")).ToString(), Is.EqualTo("Background saving started"));
        await pair.SameAsync("SHUTDOWN", "ABORT");
        await pair.SameAsync("SHUTDOWN", "foo");
        await pair.SameAsync("SHUTDOWN", "SAVE", "NOSAVE");
    }

    [Test]
    public async Task ObjectEncodingsMatchRedis()
    {
        await using var pair = await OraclePair.StartAsync();
        string big = new('x', 45), field65 = new('f', 65);
        string[][] setup =
        [
            ["SET", "int", "123"], ["SET", "neg", "-5"], ["SET", "max", "9223372036854775807"], ["SET", "over", "12345678901234567890"],
            ["SET", "lead0", "01"], ["SET", "short", "hello"], ["SET", "long", big], ["SET", "exact44", new string('y', 44)],
            ["RPUSH", "list", "a", "b"], ["HSET", "hash", "f", "v"], ["HSET", "bighash", field65, "v"],
            ["SADD", "ints", "1", "2", "-3"], ["SADD", "words", "a"], ["ZADD", "z", "1", "a"], ["ZADD", "bigz", "1", field65],
        ];
        foreach (var command in setup) await pair.SameAsync(command);
        var manyInts = new List<string> { "SADD", "manyints" };
        manyInts.AddRange(Enumerable.Range(1, 513).Select(i => i.ToString()));
        await pair.SameAsync(manyInts.ToArray());
        var manyMembers = new List<string> { "ZADD", "manyz" };
        for (int i = 0; i < 129; i++) { manyMembers.Add(i.ToString()); manyMembers.Add("m" + i); }
        await pair.SameAsync(manyMembers.ToArray());

        foreach (var key in new[] { "int", "neg", "max", "over", "lead0", "short", "long", "exact44", "list", "hash", "bighash", "ints", "words", "manyints", "z", "bigz", "manyz", "missing" })
        {
            await pair.SameAsync("OBJECT", "ENCODING", key);
            await pair.SameAsync("OBJECT", "REFCOUNT", key);
        }
        await pair.SameAsync("OBJECT", "FREQ", "int");
        await pair.SameAsync("OBJECT", "FREQ", "missing");
        await pair.SameAsync("OBJECT", "IDLETIME", "missing");
        await pair.SameAsync("OBJECT", "HELP");
        await pair.SameAsync("OBJECT", "foo");
        await pair.SameAsync("OBJECT", "ENCODING");
        await pair.SameAsync("CONFIG", "SET", "hash-max-listpack-entries", "0");
        await pair.SameAsync("HSET", "fresh", "f", "v");
        await pair.SameAsync("OBJECT", "ENCODING", "fresh");
        Assert.That((await pair.RebornClient.ExecuteAsync("OBJECT", "IDLETIME", "int")).Integer, Is.GreaterThanOrEqualTo(0));
    }

    [Test]
    public async Task ShutdownClosesTheConnectionWithoutReplyAndStopsTheServer()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var client = await RespConnection.ConnectAsync(server.Host, server.Port);
        await client.ExecuteAsync("SET", "k", "v");
        await client.SendAsync("SHUTDOWN");
        Assert.That(await client.ReadToEndAsync(), Is.Empty);
        await server.Server.ShutdownRequested.WaitAsync(TimeSpan.FromSeconds(10));
        await server.Server.StopAsync();
        Assert.ThrowsAsync(Is.InstanceOf<System.Net.Sockets.SocketException>(), async () => await RespConnection.ConnectAsync(server.Host, server.Port));
    }

    private static Dictionary<string, string> Pairs(RespReply reply)
    {
        var result = new Dictionary<string, string>();
        for (int i = 0; i + 1 < reply.Elements.Count; i += 2) result[reply.Elements[i].AsString()!] = reply.Elements[i + 1].AsString()!;
        return result;
    }

    /// <summary>INFO text as section name to field to value; checks the CRLF framing on the way.</summary>
    internal static Dictionary<string, Dictionary<string, string>> Sections(RespReply reply)
    {
        string text = reply.AsString()!;
        Assert.That(text.Replace("\r\n", ""), Does.Not.Contain("\n"), "lines end with CRLF");
        var sections = new Dictionary<string, Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var line in text.Split("\r\n"))
        {
            if (line.StartsWith("# ")) sections[line[2..]] = current = new Dictionary<string, string>();
            else if (line.Length > 0) { int colon = line.IndexOf(':'); current![line[..colon]] = line[(colon + 1)..]; }
        }
        return sections;
    }
}
