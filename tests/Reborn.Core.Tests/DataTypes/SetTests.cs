using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Storage;

namespace Reborn.Core.Tests.DataTypes;

/// <summary>The set operations of <see cref="KeyValueDatabase"/>, on every engine.</summary>
[TestFixture(EngineKind.Memory)]
[TestFixture(EngineKind.RocksDb)]
[TestFixture(EngineKind.Faster)]
public sealed class SetTests(EngineKind engine)
{
    private string _directory = null!;
    private IKeyValueCluster _cluster = null!;
    private KeyValueDatabase _db = null!;

    [SetUp]
    public async Task Open()
    {
        _directory = Path.Combine(Path.GetTempPath(), "reborn-sets-" + Guid.NewGuid().ToString("N"));
        await OpenCluster();
    }

    private async Task OpenCluster()
    {
        _cluster = await RebornCluster.OpenAsync(new RebornClusterOptions
        {
            Engine = engine,
            DataDirectory = _directory,
            Durability = Durability.Never,
            BackgroundSweeps = false,
        });
        _db = _cluster.GetDatabase(0);
    }

    [TearDown]
    public async Task Close()
    {
        await _cluster.DisposeAsync();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static RebornValue[] V(params string[] values) => values.Select(v => (RebornValue)v).ToArray();

    private static string[] Sorted(RebornValue[] values) => values.Select(v => (string)v!).OrderBy(s => s, StringComparer.Ordinal).ToArray();

    private async Task<string[]> Members(RebornKey key) => Sorted(await _db.SetMembersAsync(key));

    /// <summary>Element records in the engine, live or garbage.</summary>
    private long ElementRecords()
    {
        long count = 0;
        foreach (var keyspace in ((RebornCluster)_cluster).AllKeyspaces)
        {
            using var it = keyspace.Engine.CreateIterator([], [KeyEncoding.SystemPrefix, KeyEncoding.SystemPrefix]);
            for (it.SeekToFirst(); it.Valid; it.Next())
                if (it.Key[KeyEncoding.PrefixLength - 1] == KeyEncoding.KindElement) count++;
        }
        return count;
    }

    private static void ThrowsWrongType(AsyncTestDelegate action) =>
        Assert.That(Assert.ThrowsAsync<RebornException>(action)!.Message, Is.EqualTo(Errors.WrongType));

    [Test]
    public async Task AddsRemovesAndAnswersMembership()
    {
        Assert.That(await _db.SetAddAsync("s", V("a", "b", "a", "c")), Is.EqualTo(3), "a repeated argument counts once");
        Assert.That(await _db.SetAddAsync("s", V("c", "d")), Is.EqualTo(1));
        Assert.That(await _db.SetLengthAsync("s"), Is.EqualTo(4));
        Assert.That(await Members("s"), Is.EqualTo(new[] { "a", "b", "c", "d" }));
        Assert.That(await _db.SetContainsAsync("s", "b"), Is.True);
        Assert.That(await _db.SetContainsAsync("s", "z"), Is.False);
        Assert.That(await _db.SetContainsAsync("s", V("a", "z", "d")), Is.EqualTo(new[] { true, false, true }));
        Assert.That(await _db.SetRemoveAsync("s", V("a", "a", "z")), Is.EqualTo(1));
        Assert.That(await _db.SetRemoveAsync("s", V("b", "c", "d")), Is.EqualTo(3));
        Assert.That(await _db.KeyExistsAsync("s"), Is.EqualTo(0), "an emptied set is deleted");
        Assert.That(ElementRecords(), Is.EqualTo(0));
    }

    [Test]
    public async Task MissingKeysReadAsEmptySets()
    {
        Assert.That(await _db.SetLengthAsync("none"), Is.EqualTo(0));
        Assert.That(await _db.SetContainsAsync("none", "a"), Is.False);
        Assert.That(await _db.SetContainsAsync("none", V("a", "b")), Is.EqualTo(new[] { false, false }));
        Assert.That(await _db.SetMembersAsync("none"), Is.Empty);
        Assert.That(await _db.SetRemoveAsync("none", V("a")), Is.EqualTo(0));
        Assert.That((await _db.SetPopAsync("none")).IsNull, Is.True);
        Assert.That(await _db.SetPopAsync("none", 3), Is.Empty);
        Assert.That((await _db.SetRandomMemberAsync("none")).IsNull, Is.True);
        Assert.That(await _db.SetRandomMembersAsync("none", -3), Is.Empty);
        Assert.That((await _db.SetScanAsync("none", 0)).Items, Is.Empty);
    }

    [Test]
    public async Task MembersAreBinarySafeIncludingEmpty()
    {
        byte[] binary = [0, 255, 1, 0];
        Assert.That(await _db.SetAddAsync("s", "", binary, "x"), Is.EqualTo(3));
        Assert.That(await _db.SetContainsAsync("s", ""), Is.True);
        Assert.That(await _db.SetContainsAsync("s", binary), Is.True);
        Assert.That(await _db.SetContainsAsync("s", new byte[] { 0, 255, 1 }), Is.False);
        var members = await _db.SetMembersAsync("s");
        Assert.That(members.Select(m => m.Span.ToArray()), Has.Member(Array.Empty<byte>()).And.Member(binary));
    }

    [Test]
    public async Task OtherTypesAreWrongType()
    {
        await _db.StringSetAsync("str", "v");
        ThrowsWrongType(async () => await _db.SetAddAsync("str", V("a")));
        ThrowsWrongType(async () => await _db.SetRemoveAsync("str", V("a")));
        ThrowsWrongType(async () => await _db.SetLengthAsync("str"));
        ThrowsWrongType(async () => await _db.SetMembersAsync("str"));
        ThrowsWrongType(async () => await _db.SetPopAsync("str", 0));
        ThrowsWrongType(async () => await _db.SetRandomMembersAsync("str", 0));
        ThrowsWrongType(async () => await _db.SetCombineAsync(SetOperation.Intersect, "missing", "str"));
        ThrowsWrongType(async () => await _db.SetScanAsync("str", 0));
        Assert.That((string?)await _db.StringGetAsync("str"), Is.EqualTo("v"));
    }

    [Test]
    public async Task WritesKeepTheExpiry()
    {
        await _db.SetAddAsync("s", V("a", "b"));
        await _db.KeyExpireAsync("s", TimeSpan.FromMinutes(10));
        await _db.SetAddAsync("s", V("c"));
        await _db.SetRemoveAsync("s", V("a"));
        await _db.SetMoveAsync("other", "s", "zz");
        Assert.That(await _db.KeyTimeToLiveMsAsync("s"), Is.GreaterThan(0));
    }

    [Test]
    public async Task PopRemovesRandomMembers()
    {
        await _db.SetAddAsync("s", V("a", "b", "c", "d", "e"));
        var one = (string)(await _db.SetPopAsync("s"))!;
        Assert.That(await _db.SetContainsAsync("s", one), Is.False);
        var two = Sorted(await _db.SetPopAsync("s", 2));
        Assert.That(two.Distinct().Count(), Is.EqualTo(2));
        Assert.That(await _db.SetLengthAsync("s"), Is.EqualTo(2));
        var rest = await Members("s");
        Assert.That(rest.Concat(two).Append(one).OrderBy(s => s, StringComparer.Ordinal), Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));
        Assert.That(await _db.SetPopAsync("s", 0), Is.Empty);
        Assert.That(Sorted(await _db.SetPopAsync("s", 100)), Is.EqualTo(rest));
        Assert.That(await _db.KeyExistsAsync("s"), Is.EqualTo(0));
        Assert.That(Assert.ThrowsAsync<RebornException>(async () => await _db.SetPopAsync("s", -1))!.Message, Is.EqualTo(Errors.PositiveCount));
    }

