using NUnit.Framework;

namespace Reborn.Storage.Tests;

/// <summary>
/// Writes inside a <see cref="GroupCommit"/> scope (a server's pipelined batch): every reader sees
/// them at once, whatever path it reads by, and Complete or Dispose makes them durable. RocksDB
/// holds them as pending writes until then; the other engines ignore the scope.
/// </summary>
public sealed partial class EngineConformanceTests
{
    [TearDown]
    public void EndScope() => GroupCommit.Complete();

    [Test]
    public void Writes_in_a_scope_are_read_back_by_every_read_path()
    {
        var engine = Open(Durability.EverySecond);
        Put(engine, "a", "old");
        GroupCommit.Begin();
        Put(engine, "a", "new");
        Put(engine, "b", "1");
        Put(engine, "b", "22"); // rewritten with another length
        Put(engine, "c", "gone");
        Delete(engine, "c");

        Assert.That(S(engine.Get(B("a"))), Is.EqualTo("new"));
        Assert.That(engine.TryRead(B("b"), 0, static (value, _) => S(value), out var b), Is.True);
        Assert.That(b, Is.EqualTo("22"));
        Assert.That(engine.Get(B("c")), Is.Null);
        Assert.That(engine.TryRead(B("c"), 0, static (value, _) => value.Length, out _), Is.False);

        // Another thread (another client, outside any scope) sees the same.
        Assert.That(Task.Run(() => S(engine.Get(B("b")))).Result, Is.EqualTo("22"));

        Put(engine, "d", "4");
        using (var snapshot = engine.CreateSnapshot())
            Assert.That(S(snapshot.Get(B("d"))), Is.EqualTo("4"));
        Put(engine, "e", "5");
        Assert.That(Scan(engine).Select(pair => pair.Key + "=" + pair.Value), Is.EqualTo(new[] { "a=new", "b=22", "d=4", "e=5" }));
        GroupCommit.Complete();
        Assert.That(S(engine.Get(B("e"))), Is.EqualTo("5"));
    }

    [Test]
    public void A_range_delete_in_a_scope_applies_after_the_writes_before_it()
    {
        var engine = Open(Durability.EverySecond);
        GroupCommit.Begin();
        Put(engine, "k1", "x");
        Put(engine, "k2", "y");
        using (var batch = engine.CreateBatch())
        {
            batch.DeleteRange(B("k"), B("l"));
            batch.Put(B("k3"), B("z"));
            engine.Write(batch);
        }
        Put(engine, "k1", "again");
        Assert.That(engine.Get(B("k2")), Is.Null);
        Assert.That(S(engine.Get(B("k1"))), Is.EqualTo("again"));
        GroupCommit.Complete();
        Assert.That(Scan(engine).Select(pair => pair.Key), Is.EqualTo(new[] { "k1", "k3" }));
    }

    [TestCase(Durability.Always)]
    [TestCase(Durability.EverySecond)]
    [TestCase(Durability.Never)]
    public void Writes_of_a_completed_scope_survive_a_reopen(Durability durability)
    {
        RequireDurable();
        var engine = Open(durability);
        GroupCommit.Begin();
        for (var i = 0; i < 100; i++)
            Put(engine, K(i % 10), "v" + i);
        Delete(engine, K(9));
        GroupCommit.Complete();
        engine.Dispose();

        var reopened = Open(durability);
        Assert.That(Scan(reopened).Count, Is.EqualTo(9));
        Assert.That(S(reopened.Get(B(K(0)))), Is.EqualTo("v90"));
        Assert.That(reopened.Get(B(K(9))), Is.Null);
    }

    [Test]
    public void Closing_the_engine_applies_writes_of_a_scope_still_open()
    {
        RequireDurable();
        var engine = Open(Durability.EverySecond);
        GroupCommit.Begin();
        Put(engine, "open", "scope");
        engine.Dispose();
        GroupCommit.Complete();

        Assert.That(S(Open(Durability.EverySecond).Get(B("open"))), Is.EqualTo("scope"));
    }

