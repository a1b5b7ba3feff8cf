using NUnit.Framework;

namespace Reborn.Storage.Tests;

public sealed partial class EngineConformanceTests
{
    /// <summary>Keys k10, k12, ..., k38 (even numbers only), values v10...</summary>
    private IStorageEngine OpenWithEvenKeys()
    {
        var engine = Open();
        using var batch = engine.CreateBatch();
        for (var i = 10; i < 40; i += 2)
            batch.Put(B($"k{i}"), B($"v{i}"));
        engine.Write(batch);
        return engine;
    }

    [Test]
    public void Iterates_forward_and_backward_within_bounds()
    {
        var engine = OpenWithEvenKeys();
        var expected = Enumerable.Range(15, 15).Where(i => i % 2 == 0).Select(i => $"k{i}").ToList(); // k16..k28

        Assert.That(Scan(engine, "k15", "k30").Select(p => p.Key), Is.EqualTo(expected));
        Assert.That(Scan(engine, "k15", "k30").Select(p => p.Value), Is.EqualTo(expected.Select(k => "v" + k[1..])));
        Assert.That(ScanBackward(engine, "k15", "k30"), Is.EqualTo(Enumerable.Reverse(expected)));
        Assert.That(Scan(engine, "k16", "k28").Select(p => p.Key), Is.EqualTo(expected.Take(6)), "lower inclusive, upper exclusive");
        Assert.That(Scan(engine).Count, Is.EqualTo(15), "empty bounds: everything");
        Assert.That(Scan(engine, "k30").Select(p => p.Key).First(), Is.EqualTo("k30"), "empty upper bound: no upper bound");
        Assert.That(ScanBackward(engine, "k30").First(), Is.EqualTo("k38"));
        Assert.That(Scan(engine, "k50", "k60"), Is.Empty);
        Assert.That(Scan(engine, "k20", "k20"), Is.Empty);
    }

    [Test]
    public void Seek_clamps_to_the_bounds()
    {
        var engine = OpenWithEvenKeys();
        using var iterator = engine.CreateIterator(B("k15"), B("k30"));
        Assert.That(iterator.Valid, Is.False, "starts unpositioned");

        iterator.Seek(B("k20"));
        Assert.That(S(iterator.Key), Is.EqualTo("k20"));
        Assert.That(S(iterator.Value), Is.EqualTo("v20"));
        iterator.Seek(B("k21"));
        Assert.That(S(iterator.Key), Is.EqualTo("k22"));
        iterator.Seek(B("a"));
        Assert.That(S(iterator.Key), Is.EqualTo("k16"), "below the lower bound: first key in bounds");
        iterator.Seek(B("k29"));
        Assert.That(iterator.Valid, Is.False, "next key k30 is at the upper bound");
        iterator.Seek(B("k30"));
        Assert.That(iterator.Valid, Is.False);
        iterator.Seek(B("z"));
        Assert.That(iterator.Valid, Is.False);
    }

    [Test]
    public void SeekForPrev_clamps_to_the_bounds()
    {
        var engine = OpenWithEvenKeys();
        using var iterator = engine.CreateIterator(B("k15"), B("k30"));

        iterator.SeekForPrev(B("k20"));
        Assert.That(S(iterator.Key), Is.EqualTo("k20"), "exact match");
        iterator.SeekForPrev(B("k21"));
        Assert.That(S(iterator.Key), Is.EqualTo("k20"));
        iterator.SeekForPrev(B("k30"));
        Assert.That(S(iterator.Key), Is.EqualTo("k28"), "at the upper bound: last key in bounds");
        iterator.SeekForPrev(B("z"));
        Assert.That(S(iterator.Key), Is.EqualTo("k28"));
        iterator.SeekForPrev(B("k16"));
        Assert.That(S(iterator.Key), Is.EqualTo("k16"));
        iterator.SeekForPrev(B("k15"));
        Assert.That(iterator.Valid, Is.False, "k14 is below the lower bound");
        iterator.SeekForPrev(B("a"));
        Assert.That(iterator.Valid, Is.False);
    }

    [Test]
    public void SeekToFirst_and_SeekToLast_respect_bounds_and_emptiness()
    {
        var engine = OpenWithEvenKeys();
        using (var iterator = engine.CreateIterator(B("k15"), B("k30")))
        {
            iterator.SeekToLast();
            Assert.That(S(iterator.Key), Is.EqualTo("k28"));
            iterator.Next();
            Assert.That(iterator.Valid, Is.False);
            iterator.SeekToFirst();
            Assert.That(S(iterator.Key), Is.EqualTo("k16"));
            iterator.Prev();
            Assert.That(iterator.Valid, Is.False);
        }

        using (var empty = engine.CreateIterator(B("k40"), B("k50")))
        {
            empty.SeekToFirst();
            Assert.That(empty.Valid, Is.False);
            empty.SeekToLast();
            Assert.That(empty.Valid, Is.False);
        }

        using var all = engine.CreateIterator([], []);
        all.SeekToFirst();
        Assert.That(S(all.Key), Is.EqualTo("k10"));
        all.SeekToLast();
        Assert.That(S(all.Key), Is.EqualTo("k38"));
    }

    [Test]
    public void Moving_or_reading_an_invalid_iterator_is_an_error()
    {
        var engine = OpenWithEvenKeys();
        using var iterator = engine.CreateIterator(B("k50"), []);
        Assert.Throws<InvalidOperationException>(() => iterator.Next());
        iterator.SeekToFirst();
        Assert.That(iterator.Valid, Is.False);
        Assert.Throws<InvalidOperationException>(() => iterator.Prev());
        Assert.Throws<InvalidOperationException>(() => _ = iterator.Key.Length);
    }

    [Test]
    public void Iterates_a_hundred_thousand_keys_in_order()
    {
        var engine = Open();
        const int count = 100_000;
        var order = Enumerable.Range(0, count).ToArray();
        new Random(42).Shuffle(order);
        using (var batch = engine.CreateBatch())
        {
            foreach (var i in order)
            {
                batch.Put(B(K(i)), BitConverter.GetBytes(i));
                if (batch.Count == 1000)
                {
                    engine.Write(batch);
                    batch.Clear();
                }
            }
        }

        var seen = 0;
        using (var iterator = engine.CreateIterator(B("key:"), B("key;")))
        {
            for (iterator.SeekToFirst(); iterator.Valid; iterator.Next())
            {
                Assert.That(BitConverter.ToInt32(iterator.Value), Is.EqualTo(seen));
                if (!iterator.Key.SequenceEqual(B(K(seen))))
                    Assert.Fail($"key {seen} out of order: {S(iterator.Key)}");
                seen++;
            }
        }

        Assert.That(seen, Is.EqualTo(count));

        using var backward = engine.CreateIterator(B(K(90_000)), []);
        var last = count;
        for (backward.SeekToLast(); backward.Valid; backward.Prev())
            Assert.That(BitConverter.ToInt32(backward.Value), Is.EqualTo(--last));
        Assert.That(last, Is.EqualTo(90_000));
    }
}
