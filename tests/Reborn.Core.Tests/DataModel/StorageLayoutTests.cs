using System.Text;
using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Core.Slots;
using Reborn.Storage;

namespace Reborn.Core.Tests.DataModel;

/// <summary>
/// Pins the on-disk layout of docs/storage-layout.md byte for byte. If one of these fails, the
/// layout changed: that is a versioned, deliberate act (bump Metadata.LayoutVersion and the doc).
/// </summary>
public sealed class StorageLayoutTests
{
    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    [Test]
    public void MetadataKeyIsSlotDatabaseKindUserKey()
        => Assert.That(Hex(KeyEncoding.MetaKey(761, 3, "foo"u8)), Is.EqualTo("02F9" + "03" + "01" + "666F6F"));

    [Test]
    public void ElementKeyCarriesKeyLengthKeyVersionField()
        => Assert.That(Hex(KeyEncoding.ElementKey(761, 0, "foo"u8, 0x0102030405060708, "f"u8)),
            Is.EqualTo("02F9" + "00" + "02" + "00000003" + "666F6F" + "0102030405060708" + "66"));

    [Test]
    public void ListChunkKeyIsBigEndianChunkNumber()
    {
        Assert.That(Hex(KeyEncoding.ListChunkKey(1, 0, "l"u8, 9, ListChunk.ChunkOf(Metadata.ListInitialIndex))),
            Is.EqualTo("0001" + "00" + "02" + "00000001" + "6C" + "0000000000000009" + "0400000000000000"));
        Assert.That(Hex(KeyEncoding.ListExternalKey(1, 0, "l"u8, 9, 0x0400000000000000, 31)),
            Is.EqualTo("0001" + "00" + "02" + "00000001" + "6C" + "0000000000000009" + "0400000000000000" + "1F"));
    }

    [Test]
    public void ListChunkRecordHoldsFirstOffsetCountAndEntries()
    {
        ReadOnlyMemory<byte>[] values = new ReadOnlyMemory<byte>[ListChunk.Slots];
        values[30] = "ab"u8.ToArray();
        values[31] = new byte[200];
        var record = ListChunk.Encode(values, live: 0xC0000000, external: 0x80000000);
        Assert.That(Hex(record), Is.EqualTo("1E" + "02" + "04" + "6162" + "01"), "first 30, two entries: inline 'ab' (header 2*2), then external (header 1)");
        var entries = new ListChunk.Entry[ListChunk.Slots];
        Assert.That(ListChunk.Parse(record, entries, out int count), Is.EqualTo(30));
        Assert.That((count, entries[0], entries[1].External), Is.EqualTo((2, new ListChunk.Entry(3, 2), true)));
    }

    [Test]
    public void SplicingNewEntriesAroundARecordEncodesTheSameBytes()
    {
        var random = new Random(5);
        for (int round = 0; round < 500; round++)
        {
            var values = new ReadOnlyMemory<byte>[ListChunk.Slots];
            for (int o = 0; o < values.Length; o++) values[o] = new byte[random.Next(4) == 0 ? ListChunk.InlineMax + 1 : random.Next(20)];
            int first = random.Next(32), last = random.Next(first, 32);
            int storedFirst = random.Next(first, last + 1), storedLast = random.Next(storedFirst, last + 1);
            uint live = ListChunk.Bits(first, last), stored = ListChunk.Bits(storedFirst, storedLast);
            uint external = 0;
            for (int o = first; o <= last; o++) if (!ListChunk.IsInline(values[o].Length)) external |= 1u << o;
            var record = ListChunk.Encode(values, stored, external & stored);
            Assert.That(ListChunk.Splice(values, live, external & ~stored, record.AsSpan(2), stored), Is.EqualTo(ListChunk.Encode(values, live, external)), $"round {round}");
        }
    }

    [TestCase("")]
    [TestCase("00")]
    [TestCase("0000")]
    [TestCase("1F02" + "00" + "00")]
    [TestCase("0001" + "06" + "6162")]
    [TestCase("0001" + "03")]
    [TestCase("0001" + "00" + "FF")]
    public void MalformedListChunkRecordsAreRejected(string hex)
        => Assert.Throws<InvalidDataException>(() => ListChunk.Parse(Convert.FromHexString(hex), new ListChunk.Entry[ListChunk.Slots], out _));

    [Test]
    public void ScoreKeyIsOrderPreservingDoubleThenMember()
    {
        Assert.That(Hex(KeyEncoding.ScoreKey(0, 0, "z"u8, 1, 1.5, "m"u8)),
            Is.EqualTo("0000" + "00" + "03" + "00000001" + "7A" + "0000000000000001" + "BFF8000000000000" + "6D"));
        double[] ordered = [double.NegativeInfinity, -1e300, -2.5, -0.0, 0.0, 1e-300, 2.5, 1e300, double.PositiveInfinity];
        for (int i = 1; i < ordered.Length; i++)
            Assert.That(KeyEncoding.EncodeScore(ordered[i - 1]), Is.LessThanOrEqualTo(KeyEncoding.EncodeScore(ordered[i])));
        Assert.That(KeyEncoding.EncodeScore(-0.0), Is.EqualTo(KeyEncoding.EncodeScore(0.0)));
        foreach (var d in ordered) Assert.That(KeyEncoding.DecodeScore(KeyEncoding.EncodeScore(d)), Is.EqualTo(d == 0 ? 0.0 : d));
    }

