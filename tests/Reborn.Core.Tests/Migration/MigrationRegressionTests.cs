using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Core.Migration;
using Reborn.Core.Slots;
using Reborn.Storage;

namespace Reborn.Core.Tests.Migration;

/// <summary>Bugs the model-checked test found in the core migration code, each pinned deterministically.</summary>
[TestFixture(EngineKind.Memory)]
[TestFixture(EngineKind.RocksDb)]
public sealed class MigrationRegressionTests(EngineKind engine) : MigrationTestBase
{
    private ValueTask<IKeyValueCluster> Open() => RebornCluster.OpenAsync(new RebornClusterOptions
    {
        Engine = engine, DataDirectory = DataDirectory, Durability = Durability.Never, BackgroundSweeps = false,
    });

    /// <summary>
    /// A collection keeps its version when it moves. Moving key by key queues the source's copy as
    /// garbage; when the key came back before the sweep ran, the sweep deleted the live elements
    /// (HLEN said 3, HGETALL returned nothing). Found by the model-checked test.
    /// </summary>
    [Test]
    public async Task ACollectionThatMovesAwayAndBackKeepsItsElementsThroughTheGarbageSweep([Values] MigrationMode back)
    {
        await using var cluster = await Open();
        var db = cluster.GetDatabase(0);
        await db.HashSetAsync("h", [new("a", "1"), new("b", "2"), new("c", "3")]);
        await db.ListRightPushAsync("{h}l", "x", "y");
        await db.SortedSetAddAsync("{h}z", "m", 1.5);
        int slot = SlotHash.GetSlot("h"u8);
        await cluster.AddGroupAsync(1);
        Assert.That((await cluster.MigrateAsync(slot, slot, 1, MigrationMode.Key)).State, Is.EqualTo(MigrationState.Completed));
        Assert.That((await cluster.MigrateAsync(slot, slot, 0, back)).State, Is.EqualTo(MigrationState.Completed));
        await cluster.SweepAsync();
        Assert.That((await db.HashGetAllAsync("h")).Select(e => $"{e.Name}={e.Value}"), Is.EquivalentTo(new[] { "a=1", "b=2", "c=3" }));
        Assert.That((await db.ListRangeAsync("{h}l")).Select(e => (string)e!), Is.EqualTo(new[] { "x", "y" }));
        Assert.That(await db.SortedSetScoreAsync("{h}z", "m"), Is.EqualTo(1.5));
    }

    /// <summary>
    /// A list keeps its version when it moves. Its group had read chunks ahead of its pops before it
    /// left; it changed in the other group and came back: the pops read its chunks as they are now.
    /// </summary>
    [Test]
    public async Task AListThatMovesAwayAndBackIsNotReadFromChunksReadAheadBeforeItLeft([Values] MigrationMode mode)
    {
        await using var cluster = await Open();
        var db = cluster.GetDatabase(0);
        var model = new List<string>(Enumerable.Range(0, 600).Select(i => "e" + i));
        await db.ListRightPushAsync("{q}l", model.Select(v => (RebornValue)v).ToArray());
        await db.StringSetAsync("{q}other", "x"); // nothing is remembered now
        for (int i = 0; i < 40; i++) Assert.That((string?)await db.ListRightPopAsync("{q}l"), Is.EqualTo(model[^(i + 1)]));
        model.RemoveRange(model.Count - 40, 40); // the pops crossed a chunk: those below were read ahead
        int slot = SlotHash.GetSlot("q"u8);
        await cluster.AddGroupAsync(1);
        Assert.That((await cluster.MigrateAsync(slot, slot, 1, mode)).State, Is.EqualTo(MigrationState.Completed));
        var popped = await db.ListRightPopAsync("{q}l", 100);
        Assert.That(popped!.Select(v => (string)v!), Is.EqualTo(Enumerable.Reverse(model).Take(100)));
        model.RemoveRange(model.Count - 100, 100);
        var added = Enumerable.Range(0, 70).Select(i => "n" + i).ToArray();
        await db.ListRightPushAsync("{q}l", added.Select(v => (RebornValue)v).ToArray());
        model.AddRange(added);
        Assert.That((await cluster.MigrateAsync(slot, slot, 0, mode)).State, Is.EqualTo(MigrationState.Completed));
        for (int i = model.Count - 1; i >= 0; i--) Assert.That((string?)await db.ListRightPopAsync("{q}l"), Is.EqualTo(model[i]), $"element {i}");
        Assert.That(await db.KeyExistsAsync("{q}l"), Is.EqualTo(0));
    }