    [Test]
    public async Task RandomMembersAreDistinctForPositiveCountsAndMayRepeatForNegative()
    {
        var all = new[] { "a", "b", "c", "d", "e", "f" };
        await _db.SetAddAsync("s", V(all));
        Assert.That(all, Does.Contain((string?)await _db.SetRandomMemberAsync("s")));
        var three = (await _db.SetRandomMembersAsync("s", 3)).Select(v => (string)v!).ToArray();
        Assert.That(three, Is.Unique.And.Length.EqualTo(3).And.SubsetOf(all));
        Assert.That(Sorted(await _db.SetRandomMembersAsync("s", 100)), Is.EqualTo(all));
        var many = (await _db.SetRandomMembersAsync("s", -50)).Select(v => (string)v!).ToArray();
        Assert.That(many, Has.Length.EqualTo(50).And.All.Matches<string>(all.Contains));
        Assert.That(many.Distinct().Count(), Is.LessThan(50), "a negative count repeats members");
        Assert.That(await _db.SetRandomMembersAsync("s", 0), Is.Empty);
        Assert.That(await _db.SetLengthAsync("s"), Is.EqualTo(6), "SRANDMEMBER does not remove");
    }

    [Test]
    public async Task MoveTransfersAMember()
    {
        await _db.SetAddAsync("src", V("a", "b"));
        Assert.That(await _db.SetMoveAsync("src", "dst", "a"), Is.True);
        Assert.That(await Members("dst"), Is.EqualTo(new[] { "a" }));
        Assert.That(await _db.SetMoveAsync("src", "dst", "zz"), Is.False);
        Assert.That(await _db.SetMoveAsync("src", "src", "b"), Is.True, "same key: a no-op that reports membership");
        Assert.That(await _db.SetMoveAsync("src", "src", "zz"), Is.False);
        await _db.SetAddAsync("dst", V("b"));
        Assert.That(await _db.SetMoveAsync("src", "dst", "b"), Is.True, "already in the destination: still moved");
        Assert.That(await _db.KeyExistsAsync("src"), Is.EqualTo(0));
        Assert.That(await Members("dst"), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(await _db.SetMoveAsync("missing", "dst", "a"), Is.False);

        await _db.StringSetAsync("str", "v");
        Assert.That(await _db.SetMoveAsync("missing", "str", "a"), Is.False, "a missing source answers before the type check");
        ThrowsWrongType(async () => await _db.SetMoveAsync("dst", "str", "a"));
        ThrowsWrongType(async () => await _db.SetMoveAsync("dst", "str", "nope"));
        Assert.That(await Members("dst"), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task CombinesSets()
    {
        await _db.SetAddAsync("x", V("a", "b", "c", "d"));
        await _db.SetAddAsync("y", V("c", "d", "e"));
        await _db.SetAddAsync("z", V("d", "f"));
        Assert.That(Sorted(await _db.SetCombineAsync(SetOperation.Intersect, "x", "y", "z")), Is.EqualTo(new[] { "d" }));
        Assert.That(Sorted(await _db.SetCombineAsync(SetOperation.Union, "x", "y", "missing")), Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));
        Assert.That(Sorted(await _db.SetCombineAsync(SetOperation.Difference, "x", "y", "missing")), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(await _db.SetCombineAsync(SetOperation.Intersect, "x", "missing"), Is.Empty);
        Assert.That(await _db.SetCombineAsync(SetOperation.Difference, "missing", "x"), Is.Empty);
        Assert.That(await _db.SetIntersectionLengthAsync(["x", "y"]), Is.EqualTo(2));
        Assert.That(await _db.SetIntersectionLengthAsync(["x", "y"], limit: 1), Is.EqualTo(1));
        Assert.That(await _db.SetIntersectionLengthAsync(["x", "missing"]), Is.EqualTo(0));
    }

    [Test]
    public async Task StoreOverwritesTheDestinationAndDeletesItOnEmptyResults()
    {
        await _db.SetAddAsync("x", V("a", "b", "c"));
        await _db.SetAddAsync("y", V("b", "c", "d"));
        await _db.StringSetAsync("dst", "string", TimeSpan.FromMinutes(5));
        Assert.That(await _db.SetCombineAndStoreAsync(SetOperation.Intersect, "dst", "x", "y"), Is.EqualTo(2));
        Assert.That(await _db.KeyTypeAsync("dst"), Is.EqualTo(RedisType.Set));
        Assert.That(await _db.KeyTimeToLiveMsAsync("dst"), Is.EqualTo(-1), "the destination's expiry is cleared");
        Assert.That(await Members("dst"), Is.EqualTo(new[] { "b", "c" }));

        Assert.That(await _db.SetCombineAndStoreAsync(SetOperation.Union, "x", "x", "y"), Is.EqualTo(4), "a source may be the destination");
        Assert.That(await Members("x"), Is.EqualTo(new[] { "a", "b", "c", "d" }));

        Assert.That(await _db.SetCombineAndStoreAsync(SetOperation.Difference, "dst", "y", "x"), Is.EqualTo(0));
        Assert.That(await _db.KeyExistsAsync("dst"), Is.EqualTo(0), "an empty result deletes the destination");
        await _cluster.SweepAsync();
        Assert.That(ElementRecords(), Is.EqualTo(7), "only x and y remain");
    }

    [Test]
    public async Task ScanVisitsEveryMemberOnce()
    {
        var expected = Enumerable.Range(0, 1000).Select(i => "m" + i).ToArray();
        await _db.SetAddAsync("s", V(expected));
        var seen = new List<string>();
        long cursor = 0;
        int pages = 0;
        do
        {
            var page = await _db.SetScanAsync("s", cursor, count: 64);
            seen.AddRange(page.Items.Select(v => (string)v!));
            cursor = page.Cursor;
            pages++;
        }
        while (cursor != 0);
        Assert.That(pages, Is.GreaterThan(10));
        Assert.That(seen.OrderBy(s => s, StringComparer.Ordinal), Is.EqualTo(expected.OrderBy(s => s, StringComparer.Ordinal)));

        var matched = await _db.SetScanAsync("s", 0, "m99*", count: 10_000);
        Assert.That(matched.Cursor, Is.EqualTo(0));
        Assert.That(Sorted(matched.Items), Is.EqualTo(new[] { "m99", "m990", "m991", "m992", "m993", "m994", "m995", "m996", "m997", "m998", "m999" }));
    }

    [Test]
    public async Task BigSetIsDeletedInConstantTimeAndSweptAway()
    {
        const int size = 5_000;
        var members = Enumerable.Range(0, size).Select(i => (RebornValue)("member:" + i)).ToArray();
        for (int i = 0; i < size; i += 500)
            await _db.SetAddAsync("big", members[i..(i + 500)]);
        Assert.That(await _db.SetLengthAsync("big"), Is.EqualTo(size));
        Assert.That(await _db.SetContainsAsync("big", "member:4321"), Is.True);
        Assert.That(await _db.SetRandomMembersAsync("big", 10), Is.Unique.And.Length.EqualTo(10));
        Assert.That(await _db.SetPopAsync("big", 10), Has.Length.EqualTo(10));
        Assert.That(ElementRecords(), Is.EqualTo(size - 10));

        Assert.That(await _db.KeyDeleteAsync("big"), Is.EqualTo(1));
        Assert.That(await _db.SetLengthAsync("big"), Is.EqualTo(0));
        Assert.That(ElementRecords(), Is.EqualTo(size - 10), "DEL leaves the elements to the sweep");
        await _cluster.SweepAsync();
        Assert.That(ElementRecords(), Is.EqualTo(0));
    }

    [Test]
    public async Task SurvivesReopen()
    {
        if (engine == EngineKind.Memory) Assert.Ignore("the in-memory engine is not durable");
        await _db.SetAddAsync("s", V("a", "b", "c"));
        await _db.SetRemoveAsync("s", V("b"));
        await _cluster.DisposeAsync();
        await OpenCluster();
        Assert.That(await Members("s"), Is.EqualTo(new[] { "a", "c" }));
        Assert.That(await _db.SetLengthAsync("s"), Is.EqualTo(2));
    }
}
