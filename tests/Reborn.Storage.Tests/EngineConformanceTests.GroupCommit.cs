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
