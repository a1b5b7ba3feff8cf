using System.Text;
using NUnit.Framework;
using Reborn.Storage.Engines;

namespace Reborn.Storage.Tests;

/// <summary>The RocksDB engine's hot records keep what is read often when the budget overflows.</summary>
public sealed class RocksDbHotRecordsTests
{
    private static byte[] Key(string name) => Encoding.ASCII.GetBytes(name);

    [Test]
    public void AKeyReadBetweenEvictionsSurvivesAStreamOfColdKeys()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 64 * 1024);
        var value = new byte[100];
        lock (records.Gate)
        {
            records.Remember(Key("hot"), value, records.Generation);
            for (int i = 0; i < 20_000; i++)
            {
                records.Remember(Key($"cold:{i:D8}"), value, records.Generation);
                if (i % 50 == 0)
                    Assert.That(records.TryGet(Key("hot"), out _, out int length) && length == 100, Is.True, $"the hot key is still held after {i} cold keys");
            }

            Assert.That(records.TryGet(Key("cold:00000000"), out _, out _), Is.False, "a key read once is evicted");
            Assert.That(records.TryGet(Key("cold:00019999"), out _, out _), Is.True, "the newest key is held");
        }
    }

    [Test]
    public void AnOverflowEvictsTheOldestFewNotEverything()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 64 * 1024);
        var value = new byte[100];
        lock (records.Gate)
        {
            long start = records.Generation;
            int inserted = 0;
            while (records.Generation == start)
                records.Remember(Key($"k:{inserted++:D6}"), value, records.Generation);
            int held = 0;
            for (int i = 0; i < inserted; i++)
                if (records.TryGet(Key($"k:{i:D6}"), out _, out _)) held++;
            Assert.That(records.TryGet(Key("k:000000"), out _, out _), Is.False, "the oldest record went first");
            Assert.That(held, Is.GreaterThan(inserted * 8 / 10), $"one step evicts a few of the {inserted} records, not all");
        }
    }

    [Test]
    public void AnEvictionInvalidatesReadsThatRacedIt()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 16 * 1024);
        lock (records.Gate)
        {
            long before = records.Generation;
            for (int i = 0; i < 1_000; i++)
                records.Remember(Key($"k:{i:D6}"), new byte[100], records.Generation);
            Assert.That(records.Generation, Is.GreaterThan(before), "evictions bump the generation");
            records.Remember(Key("late"), new byte[1], before);
            Assert.That(records.TryGet(Key("late"), out _, out _), Is.False, "a value read before an eviction is not remembered");
        }
    }
}