    /// <summary>
    /// A snapshot copy replays a key changed during the copy over the copy already on the target.
    /// The replaced copy has the same version, so it must be replaced record for record: queueing it as
    /// garbage made the sweep delete the replayed elements, and a field removed meanwhile survived.
    /// </summary>
    [Test]
    public async Task ASnapshotReplayOfAChangedCollectionLeavesExactlyItsCurrentElements()
    {
        await using var cluster = await Open();
        var db = cluster.GetDatabase(0);
        await db.HashSetAsync("{t}a", [new("keep", "1"), new("drop", "2")]);
        for (int i = 0; i < 40; i++) await db.StringSetAsync("{t}f" + i, "v");
        int slot = SlotHash.GetSlot("{t}"u8);
        await cluster.AddGroupAsync(1);
        // Keys are copied in key order, one per batch at 20 a second: "{t}a" goes first, the rest take ~2 s.
        cluster.StartMigration(slot, slot, 1, MigrationMode.Snapshot, new MigrationOptions { BatchKeys = 1, MaxKeysPerSecond = 20, FreezeBelowKeys = 0 });
        for (int poll = 0; poll < 20_000 && cluster.MigrationStatus.KeysMoved < 1; poll++) await Task.Delay(1);
        Assert.That(cluster.MigrationStatus.State, Is.EqualTo(MigrationState.Running), "the copy is still running");
        await db.HashIncrementAsync("{t}a", "keep", 10);
        await db.HashDeleteAsync("{t}a", "drop");
        await cluster.MigrationCompletion;
        Assert.That(cluster.MigrationStatus.State, Is.EqualTo(MigrationState.Completed), cluster.MigrationStatus.Error);
        await cluster.SweepAsync();
        Assert.That((await db.HashGetAllAsync("{t}a")).Select(e => $"{e.Name}={e.Value}"), Is.EqualTo(new[] { "keep=11" }));
        Assert.That(await db.HashLengthAsync("{t}a"), Is.EqualTo(1));
    }
    /// <summary>
    /// SCAN resumed "just before" the next key by cutting its last byte, which sorts before earlier
    /// keys sharing the prefix ("{u}.a" > "{u}."): keys of one hash tag came back on later pages.
    /// Found by the model-checked test's SCAN-once check; one group and several alike.
    /// </summary>
    [Test]
    public async Task ScanReturnsEveryKeyOfAHashTagExactlyOnce([Values] bool spread)
    {
        await using var cluster = await Open();
        var db = cluster.GetDatabase(0);
        var keys = Enumerable.Range(0, 12).Select(i => "{u}." + (char)('a' + i)).Append("other").ToList();
        foreach (var key in keys) await db.StringSetAsync(key, "v");
        if (spread)
        {
            await cluster.AddGroupAsync(1);
            int slot = SlotHash.GetSlot("{u}"u8);
            Assert.That((await cluster.MigrateAsync(slot, slot, 1, MigrationMode.Key)).State, Is.EqualTo(MigrationState.Completed));
        }
        foreach (long count in new long[] { 1, 2, 5 })
        {
            var scanned = await MigrationInvariants.ScanAllAsync(db, count);
            Assert.That(scanned, Is.EquivalentTo(keys), $"COUNT {count}");
        }
    }
    /// <summary>
    /// A slot's ownership changed with no gate held, so an operation that had passed its ownership
    /// check on the source could still commit there after the key-by-key move began: the key then
    /// existed in both groups (the mover kept the target's copy and dropped the acknowledged write),
    /// or a drained slot's DropSlots deleted it; a multi-key operation could see ownership change
    /// half-way and leave the key count wrong. Now the change waits for the source's gate.
    /// </summary>
    [Test]
    public async Task AKeyByKeyMoveBeginsOnlyAfterTheOperationsRunningOnTheSource()
    {
        await using var cluster = await Open();
        var db = cluster.GetDatabase(0);
        await db.StringSetAsync("k", "v");
        int slot = SlotHash.GetSlot("k"u8);
        await cluster.AddGroupAsync(1);
        var gate = ((RebornCluster)cluster).Group(0).Keyspace.Gate;
        gate.Enter(); // an operation on the source, past its ownership check
        try
        {
            cluster.StartMigration(slot, slot, 1, MigrationMode.Key);
            bool flipped = SpinWait.SpinUntil(() => cluster.Topology[slot].IsMigrating || cluster.MigrationCompletion.IsCompleted, 300);
            Assert.That(flipped, Is.False, "the slot changed owner while an operation on its source was running");
        }
        finally { gate.Exit(); }
        await cluster.MigrationCompletion;
        Assert.That(cluster.MigrationStatus.State, Is.EqualTo(MigrationState.Completed));
        Assert.That((string?)await db.StringGetAsync("k"), Is.EqualTo("v"));
        MigrationInvariants.AssertEachKeyInOneGroup(cluster);
    }

