using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.Migration;
using Reborn.Core.Slots;
using Reborn.Storage;

namespace Reborn.Core.Tests.Migration;

/// <summary>
/// The model-checked concurrency test of issue 4: writers run SET, INCR, HINCRBY, LPUSH, SADD, ZADD,
/// ZINCRBY, MSETNX and RENAME over keys in many slots (hash-tagged groups, a 5,000-field hash, a
/// 5,000-element list) while slot ranges move back and forth between three groups in both modes,
/// some cancelled mid-flight. Every loop is bounded by a count; nothing depends on speed.
/// </summary>
[TestFixture(EngineKind.Memory)]
[TestFixture(EngineKind.RocksDb)]
public sealed class MigrationConcurrencyTests(EngineKind engine) : MigrationTestBase
{
    private const int Writers = 4;
    private const int MaxOpsPerWriter = 25_000;
    private const int Migrations = 14;
    private const int Users = 16;
    private const int BigSize = 5_000;

    private ValueTask<IKeyValueCluster> Open() => RebornCluster.OpenAsync(new RebornClusterOptions
    {
        Engine = engine, DataDirectory = DataDirectory, Durability = Durability.Never,
        // The garbage sweep runs often: a collection's old version must never take a moved key's records with it.
        BackgroundSweeps = true, SweepInterval = TimeSpan.FromMilliseconds(5),
    });

    private static string Tag(int user) => "{user" + user + "}";

    [Test]
    public async Task EveryKeyEqualsTheModelAfterRangesMoveBackAndForthUnderWrites()
    {
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using (var cluster = await Open())
        {
            var db = cluster.GetDatabase(0);
            var seedModel = new MigrationModel();
            await SeedBigCollectionsAsync(db, seedModel);
            await cluster.AddGroupAsync(1);
            await cluster.AddGroupAsync(2);
            Assert.That((await cluster.MigrateAsync(342, 683, 1, MigrationMode.Snapshot)).State, Is.EqualTo(MigrationState.Completed));
            Assert.That((await cluster.MigrateAsync(684, 1023, 2, MigrationMode.Key)).State, Is.EqualTo(MigrationState.Completed));

            int migratorDone = 0;
            var progress = new long[1];
            var models = Enumerable.Range(0, Writers).Select(_ => new MigrationModel()).ToArray();
            var writers = Enumerable.Range(0, Writers)
                .Select(w => Task.Run(() => WriteAsync(db, w, models[w], () => Volatile.Read(ref migratorDone) == 1, progress, failures)))
                .ToArray();
            try
            {
                await MigrateBackAndForthAsync(cluster, new Random(4242), writers, progress);
            }
            finally
            {
                Volatile.Write(ref migratorDone, 1);
                await Task.WhenAll(writers);
            }
            Assert.That(failures, Is.Empty, "writers saw wrong answers");
            Assert.That(models.Sum(m => m.Counters.Count), Is.GreaterThan(0));

            var model = MigrationModel.Merge([seedModel, .. models]);
            await cluster.SweepAsync(); // every pending garbage version, now
            await AssertModelAsync(cluster, model);
            TestContext.Out.WriteLine($"{engine}: {model.Keys.Count} keys; table version {cluster.Topology.Version}; " +
                                      $"groups {string.Join(", ", cluster.ListGroups().Select(g => $"{g.Id}:{g.Slots} slots/{g.Keys} keys"))}");
            if (engine == EngineKind.Memory) return;
            await cluster.DisposeAsync();
            await using var reopened = await Open();
            await AssertModelAsync(reopened, model);
        }
    }

    private static async Task AssertModelAsync(IKeyValueCluster cluster, MigrationModel model)
    {
        var db = cluster.GetDatabase(0);
        MigrationInvariants.AssertAllStable(cluster);
        MigrationInvariants.AssertEachKeyInOneGroup(cluster);
        await model.AssertMatchesAsync(db);
        await MigrationInvariants.AssertKeySetAsync(db, model.Keys);
    }

    private static async Task SeedBigCollectionsAsync(KeyValueDatabase db, MigrationModel model)
    {
        // Plain keys everywhere, so a throttled move of a wide range is surely mid-flight when cancelled.
        for (int i = 0; i < 4_000; i += 200)
        {
            var pairs = Enumerable.Range(i, 200).Select(k => new KeyValuePair<RebornKey, RebornValue>("fill:" + k, "F" + k)).ToArray();
            await db.StringSetAsync(pairs);
            foreach (int k in Enumerable.Range(i, 200)) model.Strings["fill:" + k] = "F" + k;
        }
        for (int i = 0; i < BigSize; i += 500)
        {
            var entries = Enumerable.Range(i, 500).Select(f => new HashEntry("f" + f, 1)).ToArray();
            await db.HashSetAsync("bighash", entries);
            foreach (var e in entries) model.HashIncr("bighash", (string)e.Name!, 1);
            var elements = Enumerable.Range(i, 500).Select(e => (RebornValue)("seed-" + e)).ToArray();
            await db.ListLeftPushAsync("biglist", elements);
            foreach (var e in elements) model.Push("biglist", (string)e!);
        }
    }

