using System.Text;
using NUnit.Framework;
using Reborn.Storage.Engines;

namespace Reborn.Storage.Tests;

/// <summary>
/// The RocksDB engine's hot records keep what is read often when the budget overflows, and stay exact
/// while RocksDB writes without their gate held (a direct write or an apply of dirty records in flight).
/// </summary>
public sealed class RocksDbHotRecordsTests
{
    private static byte[] Key(string name) => Encoding.ASCII.GetBytes(name);

    private string _root = "";
    private RocksDbEngine? _engine;

    [SetUp]
    public void OpenEngine()
    {
        _root = Path.Combine(Path.GetTempPath(), "reborn-hot-records-tests", Guid.NewGuid().ToString("N"));
        _engine = RocksDbEngine.Open(new EngineOptions { Kind = EngineKind.RocksDb, Path = _root, CreateIfMissing = true, MemoryBudgetBytes = 64L << 20 });
    }

    [TearDown]
    public void CloseEngine()
    {
        _engine?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>A batch of the engine (the hot records only read its operations) putting each key to its value.</summary>
    private RocksDbWriteBatch Batch(params (string Key, int Value)[] puts)
    {
        var batch = (RocksDbWriteBatch)_engine!.CreateBatch();
        foreach (var (key, value) in puts)
            batch.Put(Key(key), BitConverter.GetBytes(value));
        return batch;
    }

    /// <summary>Remembers 2,000 cold keys of 100 bytes: far past a 16 KB budget, so every clean record that may go goes.</summary>
    private static void OverflowWithColdKeys(RocksDbHotRecords records)
    {
        for (int i = 0; i < 2_000; i++)
            records.Remember(Key($"cold:{i:D6}"), new byte[100], records.Generation);
    }

    private static int? Read(RocksDbHotRecords records, string key)
        => records.TryGet(Key(key), out var value, out bool exists) ? (exists ? BitConverter.ToInt32(value) : null) : throw new AssertionException($"{key} is not among the hot records");

    [Test]
    public void AWriteMadeWhileADirectWriteIsInFlightIsNewerAndStays()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 64 * 1024);
        using var direct = Batch(("k", 1));
        using var later = Batch(("k", 2));
        lock (records.Gate)
        {
            records.Remember(Key("k"), BitConverter.GetBytes(0), records.Generation);
            records.BeginDirect(direct);
            records.AddDirty(later); // another thread's scoped write, while RocksDB writes the direct one
            records.EndDirect(direct, written: true);
            Assert.That(Read(records, "k"), Is.EqualTo(2), "the direct write does not overwrite the newer dirty record");
            Assert.That(records.AnyUnwritten, Is.True, "the newer record still waits for RocksDB");
        }
    }

    [Test]
    public void ADirectWriteInFlightIsReadAsItsNewValue()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 64 * 1024);
        using var direct = Batch(("k", 1), ("new", 7));
        lock (records.Gate)
        {
            records.Remember(Key("k"), BitConverter.GetBytes(0), records.Generation);
            records.BeginDirect(direct);
            // A reader of RocksDB may already see the write: every later reader must see it too.
            Assert.That(Read(records, "k"), Is.EqualTo(1));
            Assert.That(records.AnyUnwritten, Is.True, "iterators and snapshots wait for it");
            records.Remember(Key("k"), BitConverter.GetBytes(0), records.Generation);
            Assert.That(Read(records, "k"), Is.EqualTo(1), "a value read from RocksDB before it landed does not replace it");
            // A key that was not here is too: a reader that found k's new value must find new's.
            records.Remember(Key("new"), null, records.Generation);
            Assert.That(Read(records, "new"), Is.EqualTo(7), "half a batch is never seen");
            records.EndDirect(direct, written: true);
            Assert.That(Read(records, "k"), Is.EqualTo(1));
            Assert.That(Read(records, "new"), Is.EqualTo(7), "a record read in flight stays, as a read one does");
            Assert.That(records.AnyUnwritten, Is.False);
        }
    }

    [Test]
    public void ARecordMadeForADirectWriteLeavesUnlessRead()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 64 * 1024);
        using var direct = Batch(("new", 7));
        lock (records.Gate)
        {
            long before = records.Generation;
            records.BeginDirect(direct);
            records.EndDirect(direct, written: true);
            Assert.That(records.TryGet(Key("new"), out _, out _), Is.False, "a key only written is not kept");
            records.Remember(Key("new"), null, before);
            Assert.That(records.TryGet(Key("new"), out _, out _), Is.False, "nor what was read before it landed");
            records.Remember(Key("new"), BitConverter.GetBytes(7), records.Generation);
            Assert.That(Read(records, "new"), Is.EqualTo(7));
        }
    }

    [Test]
    public void AFailedDirectWriteLeavesNothingOfItsValues()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 64 * 1024);
        using var direct = Batch(("k", 1), ("new", 7));
        lock (records.Gate)
        {
            records.Remember(Key("k"), BitConverter.GetBytes(0), records.Generation);
            records.BeginDirect(direct);
            Assert.That(Read(records, "new"), Is.EqualTo(7));
            records.EndDirect(direct, written: false);
            Assert.That(records.TryGet(Key("k"), out _, out _), Is.False, "RocksDB keeps the old value; the next read goes there");
            Assert.That(records.TryGet(Key("new"), out _, out _), Is.False, "even when read in flight");
            Assert.That(records.AnyUnwritten, Is.False);
        }
    }

    [Test]
    public void NothingReadFromRocksDbIsRememberedWhileAWideWriteIsInFlight()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 64 * 1024);
        using var wide = Batch([.. Enumerable.Range(0, 100).Select(i => ($"w:{i:D3}", i))]);
        lock (records.Gate)
        {
            records.Remember(Key("w:001"), BitConverter.GetBytes(-1), records.Generation);
            records.BeginDirect(wide);
            Assert.That(records.TryGet(Key("w:001"), out _, out _), Is.False, "a wide write drops the clean records: readers read RocksDB");
            // A reader that read RocksDB before the write landed: its value may be older than what
            // another reader already got from RocksDB after it landed.
            records.Remember(Key("w:001"), BitConverter.GetBytes(-1), records.Generation);
            Assert.That(records.TryGet(Key("w:001"), out _, out _), Is.False);
            records.EndDirect(wide, written: true);
            records.Remember(Key("w:001"), BitConverter.GetBytes(1), records.Generation);
            Assert.That(Read(records, "w:001"), Is.EqualTo(1), "remembering resumes once it returned");
        }
    }

    [Test]
    public void RecordsInFlightStayReadableAndAreNeverEvicted()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 16 * 1024);
        using var scoped = Batch(("a", 1), ("b", 2));
        lock (records.Gate)
        {
            records.AddDirty(scoped);
            Assert.That(records.BeginApply(), Is.True);
            Assert.That(records.AnyUnwritten, Is.True, "RocksDB may not have them yet: iterators and snapshots must wait");
            OverflowWithColdKeys(records);
            Assert.That(Read(records, "a"), Is.EqualTo(1), "a record in flight outlives any eviction");
            Assert.That(Read(records, "b"), Is.EqualTo(2));
            records.EndApply(written: true);
            Assert.That(records.AnyUnwritten, Is.False);
        }
    }

    [Test]
    public void ARecordWrittenAgainDuringItsApplyWaitsForTheNextOne()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 64 * 1024);
        using var first = Batch(("k", 1));
        using var second = Batch(("k", 2));
        lock (records.Gate)
        {
            records.AddDirty(first);
            records.BeginApply();
            records.AddDirty(second);
            records.EndApply(written: true);
            Assert.That(Read(records, "k"), Is.EqualTo(2));
            Assert.That(records.AnyUnwritten, Is.True, "the second value is not in RocksDB");
            Assert.That(records.BeginApply(), Is.True, "the next apply writes it");
            records.EndApply(written: true);
            Assert.That(records.AnyUnwritten, Is.False);
        }
    }

    [Test]
    public void AFailedApplyLeavesItsRecordsDirty()
    {
        using var records = new RocksDbHotRecords(budgetBytes: 16 * 1024);
        using var scoped = Batch(("k", 1));
        lock (records.Gate)
        {
            records.AddDirty(scoped);
            records.BeginApply();
            records.EndApply(written: false);
            OverflowWithColdKeys(records);
            Assert.That(Read(records, "k"), Is.EqualTo(1), "a dirty record outlives any eviction");
            Assert.That(records.AnyUnwritten, Is.True);
            Assert.That(records.BeginApply(), Is.True, "the next apply tries again");
            records.EndApply(written: true);
        }
    }

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
                    Assert.That(records.TryGet(Key("hot"), out var held, out _) && held.Length == 100, Is.True, $"the hot key is still held after {i} cold keys");
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
