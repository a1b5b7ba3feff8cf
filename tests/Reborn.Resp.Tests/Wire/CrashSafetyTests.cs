using System.Diagnostics;
using System.Globalization;
using Reborn.Resp.Client;
using Reborn.Resp.Protocol;
using Reborn.Resp.Tests.Hosting;

namespace Reborn.Resp.Tests.Wire;

/// <summary>
/// Crash safety of `reborn server` on RocksDB with fsync on every write (Reborn:Durability=Always
/// from a --config file): a write load over several connections records every acknowledged
/// reply, the server is killed with SIGKILL mid-load, restarted on the same directory, and every
/// acknowledged write must be there. Three kills in a row, each on the previous restart.
/// </summary>
[NonParallelizable]
[Platform(Exclude = "Win")]
public sealed class CrashSafetyTests
{
    private const int Writers = 6;
    private const int Rounds = 3;
    private static readonly TimeSpan LoadBound = TimeSpan.FromSeconds(20);

    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "reborn-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "always.json"), """{ "Reborn": { "Durability": "Always" } }""");
    }

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private RebornCliProcess StartServer() =>
        RebornCliProcess.Start(_directory, "server", "--port", "0", "--dir", "data", "--engine", "rocksdb", "--config", "always.json");

    private static async Task<int> ListeningWithFsyncAsync(RebornCliProcess server)
    {
        int port = await server.ListeningAsync();
        Assert.That(server.StandardOutput, Does.Contain("durability Always"), "the --config file sets Reborn:Durability: " + server.Output);
        return port;
    }

    [Test]
    public async Task EveryAcknowledgedWriteSurvivesSigkill()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        TestContext.Out.WriteLine($"crash-safety seed {seed}");
        var counters = new long[Writers]; // the highest INCR reply acknowledged per writer, across rounds
        var acknowledgedSets = new List<(string Key, string Value)>();

        var server = StartServer();
        try
        {
            int port = await ListeningWithFsyncAsync(server);
            for (int round = 1; round <= Rounds; round++)
            {
                int killAfter = random.Next(300, 1500);
                var load = await RunLoadUntilKilledAsync(server, port, round, killAfter, counters);
                acknowledgedSets.AddRange(load.Sets);
                TestContext.Out.WriteLine($"round {round}: SIGKILL after {load.Acknowledged} acknowledged writes (aimed at {killAfter}), exit code {load.ExitCode}");
                server.Dispose();

                server = StartServer();
                port = await ListeningWithFsyncAsync(server);
                await AssertEveryAcknowledgedWriteIsThereAsync(port, counters, acknowledgedSets, round, seed);
            }
        }
        finally
        {
            server.Dispose();
        }
    }

    /// <summary>
    /// The same kill after the server has flushed its memtables many times (a 32 MB memory budget makes
    /// 4 MB memtables; 48 MB of 32 KB values go first), so RocksDB writes its log into recycled WAL
    /// files, which hold old records past the new ones: recovery must stop at the new ones' end and
    /// keep every acknowledged write, synced on each write or written to the OS on each write.
    /// </summary>
    [Test]
    public async Task EveryAcknowledgedWriteSurvivesSigkillWithRecycledWalFiles([Values("Always", "EverySecond")] string durability)
    {
        File.WriteAllText(Path.Combine(_directory, "small.json"), $$"""{ "Reborn": { "Durability": "{{durability}}", "MemoryBudgetBytes": 33554432 } }""");
        var counters = new long[Writers];
        var server = RebornCliProcess.Start(_directory, "server", "--port", "0", "--dir", "data", "--engine", "rocksdb", "--config", "small.json");
        try
        {
            int port = await server.ListeningAsync();
            var big = new string('w', 32 * 1024);
            await using (var filler = await RespConnection.ConnectAsync("127.0.0.1", port))
            {
                for (int batch = 0; batch < 24; batch++)
                {
                    var replies = await filler.PipelineAsync(Enumerable.Range(0, 64).Select(i => new[] { "SET", $"big:{batch}:{i}", big }));
                    Assert.That(replies.All(r => !r.IsError), Is.True);
                }
            }
            var load = await RunLoadUntilKilledAsync(server, port, 1, 1000, counters);
            server.Dispose();
            server = RebornCliProcess.Start(_directory, "server", "--port", "0", "--dir", "data", "--engine", "rocksdb", "--config", "small.json");
            port = await server.ListeningAsync();
            await AssertEveryAcknowledgedWriteIsThereAsync(port, counters, load.Sets, 1, 0);
            await using var client = await RespConnection.ConnectAsync("127.0.0.1", port);
            Assert.That((await client.ExecuteAsync("STRLEN", "big:23:63")).Integer, Is.EqualTo(big.Length));
            Assert.That((await client.ExecuteAsync("DBSIZE")).Integer, Is.InRange(24 * 64 + load.Sets.Count, 24 * 64 + load.Sets.Count + 2 * Writers), "nothing else came back");
        }
        finally
        {
            server.Dispose();
        }
    }

    private sealed record LoadResult(int Acknowledged, List<(string Key, string Value)> Sets, int ExitCode);

    /// <summary>
    /// Writers INCR their counter and SET fresh keys, one command at a time, recording each reply;
    /// once <paramref name="killAfter"/> writes are acknowledged the server gets SIGKILL while they
    /// keep writing. A writer stops at the first failed read or write: its last command is unknown.
    /// </summary>
    private static async Task<LoadResult> RunLoadUntilKilledAsync(RebornCliProcess server, int port, int round, int killAfter, long[] counters)
    {
        int acknowledged = 0;
        int killing = 0; // set before the signal is sent, so a writer that sees the drop knows it was the kill
        var sets = new List<(string Key, string Value)>[Writers];
        var connections = new RespConnection[Writers];
        for (int w = 0; w < Writers; w++)
        {
            connections[w] = await RespConnection.ConnectAsync("127.0.0.1", port);
            connections[w].ReadTimeout = LoadBound;
            sets[w] = [];
        }

        var watch = Stopwatch.StartNew();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var connection = connections[w];
            for (int i = 0; ; i++)
            {
                bool incr = i % 2 == 0;
                string key = incr ? $"counter:{w}" : $"k:{round}:{w}:{i}";
                string value = $"v:{round}:{w}:{i}";
                RespReply reply;
                try { reply = incr ? await connection.ExecuteAsync("INCR", key) : await connection.ExecuteAsync("SET", key, value); }
                catch (Exception e) when (e is IOException or EndOfStreamException or System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    Assert.That(Volatile.Read(ref killing), Is.EqualTo(1), $"writer {w} failed before the kill: {e.Message}");
                    return;
                }
                Assert.That(reply.IsError, Is.False, $"{(incr ? "INCR" : "SET")} {key}: {reply}");
                if (incr) counters[w] = reply.Integer; // the value just written: the counter is at least this after a restart
                else sets[w].Add((key, value));
                if ((Interlocked.Increment(ref acknowledged) >= killAfter || watch.Elapsed > LoadBound)
                    && Interlocked.CompareExchange(ref killing, 1, 0) == 0)
                    await server.SignalAsync("KILL");
                if (watch.Elapsed > LoadBound * 2) Assert.Fail($"the server still answered {LoadBound * 2} after SIGKILL");
            }
        })).ToArray();

        try { await Task.WhenAll(writers); }
        finally { foreach (var connection in connections) connection.Dispose(); }
        int exitCode = await server.ExitAsync();
        Assert.That(exitCode, Is.Not.Zero, "the server was killed, not stopped: " + server.Output);
        return new LoadResult(acknowledged, sets.SelectMany(s => s).ToList(), exitCode);
    }

    private static async Task AssertEveryAcknowledgedWriteIsThereAsync(int port, long[] counters, List<(string Key, string Value)> sets, int round, int seed)
    {
        await using var client = await RespConnection.ConnectAsync("127.0.0.1", port);
        for (int w = 0; w < Writers; w++)
        {
            var reply = await client.ExecuteAsync("GET", $"counter:{w}");
            long value = reply.IsNull ? 0 : long.Parse(reply.AsString()!, CultureInfo.InvariantCulture);
            // At least every acknowledged INCR; at most one more, the one in flight at the kill.
            Assert.That(value, Is.InRange(counters[w], counters[w] + 1), $"counter:{w} after restart {round} (seed {seed})");
            counters[w] = value; // an unacknowledged INCR that did land is part of the count from now on
        }
        foreach (var chunk in sets.Chunk(500))
        {
            var reply = await client.ExecuteAsync(["MGET", .. chunk.Select(s => s.Key)]);
            var missing = chunk.Zip(reply.Elements).Where(p => p.Second.AsString() != p.First.Value).Select(p => $"{p.First.Key}={p.Second}").Take(10).ToList();
            Assert.That(missing, Is.Empty, $"acknowledged SETs lost after restart {round} (seed {seed}) of {sets.Count}");
        }
    }
}