    [Test]
    public void The_write_count_grows_with_every_write_in_or_out_of_a_scope_and_with_nothing_else()
    {
        var engine = Open(Durability.Never);
        long before = engine.WriteCount;
        Put(engine, "a", "1");
        Assert.That(engine.WriteCount, Is.GreaterThan(before));
        before = engine.WriteCount;
        engine.Get(B("a"));
        engine.TryRead(B("a"), 0, static (value, _) => value.Length, out _);
        Scan(engine);
        engine.Flush();
        using (engine.CreateSnapshot()) { }
        Assert.That(engine.WriteCount, Is.EqualTo(before), "reads, scans, snapshots and flushes write nothing");
        GroupCommit.Begin();
        Put(engine, "b", "2");
        Assert.That(engine.WriteCount, Is.GreaterThan(before), "a write waiting in a scope counts at once");
        before = engine.WriteCount;
        DeleteRange(engine, "a", "c");
        Assert.That(engine.WriteCount, Is.GreaterThan(before));
        before = engine.WriteCount;
        GroupCommit.Complete();
        Assert.That(engine.WriteCount, Is.EqualTo(before), "completing a scope changes nothing a reader sees");
    }

    [Test]
    public void A_batch_recorded_in_a_scope_but_written_after_it_keeps_every_operation()
    {
        var engine = Open(Durability.EverySecond);
        Put(engine, "gone", "x");
        Put(engine, "m1", "x");
        using var batch = engine.CreateBatch();
        GroupCommit.Begin();
        batch.Put(B("a"), B("1"));
        batch.Delete(B("gone"));
        batch.Put(B("b"), B("2"));
        GroupCommit.Complete();
        engine.Write(batch); // no scope any more: written at once
        Assert.That(S(engine.Get(B("a"))), Is.EqualTo("1"));
        Assert.That(engine.Get(B("gone")), Is.Null);

        batch.Clear();
        GroupCommit.Begin();
        batch.Put(B("c"), B("3"));
        batch.DeleteRange(B("m"), B("n"));
        batch.Put(B("m2"), B("4"));
        engine.Write(batch); // a range delete is written at once, scope or not
        GroupCommit.Complete();

        batch.Clear();
        batch.Put(B("d"), B("5"));
        engine.Write(batch);
        Assert.That(Scan(engine).Select(pair => pair.Key), Is.EqualTo(new[] { "a", "b", "c", "d", "m2" }));
        Assert.That(S(engine.Get(B("m2"))), Is.EqualTo("4"));
    }

    [Test]
    public void A_value_that_changes_length_in_a_scope_reads_back_exactly()
    {
        var engine = Open(Durability.Never);
        var random = new Random(3);
        byte[] last = [];
        GroupCommit.Begin();
        foreach (int length in new[] { 10, 70, 5, 200, 0, 64, 63, 190, 1, 300, 299 })
        {
            last = new byte[length];
            random.NextBytes(last);
            Put(engine, B("k"), last);
            Assert.That(engine.Get(B("k")), Is.EqualTo(last), $"a value of {length} bytes read back in the scope");
            Assert.That(engine.TryRead(B("k"), 0, static (value, _) => value.Length, out int read) && read == length, Is.True);
        }
        GroupCommit.Complete();
        Assert.That(engine.Get(B("k")), Is.EqualTo(last));
        using var iterator = engine.CreateIterator(B(""), B("z")); // what reached the engine itself
        iterator.SeekToFirst();
        Assert.That(iterator.Valid && iterator.Key.SequenceEqual(B("k")) && iterator.Value.SequenceEqual(last), Is.True);
        iterator.Next();
        Assert.That(iterator.Valid, Is.False);
    }

    [Test]
    public void A_scope_larger_than_the_pending_bound_keeps_every_write()
    {
        var engine = Open(Durability.Never);
        var value = new byte[64 * 1024];
        GroupCommit.Begin();
        for (var i = 0; i < 400; i++) // 25 MB: past the pending bound at least once
        {
            value[0] = (byte)i;
            Put(engine, B(K(i)), value);
        }
        Assert.That(engine.Get(B(K(399)))![0], Is.EqualTo((byte)(399 % 256)));
        GroupCommit.Complete();
        Assert.That(Scan(engine).Count, Is.EqualTo(400));
        Assert.That(engine.Get(B(K(7)))![0], Is.EqualTo((byte)7));
    }
}