    /// <summary>The slots the writers hit hardest: migrations aim at them a third of the time.</summary>
    private static readonly int[] HotSlots =
    [
        SlotHash.GetSlot("bighash"u8), SlotHash.GetSlot("biglist"u8),
        .. Enumerable.Range(0, Users).Select(u => SlotHash.GetSlot(System.Text.Encoding.UTF8.GetBytes(Tag(u)))),
    ];

    private static async Task MigrateBackAndForthAsync(IKeyValueCluster cluster, Random random, Task[] writers, long[] progress)
    {
        for (int i = 0; i < Migrations && !writers.All(w => w.IsCompleted); i++)
        {
            // Each migration starts after the writers did a share of their work: moves and writes interleave.
            for (int poll = 0; poll < 20_000 && Interlocked.Read(ref progress[0]) < (i + 1) * 400L && !writers.Any(w => w.IsCompleted); poll++)
                await Task.Delay(1);
            var mode = i % 2 == 0 ? MigrationMode.Key : MigrationMode.Snapshot;
            int first, last;
            if (i % 3 == 0)
            {
                int hot = HotSlots[random.Next(HotSlots.Length)];
                first = Math.Max(0, hot - random.Next(0, 4));
                last = Math.Min(SlotHash.SlotCount - 1, hot + random.Next(0, 4));
            }
            else
            {
                first = random.Next(0, SlotHash.SlotCount);
                last = Math.Min(SlotHash.SlotCount - 1, first + random.Next(0, 160));
            }
            int target = (cluster.Topology[first].Group + 1 + random.Next(0, 2)) % 3;
            bool cancel = i is 4 or 7 or 10; // two key-mode cancellations and one snapshot
            var options = i % 4 == 1 || cancel
                ? new MigrationOptions { MaxKeysPerSecond = cancel ? 400 : 5_000, BatchKeys = cancel ? 4 : 32 }
                : new MigrationOptions();
            if (cancel)
            {
                // A wide range so the throttled move is surely mid-flight when cancelled.
                (first, last) = (0, 1023);
                target = 1;
            }
            var before = cluster.Topology;
            cluster.StartMigration(first, last, target, mode, options);
            if (cancel)
            {
                for (int poll = 0; poll < 20_000 && cluster.MigrationStatus.KeysMoved < 8 && !cluster.MigrationCompletion.IsCompleted; poll++)
                    await Task.Delay(1);
                Assert.That(cluster.CancelMigration(), Is.True, $"migration {i} ({mode}) was still running when cancelled: {cluster.MigrationStatus}");
            }
            await cluster.MigrationCompletion;
            var status = cluster.MigrationStatus;
            Assert.That(status.State, Is.EqualTo(cancel ? MigrationState.Cancelled : MigrationState.Completed),
                $"migration {i}: {mode} {first}-{last} to {target}: {status.Error}");
            MigrationInvariants.AssertAllStable(cluster);
            MigrationInvariants.AssertEachKeyInOneGroup(cluster);
            for (int s = first; s <= last; s++)
            {
                if (cancel)
                {
                    // Snapshot: whole source parts switch or roll back; key by key: unfinished slots go back.
                    Assert.That(cluster.Topology[s].Group, Is.EqualTo(before[s].Group).Or.EqualTo(target), $"slot {s} after cancel");
                }
                else Assert.That(cluster.Topology[s], Is.EqualTo(new SlotAssignment(target)), $"slot {s} after migration {i}");
            }
            await cluster.SweepAsync(); // a garbage sweep between moves: a key that comes back must keep its records
        }
    }