    /// <summary>
    /// The snapshot journal started with no gate held: a write that had been touched (unjournaled) but
    /// not yet committed landed after the snapshot was taken, in neither the copy nor the journal, and
    /// was lost at the switch. Now the journal starts under the source's gate, before the snapshot.
    /// </summary>
    [Test]
    public async Task ASnapshotCopyBeginsOnlyAfterTheWritesRunningOnTheSource()
    {
        await using var cluster = await Open();
        var db = cluster.GetDatabase(0);
        await db.StringSetAsync("k", "v");
        int slot = SlotHash.GetSlot("k"u8);
        await cluster.AddGroupAsync(1);
        var gate = ((RebornCluster)cluster).Group(0).Keyspace.Gate;
        gate.Enter(); // a write on the source, between its journal check and its commit
        try
        {
            cluster.StartMigration(slot, slot, 1, MigrationMode.Snapshot);
            bool copied = SpinWait.SpinUntil(() => cluster.MigrationStatus.KeysMoved > 0 || cluster.MigrationCompletion.IsCompleted, 300);
            Assert.That(copied, Is.False, "the copy began while a write on the source was running");
        }
        finally { gate.Exit(); }
        await cluster.MigrationCompletion;
        Assert.That(cluster.MigrationStatus.State, Is.EqualTo(MigrationState.Completed));
        Assert.That((string?)await db.StringGetAsync("k"), Is.EqualTo("v"));
        MigrationInvariants.AssertEachKeyInOneGroup(cluster);
    }

