using System.Text;
using NUnit.Framework;
using Reborn.Storage.Engines;

namespace Reborn.Storage.Tests;

/// <summary>
/// RocksDB's bulk load (SST files built in process and ingested): what the conformance suite cannot
/// ask of every engine.
/// </summary>
public sealed class RocksDbBulkLoadTests
{
    private static byte[] Key(int i) => Encoding.ASCII.GetBytes($"key:{i:D6}");

    private string _root = "";

    [SetUp]
    public void CreateRoot() => _root = Path.Combine(Path.GetTempPath(), "reborn-bulk-load-tests", Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteRoot() => Directory.Delete(_root, recursive: true);

    private RocksDbEngine Open() => RocksDbEngine.Open(new EngineOptions { Kind = EngineKind.RocksDb, Path = _root, MemoryBudgetBytes = 64L << 20 });

    private string LoadFolder => Path.Combine(_root, "bulk-load");

    [Test]
    public void A_big_load_is_ingested_in_several_files_and_leaves_none_behind()
    {
        using var engine = Open();
        using var load = engine.CreateBulkLoad(fileBytes: 10_000);
        for (int i = 0; i < 2_000; i++)
            load.Put(Key(i), BitConverter.GetBytes(i));
        Assert.That(load.Commits, Is.GreaterThan(1), "files are committed as they fill");
        load.Commit();

        for (int i = 0; i < 2_000; i += 97)
            Assert.That(BitConverter.ToInt32(engine.Get(Key(i))!), Is.EqualTo(i));
        Assert.That(Directory.EnumerateFiles(LoadFolder), Is.Empty);
    }

    [Test]
    public void Keys_out_of_order_are_refused_and_the_engine_keeps_working()
    {
        using var engine = Open();
        var load = engine.CreateBulkLoad();
        load.Put(Key(2), [1]);
        var error = Assert.Throws<StorageException>(() => load.Put(Key(1), [1]))!;
        Assert.That(error.Message, Does.Contain("Bulk load put failed"));
        load.Dispose();

        Assert.That(engine.Get(Key(2)), Is.Null);
        Assert.That(Directory.EnumerateFiles(LoadFolder), Is.Empty);
        using var batch = engine.CreateBatch();
        batch.Put(Key(1), [7]);
        engine.Write(batch);
        Assert.That(engine.Get(Key(1)), Is.EqualTo(new byte[] { 7 }));
    }

    [Test]
    public void Files_of_a_load_a_crash_interrupted_are_removed_when_the_engine_opens()
    {
        Open().Dispose();
        Directory.CreateDirectory(LoadFolder);
        File.WriteAllText(Path.Combine(LoadFolder, "load-1.sst"), "half a file");

        using var engine = Open();
        Assert.That(Directory.Exists(LoadFolder), Is.False);
        using var load = engine.CreateBulkLoad();
        load.Put(Key(1), [1]);
        load.Commit();
        Assert.That(engine.Get(Key(1)), Is.EqualTo(new byte[] { 1 }));
    }
}
