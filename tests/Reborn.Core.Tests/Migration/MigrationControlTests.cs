using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.Migration;
using Reborn.Storage;

namespace Reborn.Core.Tests.Migration;

/// <summary>
/// Cancelling a migration mid-flight and throttling one, in both modes, on memory and RocksDB.
/// Rates are asserted through the counters the migration reports, never against the wall clock.
/// </summary>
[TestFixture(EngineKind.Memory)]
[TestFixture(EngineKind.RocksDb)]
public sealed class MigrationControlTests(EngineKind engine) : MigrationTestBase
{
    private const int KeyCount = 3_000;

    private async Task<(IKeyValueCluster Cluster, CapturingLogger Log, MigrationModel Model)> OpenSeededAsync()
    {
        var log = new CapturingLogger();
        var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions
        {
            Engine = engine, DataDirectory = DataDirectory, Durability = Durability.Never, BackgroundSweeps = false, Logger = log,
        });
        var db = cluster.GetDatabase(0);
        var model = new MigrationModel();
        for (int i = 0; i < KeyCount; i += 500)
        {
            await db.StringSetAsync(Enumerable.Range(i, 500).Select(k => new KeyValuePair<RebornKey, RebornValue>("k" + k, "v" + k)).ToArray());
            foreach (int k in Enumerable.Range(i, 500)) model.Strings["k" + k] = "v" + k;
        }
        for (int i = 0; i < 20; i++)
        {
            await db.HashSetAsync("{h" + i + "}", [new("a", "1"), new("b", "2")]);
            model.HashIncr("{h" + i + "}", "a", 1);
            model.HashIncr("{h" + i + "}", "b", 2);
        }
        await cluster.AddGroupAsync(1);
        return (cluster, log, model);
    }

    [Test]
    public async Task CancelMidFlightLeavesEveryKeyOnceAndSaysCancelled([Values] MigrationMode mode)
    {
        var (cluster, log, model) = await OpenSeededAsync();
        await using var _ = cluster;
        var db = cluster.GetDatabase(0);
        cluster.StartMigration(0, 1023, 1, mode, new MigrationOptions { MaxKeysPerSecond = 300, BatchKeys = 4 });
        for (int poll = 0; poll < 20_000 && cluster.MigrationStatus.KeysMoved < 8 && !cluster.MigrationCompletion.IsCompleted; poll++)
            await Task.Delay(1);
        Assert.That(cluster.CancelMigration(), Is.True, "still running: about 10 s of work remained at 300 keys/s");
        await cluster.MigrationCompletion;
        var status = cluster.MigrationStatus;
        Assert.That(status.State, Is.EqualTo(MigrationState.Cancelled), status.Error);
        Assert.That(cluster.CancelMigration(), Is.False, "nothing runs any more");
        Assert.That(log.Said("cancelled"), Is.True);
        MigrationInvariants.AssertAllStable(cluster);
        for (int s = 0; s < 1024; s++)
        {
            // A snapshot copy rolls back whole; key by key, only the slots not finished go back.
            if (mode == MigrationMode.Snapshot) Assert.That(cluster.Topology[s].Group, Is.EqualTo(0), $"slot {s}");
            else Assert.That(cluster.Topology[s].Group, Is.EqualTo(0).Or.EqualTo(1), $"slot {s}");
        }
        MigrationInvariants.AssertEachKeyInOneGroup(cluster);
        await model.AssertMatchesAsync(db);
        await MigrationInvariants.AssertKeySetAsync(db, model.Keys);

        // A cancelled range migrates again to completion.
        Assert.That((await cluster.MigrateAsync(0, 1023, 1, mode)).State, Is.EqualTo(MigrationState.Completed));
        MigrationInvariants.AssertEachKeyInOneGroup(cluster);
        await model.AssertMatchesAsync(db);
        await MigrationInvariants.AssertKeySetAsync(db, model.Keys);
    }

    [Test]
    public async Task MaxKeysPerSecondBoundsTheReportedRate([Values] MigrationMode mode)
    {
        var (cluster, _, model) = await OpenSeededAsync();
        await using var __ = cluster;
        var options = new MigrationOptions { MaxKeysPerSecond = 2_000, BatchKeys = 50 };
        cluster.StartMigration(0, 1023, 1, mode, options);
        int samples = 0;
        for (int poll = 0; poll < 20_000 && !cluster.MigrationCompletion.IsCompleted; poll++)
        {
            var p = cluster.MigrationStatus;
            if (p.State != MigrationState.Running) break;
            // A batch may be moved before the pause that pays for it.
            Assert.That(p.KeysMoved, Is.LessThanOrEqualTo(options.MaxKeysPerSecond * p.Elapsed.TotalSeconds + options.BatchKeys),
                $"{p.KeysMoved} keys after {p.Elapsed.TotalMilliseconds:F0} ms");
            samples++;
            await Task.Delay(5);
        }
        await cluster.MigrationCompletion;
        var done = cluster.MigrationStatus;
        Assert.That(done.State, Is.EqualTo(MigrationState.Completed), done.Error);
        Assert.That(done.KeysMoved, Is.EqualTo(model.Keys.Count), "every key moved once");
        Assert.That(done.KeysPerSecond, Is.LessThanOrEqualTo(options.MaxKeysPerSecond * 1.01), $"{done.KeysMoved} keys in {done.Elapsed}");
        Assert.That(samples, Is.GreaterThan(0), "progress was sampled while running");
        MigrationInvariants.AssertEachKeyInOneGroup(cluster);
        await model.AssertMatchesAsync(cluster.GetDatabase(0));
    }
}
