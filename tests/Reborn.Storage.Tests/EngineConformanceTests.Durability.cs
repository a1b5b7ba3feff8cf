using NUnit.Framework;

namespace Reborn.Storage.Tests;

public sealed partial class EngineConformanceTests
{
    [TestCase(Durability.Always)]
    [TestCase(Durability.EverySecond)]
    [TestCase(Durability.Never)]
    public void Every_durability_mode_opens_writes_and_reads(Durability durability)
    {
        var engine = Open(durability);
        Assert.That(engine.Durability, Is.EqualTo(durability));
        Assert.That(engine.Path, IsDurable ? Is.EqualTo(Path.GetFullPath(EnginePath)) : Is.Null);

        for (var i = 0; i < 20; i++)
            Put(engine, K(i), "v" + i);
        Delete(engine, K(3));
        engine.Flush();
        Assert.That(Scan(engine).Count, Is.EqualTo(19));

        if (!IsDurable)
            return;
        engine.Dispose();
        var reopened = Open(durability);
        Assert.That(Scan(reopened).Count, Is.EqualTo(19));
        Assert.That(reopened.Get(B(K(3))), Is.Null);
        Assert.That(S(reopened.Get(B(K(19)))), Is.EqualTo("v19"));
    }

    [Test]
    public void Reopen_keeps_flushed_data_with_overwrites_deletes_and_long_keys()
    {
        RequireDurable();
        var engine = Open(Durability.EverySecond);
        var longKey = new string('L', 40);
        WriteKeys(engine, 1_000);
        for (var version = 0; version < 5; version++)
        {
            Put(engine, longKey + ":multi", "version " + version);
            Put(engine, longKey + ":deleted", "version " + version);
        }

        Delete(engine, longKey + ":deleted");
        DeleteRange(engine, K(100), K(200));
        Put(engine, K(150), "recreated");
        engine.Flush();
        var expected = Scan(engine);
        engine.Dispose();

        var reopened = Open(Durability.EverySecond);
        Assert.That(Scan(reopened), Is.EqualTo(expected));
        Assert.That(S(reopened.Get(B(longKey + ":multi"))), Is.EqualTo("version 4"));
        Assert.That(reopened.Get(B(longKey + ":deleted")), Is.Null);
        Assert.That(reopened.Get(B(K(120))), Is.Null);

        Put(reopened, "after", "reopen");
        reopened.Dispose();
        var again = Open(Durability.EverySecond);
        Assert.That(S(again.Get(B("after"))), Is.EqualTo("reopen"));
        Assert.That(Scan(again).Count, Is.EqualTo(expected.Count + 1));
    }

    [Test]
    public void Dispose_keeps_written_data_without_an_explicit_flush()
    {
        RequireDurable();
        var engine = Open(Durability.Never);
        WriteKeys(engine, 100);
        engine.Dispose();

        var reopened = Open(Durability.Never);
        Assert.That(Scan(reopened).Count, Is.EqualTo(100));
    }

    [Test]
    public void Reopen_serves_values_larger_than_memory_pages()
    {
        RequireDurable();
        var engine = Open(Durability.Never);
        var big = new byte[300_000];
        new Random(7).NextBytes(big);
        Put(engine, B("big"), big);
        WriteKeys(engine, 2_000, new string('x', 500));
        engine.Flush();
        engine.Dispose();

        var reopened = Open(Durability.Never);
        Assert.That(reopened.Get(B("big")), Is.EqualTo(big));
        Assert.That(S(reopened.Get(B(K(1999)))), Is.EqualTo(new string('x', 500) + 1999));
    }

    [Test]
    public void Data_larger_than_the_memory_budget_stays_readable()
    {
        var engine = Track(StorageEngines.Open(Options() with { MemoryBudgetBytes = 16L << 20 }));
        var value = new string('m', 1000);
        WriteKeys(engine, 40_000, value);

        for (var i = 0; i < 40_000; i += 997)
            Assert.That(S(engine.Get(B(K(i)))), Is.EqualTo(value + i));
        var count = 0;
        using (var iterator = engine.CreateIterator(B("key:"), B("key;")))
        {
            for (iterator.SeekToFirst(); iterator.Valid; iterator.Next(), count++)
            {
                if (iterator.Value.Length != value.Length + count.ToString().Length)
                    Assert.Fail($"wrong value length at {count}");
            }
        }

        Assert.That(count, Is.EqualTo(40_000));
        if (!IsDurable)
            return;
        engine.Dispose();
        var reopened = Track(StorageEngines.Open(Options() with { MemoryBudgetBytes = 16L << 20 }));
        Assert.That(S(reopened.Get(B(K(0)))), Is.EqualTo(value + 0));
        Assert.That(S(reopened.Get(B(K(39_999)))), Is.EqualTo(value + 39_999));
    }
}