    private static async Task WriteAsync(KeyValueDatabase db, int w, MigrationModel model, Func<bool> stop, long[] progress,
        System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        var random = new Random(1000 + w);
        int multi = 0;
        for (int n = 0; n < MaxOpsPerWriter && !stop(); n++)
        {
            if (n % 32 == 0) await Task.Yield(); // in-process calls complete synchronously: share the pool
            Interlocked.Increment(ref progress[0]);
            string element = $"w{w}-{n}";
            int user = random.Next(Users);
            switch (random.Next(15))
            {
                case 0:
                {
                    string key = "cnt:" + random.Next(64);
                    long by = random.Next(1, 6);
                    await db.StringIncrementAsync(key, by);
                    model.Incr(key, by);
                    break;
                }
                case 1:
                    await db.StringIncrementAsync(Tag(user) + ".a");
                    model.Incr(Tag(user) + ".a", 1);
                    break;
                case 2:
                {
                    string field = "f" + random.Next(4);
                    await db.HashIncrementAsync(Tag(user) + ".b", field, 2);
                    model.HashIncr(Tag(user) + ".b", field, 2);
                    break;
                }
                case 3:
                {
                    string field = "f" + random.Next(BigSize);
                    await db.HashIncrementAsync("bighash", field);
                    model.HashIncr("bighash", field, 1);
                    break;
                }
                case 4:
                {
                    string key = "list:" + random.Next(32);
                    await db.ListLeftPushAsync(key, element);
                    model.Push(key, element);
                    break;
                }
                case 5:
                    await db.ListLeftPushAsync(Tag(user) + ".l", element);
                    model.Push(Tag(user) + ".l", element);
                    break;
                case 6:
                    await db.ListLeftPushAsync("biglist", element);
                    model.Push("biglist", element);
                    break;
                case 7:
                {
                    string key = "set:" + random.Next(32), member = $"w{w}-{random.Next(200)}";
                    await db.SetAddAsync(key, member);
                    model.SetAdd(key, member);
                    break;
                }
                case 8:
                    await db.SetAddAsync(Tag(user) + ".s", element);
                    model.SetAdd(Tag(user) + ".s", element);
                    break;
                case 9:
                {
                    string key = "zset:" + random.Next(32), member = $"w{w}-m{random.Next(8)}";
                    await db.SortedSetAddAsync(key, member, n);
                    model.ZSet(key, member, n);
                    break;
                }
                case 10:
                {
                    string member = "m" + random.Next(4);
                    await db.SortedSetIncrementAsync(Tag(user) + ".z", member, 3);
                    model.ZIncr(Tag(user) + ".z", member, 3);
                    break;
                }
                case 11:
                {
                    string key = $"str:{w}:{random.Next(100)}";
                    await db.StringSetAsync(key, element);
                    model.Strings[key] = element;
                    break;
                }
                case 12:
                    await db.StringSetAsync($"{Tag(user)}.w{w}", element);
                    model.Strings[$"{Tag(user)}.w{w}"] = element;
                    break;
                case 13:
                    await SameSlotAtomicAsync(db, w, multi++, model, failures);
                    break;
                default:
                    await CrossSlotAtomicAsync(db, w, multi++, model, failures);
                    break;
            }
        }
    }

    /// <summary>
    /// MSETNX and RENAME on hash-tagged keys of one slot: one group always serves them, so they
    /// always succeed, during a move too, and answer exactly as on a single Redis.
    /// </summary>
    private static async Task SameSlotAtomicAsync(KeyValueDatabase db, int w, int i, MigrationModel model,
        System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        string tag = $"{{mw{w}-{i % 8}}}";
        string n = $"{tag}.n{i}", m = $"{tag}.m{i}", o = $"{tag}.o{i}", r = $"{tag}.r{i}";
        try
        {
            if (!await db.StringSetAsync([new(n, "N" + i), new(m, "M" + i)], onlyIfNoneExist: true))
                failures.Enqueue($"MSETNX {n} {m} (fresh keys) answered 0");
            else { model.Strings[n] = "N" + i; model.Strings[m] = "M" + i; }
            if (await db.StringSetAsync([new(n, "X"), new(o, "X")], onlyIfNoneExist: true))
                failures.Enqueue($"MSETNX {n} {o} answered 1 though {n} exists");
            if (!await db.KeyRenameAsync(m, r)) failures.Enqueue($"RENAME {m} {r} answered 0");
            else if (model.Strings.Remove(m, out var moved)) model.Strings[r] = moved;
        }
        catch (RebornException error)
        {
            failures.Enqueue($"same-slot atomic op on {tag} failed: {error.Message}");
        }
    }

    /// <summary>
    /// MSETNX over two slots: success when one group serves both, else CROSSSLOT, or TRYAGAIN while
    /// one is moving; an error writes nothing (the model, checked at the end, holds the keys only on success).
    /// </summary>
    private static async Task CrossSlotAtomicAsync(KeyValueDatabase db, int w, int i, MigrationModel model,
        System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        string a = $"{{xa{w}-{i}}}", b = $"{{xb{w}-{i}}}";
        try
        {
            if (await db.StringSetAsync([new(a, "A"), new(b, "B")], onlyIfNoneExist: true))
            {
                model.Strings[a] = "A";
                model.Strings[b] = "B";
            }
            else failures.Enqueue($"MSETNX {a} {b} (fresh keys) answered 0");
        }
        catch (RebornException error) when (error.Message == RebornCluster.CrossSlotError || error.Message == RebornCluster.TryAgainError)
        {
        }
        catch (RebornException error)
        {
            failures.Enqueue($"MSETNX {a} {b}: unexpected error {error.Message}");
        }
        // RENAME across slots: the same answers; on success the value moved.
        if (!model.Strings.ContainsKey(a)) return;
        try
        {
            string c = $"{{xc{w}-{i}}}";
            if (await db.KeyRenameAsync(a, c)) { model.Strings.Remove(a); model.Strings[c] = "A"; }
            else failures.Enqueue($"RENAME {a} {c} answered 0");
        }
        catch (RebornException error) when (error.Message == RebornCluster.CrossSlotError || error.Message == RebornCluster.TryAgainError)
        {
        }
    }
}