/// <summary>
/// Point reads stay exact whatever the engine remembers of recent reads and writes (RocksDB's hot
/// records): every write path, inside and outside a scope, a range delete, values too big to keep,
/// and more records than the budget holds.
/// </summary>
public sealed partial class EngineConformanceTests
{
    [Test]
    public void Point_reads_follow_every_write_path_after_the_key_was_read()
    {
        var engine = Open(Durability.Never);
        Put(engine, "r", "1");
        Assert.That(S(engine.Get(B("r"))), Is.EqualTo("1"));
        Assert.That(engine.Get(B("absent")), Is.Null); // remembered as absent
        Put(engine, "absent", "now");
        Assert.That(S(engine.Get(B("absent"))), Is.EqualTo("now"));

        Put(engine, "r", "2"); // outside a scope
        Assert.That(S(engine.Get(B("r"))), Is.EqualTo("2"));
        GroupCommit.Begin();
        Put(engine, "r", "3"); // inside one
        Assert.That(S(engine.Get(B("r"))), Is.EqualTo("3"));
        GroupCommit.Complete();
        Delete(engine, "r");
        Assert.That(engine.Get(B("r")), Is.Null);
        Put(engine, "r", "4");
        Assert.That(engine.Get(B("r")), Is.Not.Null);
        DeleteRange(engine, "a", "z");
        Assert.That(engine.Get(B("r")), Is.Null);
        Assert.That(engine.Get(B("absent")), Is.Null);

        var big = new byte[100_000];
        big[^1] = 7;
        Put(engine, B("big"), big);
        Assert.That(engine.Get(B("big"))![^1], Is.EqualTo((byte)7));
        big[^1] = 8;
        Put(engine, B("big"), big);
        Assert.That(engine.Get(B("big"))![^1], Is.EqualTo((byte)8));
    }

    [Test]
    public void Point_reads_stay_exact_past_the_memory_kept_for_hot_records()
    {
        var engine = Open(Durability.Never);
        var value = new byte[1000];
        const int keys = 20_000; // 20 MB of values, more than the engine keeps for a 64 MB budget
        for (var i = 0; i < keys; i++)
        {
            BitConverter.TryWriteBytes(value, i);
            Put(engine, B(K(i)), value);
        }
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < keys; i += 7)
                Assert.That(BitConverter.ToInt32(engine.Get(B(K(i)))!), Is.EqualTo(i), $"key {i}, round {round}");
        }
        GroupCommit.Begin();
        for (var i = 0; i < keys; i += 3)
            Delete(engine, K(i));
        GroupCommit.Complete();
        for (var i = 0; i < keys; i += 5)
            Assert.That(engine.Get(B(K(i))) is null, Is.EqualTo(i % 3 == 0), $"key {i}");
    }
}

public sealed partial class EngineConformanceTests
{
    /// <summary>
    /// A reader never sees a key go back to an older value, while one writer raises the values of a
    /// few keys through every write path (one-key batches, big batches, scopes) and the readers
    /// race it: a value read from the engine just before a write must not be remembered after it.
    /// </summary>
    [Test]
    public void Concurrent_point_reads_never_go_back_in_time()
    {
        var engine = Open(Durability.Never);
        const int keys = 8, rounds = 5_000;
        for (var k = 0; k < keys; k++)
            Put(engine, B(K(k)), BitConverter.GetBytes(0));
        var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var seen = new int[keys];
            while (!stop.IsCancellationRequested)
            {
                for (var k = 0; k < keys; k++)
                {
                    var value = BitConverter.ToInt32(engine.Get(B(K(k)))!);
                    if (value < seen[k])
                        throw new AssertionException($"key {k} went back from {seen[k]} to {value}");
                    seen[k] = value;
                }
            }
        })).ToArray();

        for (var round = 1; round <= rounds; round++)
        {
            int path = round % 4; // one-key batches, a range delete (forgets every read), a big batch right after it, a scope
            if (path == 3) GroupCommit.Begin();
            using (var batch = engine.CreateBatch())
            {
                for (var k = 0; k < keys; k++)
                    batch.Put(B(K(k)), BitConverter.GetBytes(round));
                if (path == 1)
                    batch.DeleteRange(B("zz"), B("zzz"));
                if (path == 2) // more keys than a small write remembers
                    for (var filler = 0; filler < 70; filler++) // past the bulk bound: written without the gate
                        batch.Put(B("filler:" + filler), BitConverter.GetBytes(round));
                engine.Write(batch);
            }
            if (path == 3) GroupCommit.Complete();
        }
        stop.Cancel();
        Assert.DoesNotThrowAsync(() => Task.WhenAll(readers));
        for (var k = 0; k < keys; k++)
            Assert.That(BitConverter.ToInt32(engine.Get(B(K(k)))!), Is.EqualTo(rounds));
    }
}
