using System.Collections.Concurrent;
using Reborn.Core.Slots;
using Reborn.Resp.Client;
using Reborn.Resp.Tests.Server;
using Reborn.Storage;
using StackExchange.Redis;

namespace Reborn.Resp.Tests.Admin;

/// <summary>
/// A migration started over RESP completes while StackExchange.Redis clients keep writing and reading
/// keys of the moving slots: no command fails, every acknowledged write is readable afterwards, and
/// counters and list lengths equal the acknowledged increments and pushes.
/// </summary>
[TestFixture(EngineKind.Memory, "KEY")]
[TestFixture(EngineKind.Memory, "SNAPSHOT")]
[TestFixture(EngineKind.RocksDb, "SNAPSHOT")]
[TestFixture(EngineKind.RocksDb, "KEY")]
public sealed class MigrationUnderTrafficTests(EngineKind engine, string mode)
{
    private const int Writers = 4;
    private const int Counters = 64;
    private const int MinimumOperations = 300;

    [Test]
    public async Task AcknowledgedWritesSurviveMovesThereAndBack()
    {
        await using var server = await RebornServerProcess.StartAsync(engine);
        await using var admin = await RespConnection.ConnectAsync(server.Host, server.Port);
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},abortConnect=true,connectTimeout=10000,syncTimeout=30000,asyncTimeout=30000");
        var db = redis.GetDatabase();

        // Keys in every slot before the move.
        var preload = Enumerable.Range(0, 3000).Select(i => db.StringSetAsync("pre:" + i, "v" + i)).ToArray();
        Assert.That(await Task.WhenAll(preload), Is.All.True);
        await admin.OkAsync("REBORN", "GROUP", "ADD", "1");

        var written = new ConcurrentDictionary<string, string>();
        var increments = new long[Counters];
        var pushes = new long[Counters];
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var operations = new long[Writers];

        async Task WriterAsync(int writer)
        {
            var random = new Random(writer);
            for (long n = 0; !stop.IsCancellationRequested || n < MinimumOperations; n++)
            {
                try
                {
                    int c = random.Next(Counters);
                    string key = $"w:{writer}:{n}";
                    string value = $"{writer}-{n}-{random.Next()}";
                    Assert.That(await db.StringSetAsync(key, value), Is.True);
                    written[key] = value;
                    await db.StringIncrementAsync("counter:" + c);
                    Interlocked.Increment(ref increments[c]);
                    await db.ListRightPushAsync("{list" + c + "}", value);
                    Interlocked.Increment(ref pushes[c]);
                    await db.HashIncrementAsync("{list" + c + "}:hash", "f");
                    // Read back something written earlier by this writer: it must be there, whatever slot moved.
                    long earlier = random.NextInt64(n + 1);
                    string earlierKey = $"w:{writer}:{earlier}";
                    string? seen = await db.StringGetAsync(earlierKey);
                    if (written.TryGetValue(earlierKey, out var expected) && seen != expected)
                        failures.Enqueue($"{earlierKey}: read {seen ?? "(nil)"}, wrote {expected}");
                }
                catch (Exception error) when (error is not AssertionException)
                {
                    failures.Enqueue($"writer {writer} op {n}: {error.GetType().Name}: {error.Message}");
                    if (failures.Count > 20) return;
                }
                operations[writer] = n + 1;
            }
        }

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriterAsync(w))).ToArray();

        // Throttled so the moves last while the writers run (a floor on duration, not a speed assumption).
        await admin.OkAsync("REBORN", "SLOT", "MIGRATE", "0", "511", "1", mode, "MAXKEYS", "5000");
        var there = await admin.WaitForEndAsync();
        await admin.OkAsync("REBORN", "SLOT", "MIGRATE", "256", "767", "0", mode, "MAXKEYS", "5000");
        var back = await admin.WaitForEndAsync();
        stop.Cancel();
        await Task.WhenAll(writers).WaitAsync(AdminReplies.Bound);

        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(20)));
        Assert.That(there["state"].AsString(), Is.EqualTo("completed"), AdminReplies.Render(there));
        Assert.That(back["state"].AsString(), Is.EqualTo("completed"), AdminReplies.Render(back));
        Assert.That(there["keys"].Integer, Is.GreaterThan(1000), "the preloaded half moved");
        TestContext.Out.WriteLine($"{mode} on {engine}: {operations.Sum()} client operations x5 commands during the moves; there: {AdminReplies.Render(there)}; back: {AdminReplies.Render(back)}");

        foreach (var (key, value) in written) Assert.That((string?)await db.StringGetAsync(key), Is.EqualTo(value), key);
        for (int c = 0; c < Counters; c++)
        {
            Assert.That((long)await db.StringGetAsync("counter:" + c), Is.EqualTo(increments[c]), "counter:" + c);
            Assert.That(await db.ListLengthAsync("{list" + c + "}"), Is.EqualTo(pushes[c]), "{list" + c + "}");
            Assert.That((long)await db.HashGetAsync("{list" + c + "}:hash", "f"), Is.EqualTo(pushes[c]), $"{{list{c}}}:hash in slot {SlotHash.GetSlot(System.Text.Encoding.UTF8.GetBytes("list" + c))}, {mode} on {engine}");
        }
        for (int i = 0; i < 3000; i += 3) Assert.That((string?)await db.StringGetAsync("pre:" + i), Is.EqualTo("v" + i));

        // Every key once: DBSIZE equals what was written, and the groups' counts add up to it.
        long expectedKeys = 3000 + written.Count + increments.Count(x => x > 0) + 2 * pushes.Count(x => x > 0);
        var serverApi = redis.GetServer(redis.GetEndPoints().Single());
        Assert.That(await serverApi.DatabaseSizeAsync(), Is.EqualTo(expectedKeys));
        var groups = (await admin.ExecuteAsync("REBORN", "GROUP", "LIST")).Elements.Select(AdminReplies.Fields).ToList();
        Assert.That(groups.Sum(g => g["keys"].Integer), Is.EqualTo(expectedKeys));
        Assert.That(groups.Select(g => g["slots"].Integer), Is.EqualTo(new long[] { 768, 256 }));
        Assert.That((await admin.ExecuteAsync("SLOTSINFO")).Elements.Sum(p => p.Elements[1].Integer), Is.EqualTo(expectedKeys));
        Assert.That(server.Cluster.Topology[0], Is.EqualTo(new SlotAssignment(1)));
        Assert.That(server.Cluster.Topology[300], Is.EqualTo(new SlotAssignment(0)));
    }
}
