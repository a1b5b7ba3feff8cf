using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Storage;

namespace Reborn.Core.Tests.DataTypes;

/// <summary>The set operations of <see cref="KeyValueDatabase"/>, on every engine.</summary>
[TestFixture(EngineKind.Memory)]
[TestFixture(EngineKind.RocksDb)]
[TestFixture(EngineKind.Faster)]
public sealed class SetTests(EngineKind engine) : EngineTestBase(engine)
{
    private static RebornValue[] V(params string[] values) => values.Select(v => (RebornValue)v).ToArray();

    private static string[] Sorted(RebornValue[] values) => values.Select(v => (string)v!).OrderBy(s => s, StringComparer.Ordinal).ToArray();

    private async Task<string[]> Members(RebornKey key) => Sorted(await Db.SetMembersAsync(key));


    private static void ThrowsWrongType(AsyncTestDelegate action) =>
        Assert.That(Assert.ThrowsAsync<RebornException>(action)!.Message, Is.EqualTo(Errors.WrongType));

    [Test]
    public async Task AddsRemovesAndAnswersMembership()
    {
        Assert.That(await Db.SetAddAsync("s", V("a", "b", "a", "c")), Is.EqualTo(3), "a repeated argument counts once");
        Assert.That(await Db.SetAddAsync("s", V("c", "d")), Is.EqualTo(1));
        Assert.That(await Db.SetLengthAsync("s"), Is.EqualTo(4));
        Assert.That(await Members("s"), Is.EqualTo(new[] { "a", "b", "c", "d" }));
        Assert.That(await Db.SetContainsAsync("s", "b"), Is.True);
        Assert.That(await Db.SetContainsAsync("s", "z"), Is.False);
        Assert.That(await Db.SetContainsAsync("s", V("a", "z", "d")), Is.EqualTo(new[] { true, false, true }));
        Assert.That(await Db.SetRemoveAsync("s", V("a", "a", "z")), Is.EqualTo(1));
        Assert.That(await Db.SetRemoveAsync("s", V("b", "c", "d")), Is.EqualTo(3));
        Assert.That(await Db.KeyExistsAsync("s"), Is.EqualTo(0), "an emptied set is deleted");
        Assert.That(ElementRecords(), Is.EqualTo(0));
    }

    [Test]
    public async Task MissingKeysReadAsEmptySets()
    {
        Assert.That(await Db.SetLengthAsync("none"), Is.EqualTo(0));
        Assert.That(await Db.SetContainsAsync("none", "a"), Is.False);
        Assert.That(await Db.SetContainsAsync("none", V("a", "b")), Is.EqualTo(new[] { false, false }));
        Assert.That(await Db.SetMembersAsync("none"), Is.Empty);
        Assert.That(await Db.SetRemoveAsync("none", V("a")), Is.EqualTo(0));
        Assert.That((await Db.SetPopAsync("none")).IsNull, Is.True);
        Assert.That(await Db.SetPopAsync("none", 3), Is.Empty);
        Assert.That((await Db.SetRandomMemberAsync("none")).IsNull, Is.True);
        Assert.That(await Db.SetRandomMembersAsync("none", -3), Is.Empty);
        Assert.That((await Db.SetScanAsync("none", 0)).Items, Is.Empty);
    }

    [Test]
    public async Task MembersAreBinarySafeIncludingEmpty()
    {
        byte[] binary = [0, 255, 1, 0];
        Assert.That(await Db.SetAddAsync("s", "", binary, "x"), Is.EqualTo(3));
        Assert.That(await Db.SetContainsAsync("s", ""), Is.True);
        Assert.That(await Db.SetContainsAsync("s", binary), Is.True);
        Assert.That(await Db.SetContainsAsync("s", new byte[] { 0, 255, 1 }), Is.False);
        var members = await Db.SetMembersAsync("s");
        Assert.That(members.Select(m => m.Span.ToArray()), Has.Member(Array.Empty<byte>()).And.Member(binary));
    }

    [Test]
    public async Task OtherTypesAreWrongType()
    {
        await Db.StringSetAsync("str", "v");
        ThrowsWrongType(async () => await Db.SetAddAsync("str", V("a")));
        ThrowsWrongType(async () => await Db.SetRemoveAsync("str", V("a")));
        ThrowsWrongType(async () => await Db.SetLengthAsync("str"));
        ThrowsWrongType(async () => await Db.SetMembersAsync("str"));
        ThrowsWrongType(async () => await Db.SetPopAsync("str", 0));
        ThrowsWrongType(async () => await Db.SetRandomMembersAsync("str", 0));
        ThrowsWrongType(async () => await Db.SetCombineAsync(SetOperation.Intersect, "missing", "str"));
        ThrowsWrongType(async () => await Db.SetScanAsync("str", 0));
        Assert.That((string?)await Db.StringGetAsync("str"), Is.EqualTo("v"));
    }

