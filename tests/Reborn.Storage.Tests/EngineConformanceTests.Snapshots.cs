using NUnit.Framework;

namespace Reborn.Storage.Tests;

public sealed partial class EngineConformanceTests
{
    [Test]
    public void Snapshot_is_unaffected_by_later_puts_deletes_and_delete_ranges()
    {
        var engine = Open();
        WriteKeys(engine, 10);
        var before = Scan(engine);
        using var snapshot = Track(engine.CreateSnapshot());

        using (var batch = engine.CreateBatch())
        {
            batch.Put(B(K(1)), B("changed"));
            batch.Delete(B(K(2)));
            batch.DeleteRange(B(K(5)), B(K(8)));
            batch.Put(B(K(20)), B("new"));
            batch.Put(B("aaa"), B("new"));
            engine.Write(batch);
        }

        Put(engine, K(1), "changed twice");
        Put(engine, K(2), "back again");

        Assert.That(S(snapshot.Get(B(K(1)))), Is.EqualTo("v1"));
        Assert.That(S(snapshot.Get(B(K(2)))), Is.EqualTo("v2"));
        Assert.That(S(snapshot.Get(B(K(6)))), Is.EqualTo("v6"));
        Assert.That(snapshot.Get(B(K(20))), Is.Null);
        Assert.That(snapshot.TryRead(B(K(5)), 0, static (value, _) => S(value), out var five), Is.True);
        Assert.That(five, Is.EqualTo("v5"));
        Assert.That(snapshot.TryRead(B("aaa"), 0, static (value, _) => value.Length, out _), Is.False);
        Assert.That(Scan(snapshot), Is.EqualTo(before));
        Assert.That(ScanBackward(snapshot, K(3), K(7)), Is.EqualTo(new[] { K(6), K(5), K(4), K(3) }));

        Assert.That(S(engine.Get(B(K(1)))), Is.EqualTo("changed twice"));
        Assert.That(engine.Get(B(K(6))), Is.Null);
        Assert.That(Scan(engine).Select(p => p.Key), Is.EqualTo(new[] { "aaa", K(0), K(1), K(2), K(3), K(4), K(8), K(9), K(20) }));
    }

    [Test]
    public void Snapshots_taken_at_different_times_each_keep_their_view()
    {
        var engine = Open();
        Put(engine, "k", "1");
        using var first = Track(engine.CreateSnapshot());
        Put(engine, "k", "2");
        Put(engine, "j", "2");
        using var second = Track(engine.CreateSnapshot());
        Delete(engine, "k");
        using var third = Track(engine.CreateSnapshot());
        Put(engine, "k", "4");

        Assert.That(Scan(first), Is.EqualTo(new[] { ("k", "1") }));
        Assert.That(Scan(second), Is.EqualTo(new[] { ("j", "2"), ("k", "2") }));
        Assert.That(Scan(third), Is.EqualTo(new[] { ("j", "2") }));
        Assert.That(Scan(engine), Is.EqualTo(new[] { ("j", "2"), ("k", "4") }));

        second.Dispose();
        Put(engine, "k", "5");
        Assert.That(S(first.Get(B("k"))), Is.EqualTo("1"));
        Assert.That(third.Get(B("k")), Is.Null);
    }

    [Test]
    public void Snapshot_iterator_seeks_within_bounds_while_the_engine_changes()
    {
        var engine = Open();
        WriteKeys(engine, 50);
        using var snapshot = Track(engine.CreateSnapshot());
        using var iterator = snapshot.CreateIterator(B(K(10)), B(K(20)));

        iterator.Seek(B(K(15)));
        DeleteRange(engine, K(0), K(50));
        Put(engine, K(16), "new");

        Assert.That(S(iterator.Key), Is.EqualTo(K(15)));
        iterator.Next();
        Assert.That(S(iterator.Value), Is.EqualTo("v16"));
        iterator.SeekForPrev(B(K(99)));
        Assert.That(S(iterator.Key), Is.EqualTo(K(19)));
        iterator.SeekToFirst();
        Assert.That(S(iterator.Key), Is.EqualTo(K(10)));
        Assert.That(Scan(engine), Is.EqualTo(new[] { (K(16), "new") }));
    }
}
