using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.Migration;
using Reborn.Core.Slots;
using Reborn.Storage;

namespace Reborn.Core.Tests.Migration;

/// <summary>Slot ranges move between local groups in both modes and every key stays readable exactly once.</summary>
[TestFixture(EngineKind.Memory, MigrationMode.Key)]
[TestFixture(EngineKind.Memory, MigrationMode.Snapshot)]
[TestFixture(EngineKind.RocksDb, MigrationMode.Key)]
[TestFixture(EngineKind.RocksDb, MigrationMode.Snapshot)]
[TestFixture(EngineKind.Faster, MigrationMode.Key)]
[TestFixture(EngineKind.Faster, MigrationMode.Snapshot)]
public sealed class MigrationSmokeTests(EngineKind engine, MigrationMode mode) : MigrationTestBase
{
    private ValueTask<IKeyValueCluster> Open() => RebornCluster.OpenAsync(new RebornClusterOptions
    {
        Engine = engine, DataDirectory = DataDirectory, Durability = Durability.Never, BackgroundSweeps = false,
    });

    [Test]
    public async Task ARangeMovesAndBackAndSurvivesReopen()
    {
        await using (var cluster = await Open())
        {
            var db = cluster.GetDatabase(0);
            for (int i = 0; i < 2000; i++) await db.StringSetAsync("k" + i, "v" + i);
            for (int i = 0; i < 50; i++)
            {
                await db.HashSetAsync("h" + i, "f", "v" + i);
                await db.ListRightPushAsync("l" + i, ["a", "b", "c"]);
                await db.SortedSetAddAsync("z" + i, "m", i);
            }
            await db.StringSetAsync("ttl", "v", TimeSpan.FromHours(1));
            await cluster.AddGroupAsync(1);
            var result = await cluster.MigrateAsync(0, 511, 1, mode);
            Assert.That(result.State, Is.EqualTo(MigrationState.Completed), result.Error);
            Assert.That(result.KeysMoved, Is.GreaterThan(800));
            Assert.That(cluster.Topology[0], Is.EqualTo(new SlotAssignment(1)));
            Assert.That(cluster.Topology[600], Is.EqualTo(new SlotAssignment(0)));
            await AssertAllThere(cluster);
            var groups = cluster.ListGroups();
            Assert.That(groups.Sum(g => g.Keys), Is.EqualTo(2151));
            Assert.That(groups.Single(g => g.Id == 1).Slots, Is.EqualTo(512));

            Assert.That((await cluster.MigrateAsync(200, 700, 0, mode)).State, Is.EqualTo(MigrationState.Completed));
            await AssertAllThere(cluster);
        }
        if (engine == EngineKind.Memory) return; // not durable: nothing to reopen
        await using (var cluster = await Open())
        {
            Assert.That(cluster.Topology[100], Is.EqualTo(new SlotAssignment(1)), "the slot table persists");
            Assert.That(cluster.Topology[300], Is.EqualTo(new SlotAssignment(0)));
            await AssertAllThere(cluster);
        }
    }

    [Test]
    public async Task BigCollectionsMoveWhole()
    {
        await using var cluster = await Open();
        var db = cluster.GetDatabase(0);
        var entries = Enumerable.Range(0, 10_000).Select(i => new HashEntry("f" + i, "v" + i)).ToArray();
        await db.HashSetAsync("{big}hash", entries);
        await db.ListRightPushAsync("{big}list", Enumerable.Range(0, 6_000).Select(i => (RebornValue)("e" + i)).ToArray());
        await db.SortedSetAddAsync("{big}zset", Enumerable.Range(0, 5_000).Select(i => new SortedSetEntry("m" + i, i)).ToArray());
        int slot = SlotHash.GetSlot("big"u8);
        await cluster.AddGroupAsync(1);
        var result = await cluster.MigrateAsync(slot, slot, 1, mode);
        Assert.That(result.State, Is.EqualTo(MigrationState.Completed), result.Error);
        Assert.That(result.KeysMoved, Is.EqualTo(3));
        Assert.That(await db.HashLengthAsync("{big}hash"), Is.EqualTo(10_000));
        Assert.That((string?)await db.HashGetAsync("{big}hash", "f9999"), Is.EqualTo("v9999"));
        var list = await db.ListRangeAsync("{big}list", 0, -1);
        Assert.That(list.Select(v => (string?)v), Is.EqualTo(Enumerable.Range(0, 6_000).Select(i => "e" + i)));
        Assert.That(await db.SortedSetRankAsync("{big}zset", "m4321"), Is.EqualTo(4321));
        Assert.That(cluster.GetSlotStatistics(slot).Keys, Is.EqualTo(3));
        await cluster.SweepAsync();
        Assert.That(cluster.ListGroups().Single(g => g.Id == 0).Keys, Is.EqualTo(0));
    }

    [Test]
    public async Task WritesThatChangeOnlyElementsDuringAMoveAreKept()
    {
        await using var cluster = await Open();
        var db = cluster.GetDatabase(0);
        for (int i = 0; i < 3000; i++) await db.StringSetAsync("{s}filler" + i, "v");
        await db.ListRightPushAsync("{s}list", ["a", "b", "c"]);
        await db.HashSetAsync("{s}hash", "f", "old");
        int slot = SlotHash.GetSlot("s"u8);
        await cluster.AddGroupAsync(1);
        cluster.StartMigration(slot, slot, 1, mode, new MigrationOptions { MaxKeysPerSecond = 3000, BatchKeys = 100 });
        for (int i = 0; i < 10_000 && cluster.MigrationStatus.KeysMoved == 0; i++) await Task.Delay(1);
        // LSET and HSET of an existing field leave the key's metadata alone: they must still travel.
        await db.ListSetByIndexAsync("{s}list", 1, "B");
        await db.HashSetAsync("{s}hash", "f", "new");
        await cluster.MigrationCompletion;
        Assert.That(cluster.MigrationStatus.State, Is.EqualTo(MigrationState.Completed), cluster.MigrationStatus.Error);
        Assert.That(cluster.Topology[slot], Is.EqualTo(new SlotAssignment(1)));
        Assert.That((await db.ListRangeAsync("{s}list", 0, -1)).Select(v => (string?)v), Is.EqualTo(new[] { "a", "B", "c" }));
        Assert.That((string?)await db.HashGetAsync("{s}hash", "f"), Is.EqualTo("new"));
    }

    private static async Task AssertAllThere(IKeyValueCluster cluster)
    {
        var db = cluster.GetDatabase(0);
        Assert.That(await db.DatabaseSizeAsync(), Is.EqualTo(2151));
        for (int i = 0; i < 2000; i += 7) Assert.That((string?)await db.StringGetAsync("k" + i), Is.EqualTo("v" + i));
        for (int i = 0; i < 50; i++)
        {
            Assert.That((string?)await db.HashGetAsync("h" + i, "f"), Is.EqualTo("v" + i));
            Assert.That(await db.ListLengthAsync("l" + i), Is.EqualTo(3));
            Assert.That(await db.SortedSetScoreAsync("z" + i, "m"), Is.EqualTo(i));
        }
        Assert.That(await db.KeyTimeToLiveMsAsync("ttl"), Is.GreaterThan(3_000_000));
        var keys = new HashSet<string>();
        long cursor = 0;
        do
        {
            var page = await db.ScanAsync(cursor, count: 100);
            foreach (var key in page.Items) keys.Add((string)key!);
            cursor = page.Cursor;
        } while (cursor != 0);
        Assert.That(keys, Has.Count.EqualTo(2151));
    }
}