    [Test]
    public async Task WritesKeepTheExpiry()
    {
        await Db.SetAddAsync("s", V("a", "b"));
        await Db.KeyExpireAsync("s", TimeSpan.FromMinutes(10));
        await Db.SetAddAsync("s", V("c"));
        await Db.SetRemoveAsync("s", V("a"));
        await Db.SetMoveAsync("other", "s", "zz");
        Assert.That(await Db.KeyTimeToLiveMsAsync("s"), Is.GreaterThan(0));
    }

    [Test]
    public async Task PopRemovesRandomMembers()
    {
        await Db.SetAddAsync("s", V("a", "b", "c", "d", "e"));
        var one = (string)(await Db.SetPopAsync("s"))!;
        Assert.That(await Db.SetContainsAsync("s", one), Is.False);
        var two = Sorted(await Db.SetPopAsync("s", 2));
        Assert.That(two.Distinct().Count(), Is.EqualTo(2));
        Assert.That(await Db.SetLengthAsync("s"), Is.EqualTo(2));
        var rest = await Members("s");
        Assert.That(rest.Concat(two).Append(one).OrderBy(s => s, StringComparer.Ordinal), Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));
        Assert.That(await Db.SetPopAsync("s", 0), Is.Empty);
        Assert.That(Sorted(await Db.SetPopAsync("s", 100)), Is.EqualTo(rest));
        Assert.That(await Db.KeyExistsAsync("s"), Is.EqualTo(0));
        Assert.That(Assert.ThrowsAsync<RebornException>(async () => await Db.SetPopAsync("s", -1))!.Message, Is.EqualTo(Errors.PositiveCount));
    }

    [Test]
    public async Task RandomMembersAreDistinctForPositiveCountsAndMayRepeatForNegative()
    {
        var all = new[] { "a", "b", "c", "d", "e", "f" };
        await Db.SetAddAsync("s", V(all));
        Assert.That(all, Does.Contain((string?)await Db.SetRandomMemberAsync("s")));
        var three = (await Db.SetRandomMembersAsync("s", 3)).Select(v => (string)v!).ToArray();
        Assert.That(three, Is.Unique.And.Length.EqualTo(3).And.SubsetOf(all));
        Assert.That(Sorted(await Db.SetRandomMembersAsync("s", 100)), Is.EqualTo(all));
        var many = (await Db.SetRandomMembersAsync("s", -50)).Select(v => (string)v!).ToArray();
        Assert.That(many, Has.Length.EqualTo(50).And.All.Matches<string>(all.Contains));
        Assert.That(many.Distinct().Count(), Is.LessThan(50), "a negative count repeats members");
        Assert.That(await Db.SetRandomMembersAsync("s", 0), Is.Empty);
        Assert.That(await Db.SetLengthAsync("s"), Is.EqualTo(6), "SRANDMEMBER does not remove");
    }

    [Test]
    public async Task MoveTransfersAMember()
    {
        await Db.SetAddAsync("src", V("a", "b"));
        Assert.That(await Db.SetMoveAsync("src", "dst", "a"), Is.True);
        Assert.That(await Members("dst"), Is.EqualTo(new[] { "a" }));
        Assert.That(await Db.SetMoveAsync("src", "dst", "zz"), Is.False);
        Assert.That(await Db.SetMoveAsync("src", "src", "b"), Is.True, "same key: a no-op that reports membership");
        Assert.That(await Db.SetMoveAsync("src", "src", "zz"), Is.False);
        await Db.SetAddAsync("dst", V("b"));
        Assert.That(await Db.SetMoveAsync("src", "dst", "b"), Is.True, "already in the destination: still moved");
        Assert.That(await Db.KeyExistsAsync("src"), Is.EqualTo(0));
        Assert.That(await Members("dst"), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(await Db.SetMoveAsync("missing", "dst", "a"), Is.False);

        await Db.StringSetAsync("str", "v");
        Assert.That(await Db.SetMoveAsync("missing", "str", "a"), Is.False, "a missing source answers before the type check");
        ThrowsWrongType(async () => await Db.SetMoveAsync("dst", "str", "a"));
        ThrowsWrongType(async () => await Db.SetMoveAsync("dst", "str", "nope"));
        Assert.That(await Members("dst"), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task CombinesSets()
    {
        await Db.SetAddAsync("x", V("a", "b", "c", "d"));
        await Db.SetAddAsync("y", V("c", "d", "e"));
        await Db.SetAddAsync("z", V("d", "f"));
        Assert.That(Sorted(await Db.SetCombineAsync(SetOperation.Intersect, "x", "y", "z")), Is.EqualTo(new[] { "d" }));
        Assert.That(Sorted(await Db.SetCombineAsync(SetOperation.Union, "x", "y", "missing")), Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));
        Assert.That(Sorted(await Db.SetCombineAsync(SetOperation.Difference, "x", "y", "missing")), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(await Db.SetCombineAsync(SetOperation.Intersect, "x", "missing"), Is.Empty);
        Assert.That(await Db.SetCombineAsync(SetOperation.Difference, "missing", "x"), Is.Empty);
        Assert.That(await Db.SetIntersectionLengthAsync(["x", "y"]), Is.EqualTo(2));
        Assert.That(await Db.SetIntersectionLengthAsync(["x", "y"], limit: 1), Is.EqualTo(1));
        Assert.That(await Db.SetIntersectionLengthAsync(["x", "missing"]), Is.EqualTo(0));
    }

    [Test]
    public async Task StoreOverwritesTheDestinationAndDeletesItOnEmptyResults()
    {
        await Db.SetAddAsync("x", V("a", "b", "c"));
        await Db.SetAddAsync("y", V("b", "c", "d"));
        await Db.StringSetAsync("dst", "string", TimeSpan.FromMinutes(5));
        Assert.That(await Db.SetCombineAndStoreAsync(SetOperation.Intersect, "dst", "x", "y"), Is.EqualTo(2));
        Assert.That(await Db.KeyTypeAsync("dst"), Is.EqualTo(RedisType.Set));
        Assert.That(await Db.KeyTimeToLiveMsAsync("dst"), Is.EqualTo(-1), "the destination's expiry is cleared");
        Assert.That(await Members("dst"), Is.EqualTo(new[] { "b", "c" }));

        Assert.That(await Db.SetCombineAndStoreAsync(SetOperation.Union, "x", "x", "y"), Is.EqualTo(4), "a source may be the destination");
        Assert.That(await Members("x"), Is.EqualTo(new[] { "a", "b", "c", "d" }));

        Assert.That(await Db.SetCombineAndStoreAsync(SetOperation.Difference, "dst", "y", "x"), Is.EqualTo(0));
        Assert.That(await Db.KeyExistsAsync("dst"), Is.EqualTo(0), "an empty result deletes the destination");
        await Cluster.SweepAsync();
        Assert.That(ElementRecords(), Is.EqualTo(7), "only x and y remain");
    }

    [Test]
    public async Task ScanVisitsEveryMemberOnce()
    {
        var expected = Enumerable.Range(0, 1000).Select(i => "m" + i).ToArray();
        await Db.SetAddAsync("s", V(expected));
        var seen = new List<string>();
        long cursor = 0;
        int pages = 0;
        do
        {
            var page = await Db.SetScanAsync("s", cursor, count: 64);
            seen.AddRange(page.Items.Select(v => (string)v!));
            cursor = page.Cursor;
            pages++;
        }
        while (cursor != 0);
        Assert.That(pages, Is.GreaterThan(10));
        Assert.That(seen.OrderBy(s => s, StringComparer.Ordinal), Is.EqualTo(expected.OrderBy(s => s, StringComparer.Ordinal)));

        var matched = await Db.SetScanAsync("s", 0, "m99*", count: 10_000);
        Assert.That(matched.Cursor, Is.EqualTo(0));
        Assert.That(Sorted(matched.Items), Is.EqualTo(new[] { "m99", "m990", "m991", "m992", "m993", "m994", "m995", "m996", "m997", "m998", "m999" }));
    }

    [Test]
    public async Task BigSetIsDeletedInConstantTimeAndSweptAway()
    {
        const int size = 5_000;
        var members = Enumerable.Range(0, size).Select(i => (RebornValue)("member:" + i)).ToArray();
        for (int i = 0; i < size; i += 500)
            await Db.SetAddAsync("big", members[i..(i + 500)]);
        Assert.That(await Db.SetLengthAsync("big"), Is.EqualTo(size));
        Assert.That(await Db.SetContainsAsync("big", "member:4321"), Is.True);
        Assert.That(await Db.SetRandomMembersAsync("big", 10), Is.Unique.And.Length.EqualTo(10));
        Assert.That(await Db.SetPopAsync("big", 10), Has.Length.EqualTo(10));
        Assert.That(ElementRecords(), Is.EqualTo(size - 10));

        Assert.That(await Db.KeyDeleteAsync("big"), Is.EqualTo(1));
        Assert.That(await Db.SetLengthAsync("big"), Is.EqualTo(0));
        Assert.That(ElementRecords(), Is.EqualTo(size - 10), "DEL leaves the elements to the sweep");
        await Cluster.SweepAsync();
        Assert.That(ElementRecords(), Is.EqualTo(0));
    }

    [Test]
    public async Task SurvivesReopen()
    {
        if (Engine == EngineKind.Memory) Assert.Ignore("the in-memory Engine is not durable");
        await Db.SetAddAsync("s", V("a", "b", "c"));
        await Db.SetRemoveAsync("s", V("b"));
        await Cluster.DisposeAsync();
        await OpenClusterAsync();
        Assert.That(await Members("s"), Is.EqualTo(new[] { "a", "c" }));
        Assert.That(await Db.SetLengthAsync("s"), Is.EqualTo(2));
    }
}