    /// <summary>
    /// A snapshot move copies a slot's records verbatim, dead collection versions included: their
    /// garbage entries must travel with them (or the target leaks them), the source must drop its own
    /// (its records are gone), and after a sweep each side holds exactly the live elements. Both ways,
    /// so the second move meets garbage entries the first one left on its target.
    /// </summary>
    [Test]
    public async Task ASnapshotMoveOfDeadCollectionVersionsLeavesNoGarbageOnEitherSide()
    {
        await using var cluster = await Open();
        var rc = (RebornCluster)cluster;
        var db = cluster.GetDatabase(0);
        await db.HashSetAsync("{g}h", [new("x", "0"), new("y", "0")]);
        await db.KeyDeleteAsync("{g}h"); // a dead version of a key that lives on
        await db.HashSetAsync("{g}h", [new("a", "1"), new("b", "2"), new("c", "3")]);
        await db.ListRightPushAsync("{g}l", "x", "y");
        await db.SortedSetAddAsync("{g}z", "m", 1.5);
        await db.HashSetAsync("{g}d", [new("p", "1"), new("q", "2")]);
        await db.KeyDeleteAsync("{g}d");
        await db.SetAddAsync("{g}o", "s1", "s2");
        await db.StringSetAsync("{g}o", "str"); // overwritten: its set version is dead
        await db.StringSetAsync("{g}e", "v");
        await db.KeyExpireAsync("{g}e", TimeSpan.FromHours(1));
        int slot = SlotHash.GetSlot("{g}"u8);
        await cluster.AddGroupAsync(1);
        const int liveElements = 3 + 1 + 2; // hash fields, the list's one chunk, sorted-set member and its score record

        foreach (var (to, from) in new[] { (1, 0), (0, 1) })
        {
            Assert.That(rc.Group(from).Keyspace.GarbagePending(), Is.EqualTo(3), $"dead versions queued on group {from} before the move");
            var p = await cluster.MigrateAsync(slot, slot, to, MigrationMode.Snapshot);
            Assert.That(p.State, Is.EqualTo(MigrationState.Completed), p.Error);
            Assert.That(rc.Group(to).Keyspace.GarbagePending(), Is.EqualTo(3), $"the dead versions' garbage entries travelled to group {to}");
            Assert.That(rc.Group(from).Keyspace.GarbagePending(), Is.Zero, $"group {from} dropped the garbage entries of the slot it gave away");
            Assert.That(await db.DatabaseSizeAsync(), Is.EqualTo(5), "key counts taken from the copied count records");
            Assert.That(await db.KeyTimeToLiveMsAsync("{g}e"), Is.GreaterThan(0));
            Assert.That((await db.ExpiryStatisticsAsync()).Expires, Is.EqualTo(1), "the slot's expiry records are known on the new owner");
            // Queue the dead versions again on the new owner for the next move, after checking the sweep.
            await cluster.SweepAsync();
            Assert.That(ElementRecords(rc, to), Is.EqualTo(liveElements), $"group {to} holds exactly the live elements");
            Assert.That(ElementRecords(rc, from), Is.Zero, $"group {from} holds no element records");
            Assert.That(rc.Group(to).Keyspace.GarbagePending() + rc.Group(from).Keyspace.GarbagePending(), Is.Zero);
            Assert.That((await db.HashGetAllAsync("{g}h")).Select(e => $"{e.Name}={e.Value}"), Is.EquivalentTo(new[] { "a=1", "b=2", "c=3" }));
            Assert.That((await db.ListRangeAsync("{g}l")).Select(e => (string)e!), Is.EqualTo(new[] { "x", "y" }));
            Assert.That(await db.SortedSetScoreAsync("{g}z", "m"), Is.EqualTo(1.5));
            Assert.That((string?)await db.StringGetAsync("{g}o"), Is.EqualTo("str"));
            await RequeueDeadVersions(db);
        }
        MigrationInvariants.AssertEachKeyInOneGroup(cluster);
    }

    /// <summary>
    /// A plain SET of a key still in a key-by-key source writes the target without reading it (the
    /// target cannot hold the key yet). Its bookkeeping must come out as a normal SET's: one key counted
    /// once, its expiry indexed on the target and dropped from the source, an expiry in the past
    /// deleting the key, and the value read back wherever the key is asked for.
    /// </summary>
    [Test]
    public async Task APlainSetOfAKeyStillInAKeyByKeySourceKeepsCountsAndExpiriesExact()
    {
        await using var cluster = await Open();
        var rc = (RebornCluster)cluster;
        var db = cluster.GetDatabase(0);
        for (int i = 0; i < 40; i++) await db.StringSetAsync($"{{s}}k{i:D2}", "old");
        await db.StringSetAsync("{s}k39", "old", TimeSpan.FromHours(2)); // its expiry record must leave the source
        int slot = SlotHash.GetSlot("{s}"u8);
        await cluster.AddGroupAsync(1);
        // Keys move in key order, one per batch at 10 a second: the last ones stay in the source for seconds.
        cluster.StartMigration(slot, slot, 1, MigrationMode.Key, new MigrationOptions { BatchKeys = 1, MaxKeysPerSecond = 10 });
        for (int poll = 0; poll < 20_000 && cluster.MigrationStatus.KeysMoved < 1; poll++) await Task.Delay(1);
        Assert.That(cluster.MigrationStatus.State, Is.EqualTo(MigrationState.Running), "the move is still running");
        Assert.That(rc.Group(0).Keyspace.HasKey(slot, 0, "{s}k39"u8), Is.True, "the key is still in the source");

        await db.StringSetAsync("{s}k39", "new", TimeSpan.FromHours(1));
        await db.StringSetAsync("{s}k38", "plain");
        await db.StringSetAsync("{s}k37", "gone", expiry: Expiry.AtMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000));

