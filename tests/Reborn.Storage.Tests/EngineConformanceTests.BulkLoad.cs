using NUnit.Framework;

namespace Reborn.Storage.Tests;

public sealed partial class EngineConformanceTests
{
    /// <summary>Bulk-loads K(first)..K(last - 1) with values "loaded i", ascending, and returns the load uncommitted.</summary>
    private IBulkLoad Load(IStorageEngine engine, int first, int last)
    {
        var load = Track(engine.CreateBulkLoad());
        for (int i = first; i < last; i++)
            load.Put(B(K(i)), B("loaded " + i));
        return load;
    }

    [Test]
    public void A_bulk_load_is_readable_once_committed_and_replaces_older_values()
    {
        var engine = Open();
        Put(engine, K(5), "old");
        Put(engine, "outside", "kept");
        Assert.That(S(engine.Get(B(K(5)))), Is.EqualTo("old")); // read, so a cache may hold it
        long writes = engine.WriteCount;

        var load = Load(engine, 0, 1_000);
        Assert.That(S(engine.Get(B(K(5)))), Is.EqualTo("old"), "a small load is not readable before its commit");
        Assert.That(engine.Get(B(K(6))), Is.Null);
        load.Commit();

        Assert.That(load.Commits, Is.EqualTo(1));
        Assert.That(engine.WriteCount, Is.EqualTo(writes + 1), "a commit is one write");
        Assert.That(S(engine.Get(B(K(5)))), Is.EqualTo("loaded 5"));
        Assert.That(S(engine.Get(B(K(999)))), Is.EqualTo("loaded 999"));
        var all = Scan(engine);
        Assert.That(all, Has.Count.EqualTo(1_001));
        Assert.That(all[^1], Is.EqualTo(("outside", "kept")));
        Assert.That(Scan(engine, K(10), K(13)), Is.EqualTo(new[] { (K(10), "loaded 10"), (K(11), "loaded 11"), (K(12), "loaded 12") }));

        load.Commit(); // nothing put since: nothing happens
        Assert.That(load.Commits, Is.EqualTo(1));
        Assert.That(engine.WriteCount, Is.EqualTo(writes + 1));
    }

    [Test]
    public void A_bulk_load_disposed_before_its_commit_leaves_nothing()
    {
        var engine = Open();
        var load = Load(engine, 0, 100);
        load.Dispose();
        Assert.That(Scan(engine), Is.Empty);
        Put(engine, K(1), "written");
        Assert.That(Scan(engine), Is.EqualTo(new[] { (K(1), "written") }));
    }

    [Test]
    public void A_bulk_load_into_a_range_just_deleted_is_readable_and_other_writes_go_on()
    {
        var engine = Open();
        for (int i = 0; i < 200; i++)
            Put(engine, K(i), "before " + i);
        DeleteRange(engine, K(0), K(100)); // the range delete is still in memory, unflushed
        Put(engine, K(150), "after the delete");

        using (var load = Load(engine, 0, 100))
            load.Commit();
        Put(engine, K(160), "after the load");

        Assert.That(S(engine.Get(B(K(0)))), Is.EqualTo("loaded 0"));
        Assert.That(S(engine.Get(B(K(99)))), Is.EqualTo("loaded 99"));
        Assert.That(S(engine.Get(B(K(100)))), Is.EqualTo("before 100"));
        Assert.That(S(engine.Get(B(K(150)))), Is.EqualTo("after the delete"));
        Assert.That(S(engine.Get(B(K(160)))), Is.EqualTo("after the load"));
        Assert.That(Scan(engine), Has.Count.EqualTo(200));
    }

    [Test]
    public void A_committed_bulk_load_survives_a_reopen()
    {
        RequireDurable();
        var engine = Open(Durability.EverySecond);
        using (var load = Load(engine, 0, 500))
            load.Commit();
        Put(engine, "written", "after");
        engine.Flush();
        var expected = Scan(engine);
        engine.Dispose();

        var reopened = Open(Durability.EverySecond);
        Assert.That(Scan(reopened), Is.EqualTo(expected));
        Assert.That(expected, Has.Count.EqualTo(501));
    }

    [Test]
    public void A_bulk_load_lands_after_writes_made_before_it_in_a_scope()
    {
        var engine = Open(Durability.EverySecond);
        GroupCommit.Begin();
        Put(engine, K(5), "written in the scope, before the load");
        using (var load = Load(engine, 0, 10))
            load.Commit();
        GroupCommit.Complete();

        Assert.That(S(engine.Get(B(K(5)))), Is.EqualTo("loaded 5"));
        Assert.That(Scan(engine, K(5), K(6)), Is.EqualTo(new[] { (K(5), "loaded 5") }));
    }
}
