using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.Slots;

namespace Reborn.Core.Tests.Migration;

/// <summary>
/// What must hold after any migration, checked from outside (SCAN, DBSIZE) and inside (each group's
/// engine): no key lives in two groups, and every key is met exactly once.
/// </summary>
internal static class MigrationInvariants
{
    /// <summary>
    /// Every group's engine holds metadata records only for the slots the table gives it. Read from
    /// the engines directly, below routing, so a stale copy that no command would ever reach still shows.
    /// </summary>
    public static void AssertEachKeyInOneGroup(IKeyValueCluster cluster)
    {
        var rc = (RebornCluster)cluster;
        var table = rc.Table;
        var strays = new List<string>();
        foreach (var group in rc.Groups)
        {
            for (int slot = 0; slot < SlotHash.SlotCount; slot++)
            {
                var a = table[slot];
                if (a.Group == group.Id || (a.IsMigrating && a.Target == group.Id)) continue;
                foreach (var (pdb, key, _) in group.Keyspace.ListSlotRecords(slot, 3))
                    strays.Add($"group {group.Id} holds '{System.Text.Encoding.UTF8.GetString(key)}' (db {pdb}) of slot {slot}, owned by {a}");
            }
        }
        Assert.That(strays, Is.Empty, "a key stored in a group that does not own its slot");
    }

    /// <summary>No slot is left migrating.</summary>
    public static void AssertAllStable(IKeyValueCluster cluster)
    {
        var moving = Enumerable.Range(0, SlotHash.SlotCount).Where(s => cluster.Topology[s].IsMigrating).ToList();
        Assert.That(moving, Is.Empty, "slots left migrating");
    }

    /// <summary>A full SCAN; every key it returns, in order, duplicates kept.</summary>
    public static async Task<List<string>> ScanAllAsync(KeyValueDatabase db, long count = 50)
    {
        var keys = new List<string>();
        long cursor = 0;
        int steps = 0;
        do
        {
            var page = await db.ScanAsync(cursor, count: count);
            foreach (var key in page.Items) keys.Add((string)key!);
            cursor = page.Cursor;
            Assert.That(++steps, Is.LessThan(1_000_000), "SCAN never ended");
        } while (cursor != 0);
        return keys;
    }

    /// <summary>SCAN returns exactly <paramref name="expected"/>, each key once; DBSIZE agrees.</summary>
    public static async Task AssertKeySetAsync(KeyValueDatabase db, IReadOnlyCollection<string> expected)
    {
        var scanned = await ScanAllAsync(db);
        var duplicates = scanned.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).Take(10).ToList();
        Assert.That(duplicates, Is.Empty, "SCAN returned a key twice");
        Assert.That(scanned.Except(expected).Take(10), Is.Empty, "SCAN returned keys the model does not have");
        Assert.That(expected.Except(scanned).Take(10), Is.Empty, "SCAN missed keys the model has");
        Assert.That(await db.DatabaseSizeAsync(), Is.EqualTo(expected.Count), "DBSIZE");
    }
}

/// <summary>An ILogger that keeps every formatted message, for asserting what recovery said.</summary>
internal sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Messages.Enqueue($"{logLevel}: {formatter(state, exception)}");

    public bool Said(string fragment) => Messages.Any(m => m.Contains(fragment, StringComparison.Ordinal));
}
