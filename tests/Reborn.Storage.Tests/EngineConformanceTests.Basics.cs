using NUnit.Framework;

namespace Reborn.Storage.Tests;

public sealed partial class EngineConformanceTests
{
    [Test]
    public void Put_get_overwrite_delete()
    {
        var engine = Open();
        Assert.That(engine.Kind, Is.EqualTo(kind));
        Assert.That(engine.Get(B("a")), Is.Null);

        Put(engine, "a", "1");
        Put(engine, "b", "2");
        Assert.That(S(engine.Get(B("a"))), Is.EqualTo("1"));

        Put(engine, "a", "one, longer than before");
        Assert.That(S(engine.Get(B("a"))), Is.EqualTo("one, longer than before"));
        Put(engine, "a", "x");
        Assert.That(S(engine.Get(B("a"))), Is.EqualTo("x"));

        Delete(engine, "a");
        Assert.That(engine.Get(B("a")), Is.Null);
        Assert.That(S(engine.Get(B("b"))), Is.EqualTo("2"));
        Delete(engine, "never-there");
        Assert.That(Scan(engine), Is.EqualTo(new[] { ("b", "2") }));
    }

    [Test]
    public void Empty_values_are_present_not_absent()
    {
        var engine = Open();
        Put(engine, B("empty"), []);

        Assert.That(engine.Get(B("empty")), Is.Not.Null.And.Empty);
        var found = engine.TryRead(B("empty"), 0, static (value, _) => value.Length, out var length);
        Assert.That(found, Is.True);
        Assert.That(length, Is.Zero);
        Assert.That(Scan(engine), Is.EqualTo(new[] { ("empty", "") }));
    }

    [Test]
    public void TryRead_sees_the_stored_bytes_and_reports_absence()
    {
        var engine = Open();
        Put(engine, "k", "hello");

        Assert.That(engine.TryRead(B("k"), (byte)'l', static (value, c) => value.Count(c), out var count), Is.True);
        Assert.That(count, Is.EqualTo(2));
        Assert.That(engine.TryRead(B("missing"), 0, static (value, _) => value.Length, out var none), Is.False);
        Assert.That(none, Is.Zero);
    }

    [Test]
    public void Binary_keys_with_zero_and_ff_bytes_round_trip_in_memcmp_order()
    {
        var engine = Open();
        byte[][] keys =
        [
            [0x00], [0x00, 0x00], [0x00, 0x01], [0x01], [0x7F], [0x80], [0xFE, 0xFF], [0xFF], [0xFF, 0x00], [0xFF, 0xFF], [0xFF, 0xFF, 0xFF],
        ];
        foreach (var key in keys.Reverse())
            Put(engine, key, [.. key, 0x00, 0xFF]);

        foreach (var key in keys)
            Assert.That(engine.Get(key), Is.EqualTo(key.Concat(new byte[] { 0x00, 0xFF }).ToArray()));

        var seen = new List<byte[]>();
        using (var iterator = engine.CreateIterator([], []))
        {
            for (iterator.SeekToFirst(); iterator.Valid; iterator.Next())
                seen.Add(iterator.Key.ToArray());
        }

        Assert.That(seen, Is.EqualTo(keys));

        using var bounded = engine.CreateIterator([0x00, 0x00], [0xFF, 0x00]);
        bounded.SeekToFirst();
        Assert.That(bounded.Key.ToArray(), Is.EqualTo(new byte[] { 0x00, 0x00 }));
        bounded.SeekToLast();
        Assert.That(bounded.Key.ToArray(), Is.EqualTo(new byte[] { 0xFF }));
    }

    [Test]
    public void Batch_counts_clears_and_can_be_reused()
    {
        var engine = Open();
        using var batch = engine.CreateBatch();
        batch.Put(B("a"), B("1"));
        batch.Delete(B("b"));
        batch.DeleteRange(B("c"), B("d"));
        Assert.That(batch.Count, Is.EqualTo(3));

        batch.Clear();
        Assert.That(batch.Count, Is.Zero);
        batch.Put(B("x"), B("1"));
        engine.Write(batch);
        batch.Clear();
        batch.Put(B("y"), B("2"));
        engine.Write(batch);

        Assert.That(Scan(engine), Is.EqualTo(new[] { ("x", "1"), ("y", "2") }));
    }

    [Test]
    public void Batch_operations_apply_in_order()
    {
        var engine = Open();
        WriteKeys(engine, 10);
        using var batch = engine.CreateBatch();
        batch.Put(B(K(3)), B("new"));
        batch.DeleteRange(B(K(2)), B(K(5)));
        batch.Put(B(K(4)), B("after range"));
        batch.Delete(B(K(7)));
        batch.Put(B(K(7)), B("again"));
        batch.Put(B(K(8)), B("first"));
        batch.Delete(B(K(8)));
        engine.Write(batch);

        Assert.That(engine.Get(B(K(3))), Is.Null);
        Assert.That(S(engine.Get(B(K(4)))), Is.EqualTo("after range"));
        Assert.That(S(engine.Get(B(K(7)))), Is.EqualTo("again"));
        Assert.That(engine.Get(B(K(8))), Is.Null);
        Assert.That(Scan(engine).Select(p => p.Key), Is.EqualTo(new[] { K(0), K(1), K(4), K(5), K(6), K(7), K(9) }));
    }

    [Test]
    public void Delete_range_removes_start_inclusive_end_exclusive()
    {
        var engine = Open();
        WriteKeys(engine, 20);

        DeleteRange(engine, K(5), K(10));
        DeleteRange(engine, K(15), K(12)); // inverted: nothing
        DeleteRange(engine, K(13), K(13)); // empty: nothing
        DeleteRange(engine, "key:000016x", "key:000018"); // starts between keys

        var expected = Enumerable.Range(0, 20).Where(i => i is < 5 or >= 10 and not 17).Select(K);
        Assert.That(Scan(engine).Select(p => p.Key), Is.EqualTo(expected));
        Assert.That(engine.Get(B(K(5))), Is.Null);
        Assert.That(S(engine.Get(B(K(10)))), Is.EqualTo("v10"));
    }

    [Test]
    public void Write_rejects_a_batch_of_another_engine()
    {
        var engine = Open();
        var other = Open(path: Path.Combine(_root, "other"));
        using var batch = other.CreateBatch();
        batch.Put(B("a"), B("1"));

        Assert.Throws<ArgumentException>(() => engine.Write(batch));
    }

    [Test]
    public void Approximate_size_grows_with_data()
    {
        var engine = Open();
        Assert.That(engine.ApproximateSize(B("key:"), B("key;")), Is.LessThan(1024));

        var value = new string('v', 200);
        using (var batch = engine.CreateBatch())
        {
            for (var i = 0; i < 20_000; i++)
                batch.Put(B(K(i)), B(value));
            engine.Write(batch);
        }

        engine.Flush();
        var some = engine.ApproximateSize(B("key:"), B("key;"));
        Assert.That(some, Is.GreaterThan(0));

        using (var batch = engine.CreateBatch())
        {
            for (var i = 20_000; i < 100_000; i++)
                batch.Put(B(K(i)), B(value));
            engine.Write(batch);
        }

        engine.Flush();
        var more = engine.ApproximateSize(B("key:"), B("key;"));
        Assert.That(more, Is.GreaterThan(some));
        Assert.That(more, Is.LessThan(100_000L * 211 * 4), "no wild overestimate");
        Assert.That(engine.ApproximateSize(B("zzz"), B("zzzz")), Is.LessThan(more / 10));
        Assert.That(engine.ApproximateSize(B("key;"), B("key:")), Is.Zero, "inverted range");
    }
}