    [Test]
    public void ExpiryAndCountRecords()
    {
        Assert.That(Hex(KeyEncoding.ExpiryKey(2, 1, 0x0102, "k"u8)), Is.EqualTo("0002" + "01" + "04" + "0000000000000102" + "6B"));
        Assert.That(Hex(KeyEncoding.KeyCountKey(1023, 15)), Is.EqualTo("03FF" + "0F" + "05"));
        Assert.That(Hex(KeyEncoding.GarbageKey(7, 5, 2, "k"u8)), Is.EqualTo("FFFF02" + "0000000000000007" + "0005" + "02" + "00000001" + "6B"));
    }

    [Test]
    public void StringMetadataRecord()
        => Assert.That(Hex(Metadata.EncodeString("hi"u8, 0x0102)), Is.EqualTo("01" + "02" + "0201000000000000" + "6869"));

    [Test]
    public void ListMetadataRecord()
    {
        var meta = new Metadata { Type = RedisType.List, ExpireAtMs = 0, Version = 5, Count = 2, Head = 10, Tail = 12 };
        Assert.That(Hex(meta.EncodeCollection()),
            Is.EqualTo("02" + "02" + "0000000000000000" + "0500000000000000" + "0200000000000000" + "0A00000000000000" + "0C00000000000000"));
        var decoded = Metadata.Decode(meta.EncodeCollection());
        Assert.That((decoded.Type, decoded.Version, decoded.Count, decoded.Head, decoded.Tail), Is.EqualTo((RedisType.List, 5UL, 2L, 10UL, 12UL)));
    }

    [Test]
    public async Task ASetWritesExactlyTheDocumentedRecords()
    {
        await using var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions { Engine = EngineKind.Memory, BackgroundSweeps = false });
        await cluster.GetDatabase(0).StringSetAsync("foo", "bar", TimeSpan.FromSeconds(100));
        var engine = ((RebornCluster)cluster).EngineOf(0);
        var records = new List<string>();
        using (var it = engine.CreateIterator([], []))
            for (it.SeekToFirst(); it.Valid; it.Next()) records.Add(Hex(it.Key) + "=" + Hex(it.Value));
        int slot = SlotHash.GetSlot("foo"u8);
        Assert.That(slot, Is.EqualTo(761));
        Assert.That(records, Has.Count.EqualTo(4));
        Assert.That(records[0], Does.StartWith("02F9000166"), "metadata record first");
        Assert.That(records[1], Does.StartWith("02F90004"), "then the expiry index");
        Assert.That(records[2], Is.EqualTo("02F90005=0100000000000000"), "then the key count");
        Assert.That(records[3], Is.EqualTo("FFFF05=02"), "and the engine's layout mark");
    }

    [Test]
    public async Task DataOfAnotherLayoutIsRefusedAtOpen()
    {
        var directory = Path.Combine(Path.GetTempPath(), "reborn-layout-" + Guid.NewGuid().ToString("N"));
        var options = new RebornClusterOptions { Engine = EngineKind.RocksDb, DataDirectory = directory, BackgroundSweeps = false };
        var enginePath = Path.Combine(directory, "group-0");
        try
        {
            await using (var cluster = await RebornCluster.OpenAsync(options))
                await cluster.GetDatabase(0).ListRightPushAsync("l", ["a"]);
            SetLayoutMark(enginePath, [1]);
            var refused = Assert.ThrowsAsync<InvalidDataException>(async () => await RebornCluster.OpenAsync(options));
            Assert.That(refused!.Message, Does.Contain("layout version 1").And.Contain("this build reads version 2").And.Contain(enginePath));

            SetLayoutMark(enginePath, null); // data but no mark: written before the mark existed
            refused = Assert.ThrowsAsync<InvalidDataException>(async () => await RebornCluster.OpenAsync(options));
            Assert.That(refused!.Message, Does.Contain("layout version 1"));

            SetLayoutMark(enginePath, [Metadata.LayoutVersion]);
            await using (var cluster = await RebornCluster.OpenAsync(options))
                Assert.That((await cluster.GetDatabase(0).ListRangeAsync("l")).Select(v => (string)v!), Is.EqualTo(new[] { "a" }), "the right mark opens, data intact");
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private static void SetLayoutMark(string enginePath, byte[]? mark)
    {
        using var engine = StorageEngines.Open(new EngineOptions { Kind = EngineKind.RocksDb, Path = enginePath, CreateIfMissing = false });
        using var batch = engine.CreateBatch();
        var key = KeyEncoding.SystemKey(KeyEncoding.SystemLayout);
        if (mark is null) batch.Delete(key); else batch.Put(key, mark);
        engine.Write(batch);
    }
}
