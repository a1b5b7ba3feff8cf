using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Storage;

namespace Reborn.Core.Tests.DataTypes;

/// <summary>The list operations of <see cref="KeyValueDatabase"/>, on every engine.</summary>
[TestFixture(EngineKind.Memory)]
[TestFixture(EngineKind.RocksDb)]
[TestFixture(EngineKind.Faster)]
public sealed class ListTests(EngineKind engine) : EngineTestBase(engine)
{
    private async Task<string[]> All(RebornKey key) => (await Db.ListRangeAsync(key)).Select(v => (string)v!).ToArray();

    private static RebornValue[] V(params string[] values) => values.Select(v => (RebornValue)v).ToArray();

    /// <summary>
    /// The list elements the engines hold, live or garbage: the entries of every chunk record, but
    /// for the stale entries a pop may leave beside live ones in a chunk it did not rewrite (those
    /// are counted in <paramref name="stale"/>, and must be inline elements). Every element stored
    /// outside its chunk must be named by exactly one chunk entry, so a stray record fails here and
    /// a stray entry shows in the count.
    /// </summary>
    private long StoredListElements(out long stale)
    {
        long entries = 0, externalEntries = 0, externalRecords = 0;
        stale = 0;
        var parsed = new ListChunk.Entry[ListChunk.Slots];
        foreach (var keyspace in ((RebornCluster)Cluster).AllKeyspaces)
        {
            using var it = keyspace.Engine.CreateIterator([], [KeyEncoding.SystemPrefix, KeyEncoding.SystemPrefix]);
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                var key = it.Key;
                if (key[KeyEncoding.PrefixLength - 1] != KeyEncoding.KindElement) continue;
                int keyLength = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(key[KeyEncoding.PrefixLength..]);
                int field = key.Length - KeyEncoding.ElementPrefixLength(keyLength);
                if (field == 9) { externalRecords++; continue; }
                Assert.That(field, Is.EqualTo(8), "a list element record is a chunk or an external element");
                int first = ListChunk.Parse(it.Value, parsed, out int count);
                // The list's [head, tail) when the chunk belongs to its live version.
                int slot = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(key), pdb = key[2];
                var userKey = key.Slice(KeyEncoding.PrefixLength + 4, keyLength);
                ulong version = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(key[(KeyEncoding.PrefixLength + 4 + keyLength)..]);
                ulong chunk = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(key[^8..]);
                uint live = 0;
                if (keyspace.Engine.Get(KeyEncoding.MetaKey(slot, pdb, userKey)) is { } record && Metadata.PeekType(record) == RedisType.List
                    && Metadata.Decode(record) is var meta && meta.Version == version)
                    live = ListChunk.LiveBits(chunk, meta.Head, meta.Tail);
                for (int i = 0; i < count; i++)
                {
                    bool isLive = (live & (1u << (first + i))) != 0;
                    if (!isLive && live != 0)
                    {
                        Assert.That(parsed[i].External, Is.False, "a pop leaves only inline elements stale");
                        stale++;
                        continue;
                    }
                    entries++;
                    if (parsed[i].External) externalEntries++;
                }
            }
        }
        Assert.That(externalRecords, Is.EqualTo(externalEntries), "every external element record belongs to a chunk entry");
        return entries;
    }

    private long StoredListElements() => StoredListElements(out _);

    [Test]
    public async Task PushesAndPopsAtBothEnds()
    {
        Assert.That(await Db.ListLeftPushAsync("l", V("a", "b", "c")), Is.EqualTo(3));
        Assert.That(await Db.ListRightPushAsync("l", V("d", "e")), Is.EqualTo(5));
        Assert.That(await All("l"), Is.EqualTo(new[] { "c", "b", "a", "d", "e" }));
        Assert.That((string?)await Db.ListLeftPopAsync("l"), Is.EqualTo("c"));
        Assert.That((string?)await Db.ListRightPopAsync("l"), Is.EqualTo("e"));
        var popped = await Db.ListRightPopAsync("l", 2);
        Assert.That(popped!.Select(v => (string)v!), Is.EqualTo(new[] { "d", "a" }));
        Assert.That(await Db.ListLeftPopAsync("l", 10), Has.Length.EqualTo(1));
        Assert.That(await Db.KeyExistsAsync("l"), Is.EqualTo(0), "an emptied list is deleted");
        Assert.That((await Db.ListLeftPopAsync("l")).IsNull, Is.True);
        Assert.That(await Db.ListLeftPopAsync("l", 3), Is.Null, "missing key with a count: null, not empty");
        Assert.That(StoredListElements(), Is.EqualTo(0));
    }

    /// <summary>
    /// A pop of inline elements writes only the list's metadata: the chunk record keeps the popped
    /// entries, stale. Every later command must see only [head, tail), a push at that end must
    /// replace the stale entries, and a chunk emptied by pops must still be deleted.
    /// </summary>
    [Test]
    public async Task PopsLeaveStaleEntriesThatNoCommandSees()
    {
        // 96 elements in 3 chunks (the first push lands at the start of a chunk); one long element at each end.
        var model = Enumerable.Range(0, 96).Select(i => i is 0 or 95 ? new string('L', ListChunk.InlineMax + 1) : $"e{i}").ToList();
        await Db.ListRightPushAsync("l", model.Select(v => (RebornValue)v).ToArray());
        Assert.That(StoredListElements(out long stale), Is.EqualTo(96));
        Assert.That(stale, Is.Zero);

        // Popping the long elements rewrites their chunks; the inline ones after them stay as stale entries.
        for (int i = 0; i < 4; i++)
        {
            Assert.That((string?)await Db.ListLeftPopAsync("l"), Is.EqualTo(model[0]));
            Assert.That((string?)await Db.ListRightPopAsync("l"), Is.EqualTo(model[^1]));
            model.RemoveAt(0);
            model.RemoveAt(model.Count - 1);
        }
        Assert.That(StoredListElements(out stale), Is.EqualTo(88));
        Assert.That(stale, Is.EqualTo(6), "the inline elements popped after each long one");
        Assert.That(await All("l"), Is.EqualTo(model));
        Assert.That((string?)await Db.ListGetByIndexAsync("l", 0), Is.EqualTo("e4"));
        Assert.That((string?)await Db.ListGetByIndexAsync("l", -1), Is.EqualTo("e91"));
        Assert.That((string?)await Db.ListGetByIndexAsync("l", -89), Is.Null);
        Assert.That(await Db.ListPositionAsync("l", "e2"), Is.Null, "a stale entry is not an element");
        Assert.That(await Db.ListRemoveAsync("l", "e93"), Is.Zero);
        Assert.That(await Db.ListLengthAsync("l"), Is.EqualTo(88));

        // Pushes at both ends take the stale entries' places.
        await Db.ListLeftPushAsync("l", "p");
        await Db.ListRightPushAsync("l", "q");
        model.Insert(0, "p");
        model.Add("q");
        Assert.That(await All("l"), Is.EqualTo(model));
        Assert.That(StoredListElements(out stale), Is.EqualTo(90));
        Assert.That(stale, Is.Zero, "a push rewrites its chunk with the live entries only");

        // Other edits of an end chunk, after more pops.
        await Db.ListLeftPopAsync("l", 3);
        await Db.ListRightPopAsync("l", 3);
        model.RemoveRange(0, 3);
        model.RemoveRange(model.Count - 3, 3);
        await Db.ListSetByIndexAsync("l", 0, "s");
        model[0] = "s";
        Assert.That(await Db.ListInsertAfterAsync("l", model[^1], "t"), Is.EqualTo(model.Count + 1));
        model.Add("t");
        Assert.That(await All("l"), Is.EqualTo(model));
        Assert.That(StoredListElements(out stale), Is.EqualTo(model.Count));
        Assert.That(stale, Is.Zero);

        if (Engine != EngineKind.Memory)
        {
            await Db.ListLeftPopAsync("l", 2);
            model.RemoveRange(0, 2);
            await Cluster.DisposeAsync();
            await OpenClusterAsync();
            Assert.That(await All("l"), Is.EqualTo(model), "after a reopen");
            Assert.That((string?)await Db.ListLeftPopAsync("l"), Is.EqualTo(model[0]));
            model.RemoveAt(0);
        }

        // Popping everything, one at a time, deletes every chunk.
        while (model.Count > 0)
        {
            Assert.That((string?)await Db.ListRightPopAsync("l"), Is.EqualTo(model[^1]));
            model.RemoveAt(model.Count - 1);
        }
        Assert.That(await Db.KeyExistsAsync("l"), Is.EqualTo(0));
        Assert.That(StoredListElements(out stale), Is.Zero);
        Assert.That(stale, Is.Zero);
    }

    [Test]
    public async Task PopWithCountZeroOnAnExistingListIsEmpty()
    {
        await Db.ListRightPushAsync("l", V("a"));
        Assert.That(await Db.ListLeftPopAsync("l", 0), Is.Empty);
        Assert.That(await Db.ListLengthAsync("l"), Is.EqualTo(1));
    }

    [Test]
    public async Task PushExistingOnlyWhenTheListExists()
    {
        Assert.That(await Db.ListLeftPushAsync("l", V("a"), onlyIfExists: true), Is.EqualTo(0));
        Assert.That(await Db.KeyExistsAsync("l"), Is.EqualTo(0));
        await Db.ListRightPushAsync("l", V("a"));
        Assert.That(await Db.ListRightPushAsync("l", V("b", "c"), onlyIfExists: true), Is.EqualTo(3));
        Assert.That(await Db.ListLeftPushAsync("l", V("z"), onlyIfExists: true), Is.EqualTo(4));
        Assert.That(await All("l"), Is.EqualTo(new[] { "z", "a", "b", "c" }));
    }

    [Test]
    public async Task IndexAndSetArePointOperations()
    {
        await Db.ListRightPushAsync("l", V("a", "b", "c"));
        Assert.That((string?)await Db.ListGetByIndexAsync("l", 0), Is.EqualTo("a"));
        Assert.That((string?)await Db.ListGetByIndexAsync("l", -1), Is.EqualTo("c"));
        Assert.That((await Db.ListGetByIndexAsync("l", 3)).IsNull, Is.True);
        Assert.That((await Db.ListGetByIndexAsync("l", -4)).IsNull, Is.True);
        Assert.That((await Db.ListGetByIndexAsync("l", long.MinValue)).IsNull, Is.True);
        await Db.ListSetByIndexAsync("l", -2, "B");
        Assert.That(await All("l"), Is.EqualTo(new[] { "a", "B", "c" }));
        var outOfRange = Assert.ThrowsAsync<RebornException>(async () => await Db.ListSetByIndexAsync("l", 3, "x"));
        Assert.That(outOfRange!.Message, Is.EqualTo(Errors.IndexOutOfRange));
        var missing = Assert.ThrowsAsync<RebornException>(async () => await Db.ListSetByIndexAsync("nope", 0, "x"));
        Assert.That(missing!.Message, Is.EqualTo(Errors.NoSuchKey));
    }

    [TestCase(0, -1, "a b c d e")]
    [TestCase(1, 2, "b c")]
    [TestCase(-2, -1, "d e")]
    [TestCase(-100, 1, "a b")]
    [TestCase(3, 100, "d e")]
    [TestCase(5, 10, "")]
    [TestCase(2, 1, "")]
    [TestCase(-1, -2, "")]
    public async Task RangeClampsAsRedis(long start, long stop, string expected)
    {
        await Db.ListRightPushAsync("l", V("a", "b", "c", "d", "e"));
        var range = (await Db.ListRangeAsync("l", start, stop)).Select(v => (string)v!).ToArray();
        Assert.That(string.Join(' ', range), Is.EqualTo(expected));
    }

    [TestCase(1, -2, "b c d")]
    [TestCase(0, 0, "a")]
    [TestCase(-1, -1, "e")]
    [TestCase(3, 1, "")]
    [TestCase(10, 20, "")]
    [TestCase(-100, 100, "a b c d e")]
    public async Task TrimKeepsTheRangeAndLeavesNoStrayRecords(long start, long stop, string expected)
    {
        await Db.ListRightPushAsync("l", V("a", "b", "c", "d", "e"));
        await Db.ListTrimAsync("l", start, stop);
        Assert.That(string.Join(' ', await All("l")), Is.EqualTo(expected));
        Assert.That(await Db.KeyExistsAsync("l"), Is.EqualTo(expected.Length == 0 ? 0 : 1));
        await Cluster.SweepAsync();
        Assert.That(StoredListElements(out long stale), Is.EqualTo(await Db.ListLengthAsync("l")));
        Assert.That(stale, Is.Zero, "a trim rewrites the chunks it cuts");
    }

    [Test]
    public async Task InsertShiftsTheShorterSide()
    {
        await Db.ListRightPushAsync("l", V("a", "b", "c", "d", "e", "f"));
        Assert.That(await Db.ListInsertBeforeAsync("l", "b", "x"), Is.EqualTo(7)); // near the head
        Assert.That(await Db.ListInsertAfterAsync("l", "e", "y"), Is.EqualTo(8));  // near the tail
        Assert.That(await Db.ListInsertBeforeAsync("l", "a", "first"), Is.EqualTo(9));
        Assert.That(await Db.ListInsertAfterAsync("l", "f", "last"), Is.EqualTo(10));
        string[] expected = ["first", "a", "x", "b", "c", "d", "e", "y", "f", "last"];
        Assert.That(await All("l"), Is.EqualTo(expected));
        for (int i = 0; i < expected.Length; i++)
            Assert.That((string?)await Db.ListGetByIndexAsync("l", i), Is.EqualTo(expected[i]));
        Assert.That(await Db.ListInsertAfterAsync("l", "zzz", "q"), Is.EqualTo(-1));
        Assert.That(await Db.ListInsertAfterAsync("missing", "a", "q"), Is.EqualTo(0));
        Assert.That(StoredListElements(), Is.EqualTo(expected.Length));
    }

    [Test]
    public async Task RemoveFromTheHeadTheTailOrEverywhere()
    {
        await Db.ListRightPushAsync("l", V("a", "x", "b", "x", "c", "x", "d"));
        Assert.That(await Db.ListRemoveAsync("l", "x", 1), Is.EqualTo(1));
        Assert.That(await All("l"), Is.EqualTo(new[] { "a", "b", "x", "c", "x", "d" }));
        Assert.That(await Db.ListRemoveAsync("l", "x", -1), Is.EqualTo(1));
        Assert.That(await All("l"), Is.EqualTo(new[] { "a", "b", "x", "c", "d" }));
        await Db.ListLeftPushAsync("l", V("x", "x"));
        Assert.That(await Db.ListRemoveAsync("l", "x", 0), Is.EqualTo(3));
        Assert.That(await All("l"), Is.EqualTo(new[] { "a", "b", "c", "d" }));
        Assert.That(await Db.ListRemoveAsync("l", "zz"), Is.EqualTo(0));
        Assert.That(StoredListElements(), Is.EqualTo(4));
        await Db.ListRightPushAsync("m", V("x", "x"));
        Assert.That(await Db.ListRemoveAsync("m", "x", long.MinValue), Is.EqualTo(2));
        Assert.That(await Db.KeyExistsAsync("m"), Is.EqualTo(0));
    }

    [Test]
    public async Task PositionsHonourRankCountAndMaxLength()
    {
        await Db.ListRightPushAsync("l", V("a", "b", "c", "1", "2", "3", "c", "c"));
        Assert.That(await Db.ListPositionAsync("l", "c"), Is.EqualTo(2));
        Assert.That(await Db.ListPositionAsync("l", "c", rank: 2), Is.EqualTo(6));
        Assert.That(await Db.ListPositionAsync("l", "c", rank: -1), Is.EqualTo(7));
        Assert.That(await Db.ListPositionAsync("l", "c", rank: -3), Is.EqualTo(2));
        Assert.That(await Db.ListPositionAsync("l", "c", rank: 4), Is.Null);
        Assert.That(await Db.ListPositionAsync("l", "3", maxLength: 5), Is.Null);
        Assert.That(await Db.ListPositionsAsync("l", "c", 0), Is.EqualTo(new long[] { 2, 6, 7 }));
        Assert.That(await Db.ListPositionsAsync("l", "c", 2, rank: -1), Is.EqualTo(new long[] { 7, 6 }));
        Assert.That(await Db.ListPositionsAsync("l", "c", 0, maxLength: 7), Is.EqualTo(new long[] { 2, 6 }));
        Assert.That(await Db.ListPositionsAsync("missing", "c", 1), Is.Empty);
        var rankZero = Assert.ThrowsAsync<RebornException>(async () => await Db.ListPositionAsync("l", "c", rank: 0));
        Assert.That(rankZero!.Message, Is.EqualTo(Errors.LposRankZero));
    }

    [Test]
    public async Task MoveBetweenListsAndRotate()
    {
        await Db.ListRightPushAsync("src", V("a", "b", "c"));
        Assert.That((string?)await Db.ListMoveAsync("src", "dst", ListSide.Left, ListSide.Right), Is.EqualTo("a"));
        Assert.That((string?)await Db.ListRightPopLeftPushAsync("src", "dst"), Is.EqualTo("c"));
        Assert.That(await All("src"), Is.EqualTo(new[] { "b" }));
        Assert.That(await All("dst"), Is.EqualTo(new[] { "c", "a" }));

        Assert.That((string?)await Db.ListMoveAsync("dst", "dst", ListSide.Right, ListSide.Left), Is.EqualTo("a"));
        Assert.That(await All("dst"), Is.EqualTo(new[] { "a", "c" }), "same key: rotation");
        Assert.That((string?)await Db.ListMoveAsync("dst", "dst", ListSide.Left, ListSide.Left), Is.EqualTo("a"));
        Assert.That(await All("dst"), Is.EqualTo(new[] { "a", "c" }));

        Assert.That((string?)await Db.ListMoveAsync("src", "dst", ListSide.Right, ListSide.Right), Is.EqualTo("b"));
        Assert.That(await Db.KeyExistsAsync("src"), Is.EqualTo(0), "the emptied source is deleted");
        Assert.That((await Db.ListMoveAsync("src", "dst", ListSide.Left, ListSide.Left)).IsNull, Is.True);
        Assert.That(StoredListElements(), Is.EqualTo(3));
    }

    [Test]
    public async Task RotatingAOneElementListKeepsTheKey()
    {
        await Db.ListRightPushAsync("one", V("solo"));
        Assert.That((string?)await Db.ListRightPopLeftPushAsync("one", "one"), Is.EqualTo("solo"));
        Assert.That((string?)await Db.ListMoveAsync("one", "one", ListSide.Left, ListSide.Right), Is.EqualTo("solo"));
        Assert.That(await All("one"), Is.EqualTo(new[] { "solo" }));
        Assert.That(await Db.DatabaseSizeAsync(), Is.EqualTo(1));
        Assert.That(await Db.KeysAsync("*"), Has.Length.EqualTo(1));
        Assert.That(StoredListElements(), Is.EqualTo(1));
    }

    [Test]
    public async Task MoveToAWrongTypeChangesNothing()
    {
        await Db.ListRightPushAsync("src", V("a"));
        await Db.StringSetAsync("str", "v");
        var error = Assert.ThrowsAsync<RebornException>(async () => await Db.ListMoveAsync("src", "str", ListSide.Left, ListSide.Left));
        Assert.That(error!.Message, Is.EqualTo(Errors.WrongType));
        Assert.That(await All("src"), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task PopFirstNonEmptySkipsMissingKeys()
    {
        Assert.That(await Db.ListPopFirstNonEmptyAsync(["a", "b"], ListSide.Left), Is.Null);
        await Db.ListRightPushAsync("b", V("1", "2", "3"));
        await Db.StringSetAsync("s", "x");
        var popped = await Db.ListPopFirstNonEmptyAsync(["a", "b", "s"], ListSide.Right, 2);
        Assert.That(popped!.Key.ToString(), Is.EqualTo("b"));
        Assert.That(popped.Values.Select(v => (string)v!), Is.EqualTo(new[] { "3", "2" }));
        var wrong = Assert.ThrowsAsync<RebornException>(async () => await Db.ListPopFirstNonEmptyAsync(["a", "s", "b"], ListSide.Left));
        Assert.That(wrong!.Message, Is.EqualTo(Errors.WrongType));
        popped = await Db.ListPopFirstNonEmptyAsync(["b"], ListSide.Left, 100);
        Assert.That(popped!.Values, Has.Length.EqualTo(1));
        Assert.That(await Db.KeyExistsAsync("b"), Is.EqualTo(0));
    }

    [Test]
    public async Task KeyReadyIsRaisedWhenAPushCreatesAList()
    {
        var ready = new List<(int Db, string Key)>();
        Cluster.KeyReady += (db, key) => { lock (ready) ready.Add((db, System.Text.Encoding.UTF8.GetString(key))); };
        await Db.ListRightPushAsync("l", V("a"));
        await Db.ListRightPushAsync("l", V("b"));
        await Db.ListLeftPushAsync("none", V("a"), onlyIfExists: true);
        await Db.ListMoveAsync("l", "m", ListSide.Left, ListSide.Left);
        await Cluster.GetDatabase(3).ListLeftPushAsync("k", V("x"));
        Assert.That(ready, Is.EqualTo(new[] { (0, "l"), (0, "m"), (3, "k") }));
    }

    [Test]
    public async Task WritesKeepTheExpiry()
    {
        await Db.ListRightPushAsync("l", V("a", "b"));
        await Db.KeyExpireAsync("l", TimeSpan.FromMinutes(5));
        await Db.ListLeftPushAsync("l", V("z"));
        await Db.ListRightPopAsync("l");
        await Db.ListInsertAfterAsync("l", "z", "y");
        await Db.ListSetByIndexAsync("l", 0, "Z");
        await Db.ListTrimAsync("l", 0, 1);
        Assert.That(await Db.KeyTimeToLiveMsAsync("l"), Is.GreaterThan(60_000));
        await Db.KeyExpireAtAsync("l", 1);
        Assert.That(await Db.ListLengthAsync("l"), Is.EqualTo(0));
    }

    [Test]
    public async Task WrongTypeIsReported()
    {
        await Db.StringSetAsync("s", "v");
        Assert.ThrowsAsync<RebornException>(async () => await Db.ListLeftPushAsync("s", V("a")));
        Assert.ThrowsAsync<RebornException>(async () => await Db.ListRangeAsync("s"));
        Assert.ThrowsAsync<RebornException>(async () => await Db.ListLengthAsync("s"));
        Assert.ThrowsAsync<RebornException>(async () => await Db.ListLeftPopAsync("s"));
        Assert.ThrowsAsync<RebornException>(async () => await Db.ListRemoveAsync("s", "a"));
    }

    /// <summary>
    /// A random walk over every list operation against a model. The prefilled case spans several
    /// chunks; some elements are longer than a chunk keeps inline, so they move in and out of their
    /// own records as LINSERT, LREM, LSET and the pops shift them.
    /// </summary>
    [TestCase(0)]
    [TestCase(150)]
    public async Task RandomOperationsMatchAModel(int prefill)
    {
        var random = new Random(77 + prefill);
        string Element()
        {
            char c = (char)('a' + random.Next(4));
            return random.Next(5) == 0 ? new string(c, ListChunk.InlineMax + 1 + random.Next(2)) : c.ToString();
        }
        var model = Enumerable.Range(0, prefill).Select(_ => Element()).ToList();
        if (prefill > 0) await Db.ListRightPushAsync("l", model.Select(v => (RebornValue)v).ToArray());
        for (int step = 0; step < 3000; step++)
        {
            string value = Element();
            switch (random.Next(9))
            {
                case 0: await Db.ListLeftPushAsync("l", value); model.Insert(0, value); break;
                case 1: await Db.ListRightPushAsync("l", value); model.Add(value); break;
                case 2:
                    var left = await Db.ListLeftPopAsync("l");
                    Assert.That((string?)left, Is.EqualTo(model.Count > 0 ? model[0] : null));
                    if (model.Count > 0) model.RemoveAt(0);
                    break;
                case 3:
                {
                    string pivot = Element();
                    int at = model.IndexOf(pivot);
                    bool after = random.Next(2) == 0;
                    long result = after ? await Db.ListInsertAfterAsync("l", pivot, value) : await Db.ListInsertBeforeAsync("l", pivot, value);
                    if (model.Count == 0) Assert.That(result, Is.EqualTo(0));
                    else if (at < 0) Assert.That(result, Is.EqualTo(-1));
                    else { model.Insert(after ? at + 1 : at, value); Assert.That(result, Is.EqualTo(model.Count)); }
                    break;
                }
                case 4:
                {
                    long count = random.Next(-2, 3);
                    long removed = await Db.ListRemoveAsync("l", value, count);
                    long expected = 0;
                    if (count >= 0)
                        for (int i = 0; i < model.Count && (count == 0 || expected < count);)
                            if (model[i] == value) { model.RemoveAt(i); expected++; } else i++;
                    else
                        for (int i = model.Count - 1; i >= 0 && expected < -count; i--)
                            if (model[i] == value) { model.RemoveAt(i); expected++; }
                    Assert.That(removed, Is.EqualTo(expected));
                    break;
                }
                case 5:
                    if (model.Count > 0)
                    {
                        int index = random.Next(model.Count);
                        await Db.ListSetByIndexAsync("l", index, value);
                        model[index] = value;
                    }
                    break;
                case 6:
                    if (random.Next(4) == 0)
                    {
                        int start = random.Next(3), stop = -1 - random.Next(3);
                        await Db.ListTrimAsync("l", start, stop);
                        int from = start, to = model.Count + stop;
                        model = from <= to && from < model.Count ? model.GetRange(from, to - from + 1) : [];
                    }
                    break;
                case 7:
                    await Db.ListMoveAsync("l", "l", ListSide.Right, ListSide.Left);
                    if (model.Count > 0) { model.Insert(0, model[^1]); model.RemoveAt(model.Count - 1); }
                    break;
                default:
                    var popped = await Db.ListRightPopAsync("l", 2);
                    if (model.Count == 0) Assert.That(popped, Is.Null);
                    else
                    {
                        int n = Math.Min(2, model.Count);
                        var expected = Enumerable.Range(0, n).Select(i => model[model.Count - 1 - i]).ToArray();
                        Assert.That(popped!.Select(v => (string)v!), Is.EqualTo(expected));
                        model.RemoveRange(model.Count - n, n);
                    }
                    break;
            }
            if (step % 100 == 0) Assert.That(await All("l"), Is.EqualTo(model), $"after step {step}");
        }
        Assert.That(await All("l"), Is.EqualTo(model));
        await Cluster.SweepAsync();
        Assert.That(StoredListElements(), Is.EqualTo(model.Count), "no element record outside [head, tail)");
    }

    [Test]
    public async Task ABigListIsDeletedInOneStepAndSweptLater()
    {
        const int Size = 5000;
        for (int batch = 0; batch < Size / 500; batch++)
            await Db.ListRightPushAsync("big", Enumerable.Range(batch * 500, 500).Select(i => (RebornValue)(long)i).ToArray());
        Assert.That(await Db.ListLengthAsync("big"), Is.EqualTo(Size));
        Assert.That((string?)await Db.ListGetByIndexAsync("big", 2500), Is.EqualTo("2500"));
        Assert.That((string?)await Db.ListGetByIndexAsync("big", -1), Is.EqualTo("4999"));
        Assert.That(await Db.ListPositionAsync("big", "4000"), Is.EqualTo(4000));
        Assert.That(await Db.ListRangeAsync("big", 1000, 1009), Has.Length.EqualTo(10));
        Assert.That(StoredListElements(), Is.EqualTo(Size));

        Assert.That(await Db.KeyDeleteAsync("big"), Is.EqualTo(1));
        Assert.That(await Db.ListLengthAsync("big"), Is.EqualTo(0));
        Assert.That(Cluster.GetStatistics().GarbagePending, Is.EqualTo(1), "DEL only queued the old version");
        Assert.That(StoredListElements(), Is.EqualTo(Size), "the records are garbage until the sweep");

        await Cluster.SweepAsync();
        Assert.That(StoredListElements(), Is.EqualTo(0));
        Assert.That(Cluster.GetStatistics().GarbagePending, Is.EqualTo(0));

        // A new list under the same name starts clean.
        await Db.ListRightPushAsync("big", V("x"));
        Assert.That(await All("big"), Is.EqualTo(new[] { "x" }));
    }

    /// <summary>
    /// A queue's pops read chunks ahead of need (Keyspace.ReadAhead) while the same list is pushed at
    /// both ends (into chunks read ahead, when the list is short), set by index and popped in bulk, and
    /// other keys are written in between: every pop, element and length matches a model. Phases of
    /// pushes and pops alone (the remembered list's read-ahead lives through them) alternate with
    /// mixed ones; long elements (stored outside their chunk) are included.
    /// </summary>
    [Test]
    public async Task PopsReadingChunksAheadStayExactUnderEveryOtherEdit()
    {
        var random = new Random(4242);
        var model = new LinkedList<string>();
        int next = 0;
        string Make() => random.Next(10) == 0 ? new string((char)('a' + next % 26), 150) + next++ : "v" + next++;
        async Task Push(bool left)
        {
            var value = Make();
            if (left) { model.AddFirst(value); await Db.ListLeftPushAsync("q", V(value)); }
            else { model.AddLast(value); await Db.ListRightPushAsync("q", V(value)); }
        }
        async Task Pop(bool left, int step)
        {
            string? popped = (string?)(left ? await Db.ListLeftPopAsync("q") : await Db.ListRightPopAsync("q"));
            Assert.That(popped, Is.EqualTo(left ? model.First!.Value : model.Last!.Value), $"{(left ? "LPOP" : "RPOP")} at step {step}");
            if (left) model.RemoveFirst(); else model.RemoveLast();
        }
        for (int step = 0; step < 12_000; step++)
        {
            int phase = step / 500 % 4, op = random.Next(100);
            int target = phase < 2 ? 3000 : 300; // long lists, then short ones (every chunk within reach of a read-ahead)
            if (phase % 2 == 0)
            {
                // Pushes and pops alone: tail pops read ahead toward the head, which pushes rewrite.
                if (model.Count == 0 || (model.Count < target && op < 45)) await Push(random.Next(2) == 0);
                else await Pop(left: op < 15, step);
            }
            else if (op < 30 && model.Count > 0) await Pop(random.Next(3) == 0, step);
            else if (op < 50) await Push(random.Next(2) == 0);
            else if (op < 60 && model.Count > 0)
            {
                // Sets an element near the tail: a chunk the pops may have read ahead.
                int index = Math.Max(0, model.Count - 1 - random.Next(Math.Min(model.Count, 600)));
                var value = Make();
                await Db.ListSetByIndexAsync("q", index, value);
                var node = model.First!;
                for (int i = 0; i < index; i++) node = node.Next!;
                node.Value = value;
            }
            else if (op < 65 && model.Count > 0)
            {
                // Pops across chunks at once: the chunks wholly inside go with one range delete.
                long count = 1 + random.Next(100);
                bool left = random.Next(2) == 0;
                var popped = left ? await Db.ListLeftPopAsync("q", count) : await Db.ListRightPopAsync("q", count);
                var expected = new List<string>();
                for (long i = 0; i < count && model.Count > 0; i++)
                {
                    expected.Add(left ? model.First!.Value : model.Last!.Value);
                    if (left) model.RemoveFirst(); else model.RemoveLast();
                }
                Assert.That(popped!.Select(v => (string)v!), Is.EqualTo(expected), $"pop of {count} at step {step}");
            }
            else if (op < 85)
                await Db.StringSetAsync("other" + random.Next(5), "x"); // another key written between pops
            else if (model.Count > 0)
            {
                int index = random.Next(model.Count);
                Assert.That((string?)await Db.ListGetByIndexAsync("q", index), Is.EqualTo(model.ElementAt(index)), $"LINDEX {index} at step {step}");
            }
            if (step % 1000 == 999) Assert.That(await All("q"), Is.EqualTo(model.ToArray()), $"the whole list at step {step}");
        }
        Assert.That(await Db.ListLengthAsync("q"), Is.EqualTo(model.Count));
        Assert.That(await All("q"), Is.EqualTo(model.ToArray()));
    }

    /// <summary>
    /// Tail pops read the chunks ahead of them down to the head; a push at the head then rewrites the
    /// head chunk, and the pops that reach it must see the push (its read-ahead copy is dropped).
    /// </summary>
    [Test]
    public async Task APushIntoAChunkReadAheadIsSeenByThePopsThatReachIt()
    {
        await Db.ListRightPushAsync("q", Enumerable.Range(0, 200).Select(i => (RebornValue)("e" + i)).ToArray());
        for (int i = 0; i < 10; i++) await Db.ListLeftPopAsync("q"); // the head now sits inside its chunk
        await Db.StringSetAsync("other", "x"); // nothing is remembered now
        var expected = new List<string>();
        for (int i = 199; i >= 190; i--)
        {
            // Pops of the tail chunk; the first pop after it reads its neighbour and the chunks beyond.
            Assert.That((string?)await Db.ListRightPopAsync("q"), Is.EqualTo("e" + i));
        }
        Assert.That((string?)await Db.ListRightPopAsync("q"), Is.EqualTo("e189"));
        await Db.ListLeftPushAsync("q", V("h1", "h2", "h3")); // into the head chunk, read ahead above
        for (int i = 188; i >= 10; i--) expected.Add("e" + i);
        expected.AddRange(["h1", "h2", "h3"]);
        foreach (var value in expected) Assert.That((string?)await Db.ListRightPopAsync("q"), Is.EqualTo(value));
        Assert.That(await Db.KeyExistsAsync("q"), Is.EqualTo(0));
    }

    /// <summary>
    /// Tail pops read chunks ahead; one pop of many then deletes some of those chunks whole, and pushes
    /// make them again: the pops that come back down read the new chunks, not the ones read ahead.
    /// </summary>
    [Test]
    public async Task ChunksReadAheadThenDeletedAndMadeAgainAreReadAfresh()
    {
        await Db.ListRightPushAsync("q", Enumerable.Range(0, 320).Select(i => (RebornValue)("e" + i)).ToArray());
        await Db.StringSetAsync("other", "x"); // nothing is remembered now
        for (int i = 319; i >= 280; i--) Assert.That((string?)await Db.ListRightPopAsync("q"), Is.EqualTo("e" + i)); // reads ahead below
        var bulk = await Db.ListRightPopAsync("q", 120); // [160, 280): chunks 6 and 7 go whole, the tail ends on a chunk's edge
        Assert.That(bulk!.Select(v => (string)v!), Is.EqualTo(Enumerable.Range(160, 120).Reverse().Select(i => "e" + i)));
        // Chunks 5 to 8 again, written without being read (nothing of them is live before).
        await Db.ListRightPushAsync("q", Enumerable.Range(0, 100).Select(i => (RebornValue)("n" + i)).ToArray());
        for (int i = 99; i >= 0; i--) Assert.That((string?)await Db.ListRightPopAsync("q"), Is.EqualTo("n" + i));
        for (int i = 159; i >= 0; i--) Assert.That((string?)await Db.ListRightPopAsync("q"), Is.EqualTo("e" + i));
        Assert.That(await Db.KeyExistsAsync("q"), Is.EqualTo(0));
    }
}