        Assert.That(rc.Group(0).Keyspace.HasKey(slot, 0, "{s}k39"u8), Is.False, "the overwritten key left the source");
        Assert.That(rc.Group(1).Keyspace.HasKey(slot, 0, "{s}k39"u8), Is.True, "and is in the target");
        Assert.That(rc.Group(0).Keyspace.HasKey(slot, 0, "{s}k37"u8) || rc.Group(1).Keyspace.HasKey(slot, 0, "{s}k37"u8), Is.False,
            "a SET expiring at once leaves no record in either group");
        Assert.That((string?)await db.StringGetAsync("{s}k39"), Is.EqualTo("new"));
        Assert.That(await db.KeyTimeToLiveMsAsync("{s}k39"), Is.InRange(3_500_000, 3_600_000));
        Assert.That((string?)await db.StringGetAsync("{s}k38"), Is.EqualTo("plain"));
        Assert.That(await db.KeyTimeToLiveMsAsync("{s}k38"), Is.EqualTo(-1));
        Assert.That((string?)await db.StringGetAsync("{s}k37"), Is.Null, "an expiry in the past deletes the key");
        Assert.That(await db.DatabaseSizeAsync(), Is.EqualTo(39), "each key counted once, in one group");
        Assert.That((await db.ExpiryStatisticsAsync()).Expires, Is.EqualTo(1), "one key with an expiry, indexed once");

        await cluster.MigrationCompletion;
        Assert.That(cluster.MigrationStatus.State, Is.EqualTo(MigrationState.Completed), cluster.MigrationStatus.Error);
        Assert.That(await db.DatabaseSizeAsync(), Is.EqualTo(39));
        Assert.That((await db.ExpiryStatisticsAsync()).Expires, Is.EqualTo(1));
        Assert.That(await db.KeyTimeToLiveMsAsync("{s}k39"), Is.InRange(3_500_000, 3_600_000));
        Assert.That((string?)await db.StringGetAsync("{s}k39"), Is.EqualTo("new"));
        MigrationInvariants.AssertEachKeyInOneGroup(cluster);
    }

    private static async Task RequeueDeadVersions(KeyValueDatabase db)
    {
        var fields = await db.HashGetAllAsync("{g}h");
        await db.KeyDeleteAsync("{g}h");
        await db.HashSetAsync("{g}h", fields);
        await db.HashSetAsync("{g}d", [new("p", "1")]);
        await db.KeyDeleteAsync("{g}d");
        await db.KeyDeleteAsync("{g}o");
        await db.SetAddAsync("{g}o", "s1");
        await db.StringSetAsync("{g}o", "str");
    }

    /// <summary>Element and score records of every slot in a group's engine, read below routing.</summary>
    private static int ElementRecords(RebornCluster cluster, int group)
    {
        using var it = cluster.Group(group).Engine.CreateIterator([0, 0], [0x04, 0]);
        int count = 0;
        for (it.SeekToFirst(); it.Valid; it.Next())
            if (it.Key[3] is 0x02 or 0x03) count++;
        return count;
    }
}
