using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Storage;

namespace Reborn.Core.Tests.DataTypes;

/// <summary>The sorted-set operations of <see cref="KeyValueDatabase"/>, on every engine.</summary>
[TestFixture(EngineKind.Memory)]
[TestFixture(EngineKind.RocksDb)]
[TestFixture(EngineKind.Faster)]
public sealed class SortedSetTests(EngineKind engine) : EngineTestBase(engine)
{
    private static SortedSetEntry[] E(params (string Member, double Score)[] pairs)
        => pairs.Select(p => new SortedSetEntry(p.Member, p.Score)).ToArray();

    private static string[] Members(SortedSetEntry[] entries) => entries.Select(e => (string)e.Member!).ToArray();

    private static (string, double)[] Pairs(SortedSetEntry[] entries) => entries.Select(e => ((string)e.Member!, e.Score)).ToArray();

    /// <summary>Element and score-index records in the Engine (live or garbage).</summary>
    private (long Elements, long Scores) Records() => (RecordsOfKind(KeyEncoding.KindElement), RecordsOfKind(KeyEncoding.KindScore));

    [Test]
    public async Task AddsScoresRanksAndRangesInScoreThenMemberOrder()
    {
        Assert.That(await Db.SortedSetAddAsync("z", E(("b", 2), ("a", 2), ("c", 1), ("d", -1.5))), Is.EqualTo(4));
        Assert.That(await Db.SortedSetAddAsync("z", E(("a", 3), ("e", 0))), Is.EqualTo(1), "a is updated, not added");
        Assert.That(await Db.SortedSetLengthAsync("z"), Is.EqualTo(5));
        Assert.That(await Db.SortedSetScoreAsync("z", "a"), Is.EqualTo(3));
        Assert.That(await Db.SortedSetScoreAsync("z", "nope"), Is.Null);
        Assert.That(await Db.SortedSetScoresAsync("z", "c", "nope", "d"), Is.EqualTo(new double?[] { 1, null, -1.5 }));
        Assert.That(Pairs(await Db.SortedSetRangeByRankAsync("z")),
            Is.EqualTo(new[] { ("d", -1.5), ("e", 0.0), ("c", 1.0), ("b", 2.0), ("a", 3.0) }));
        Assert.That(Members(await Db.SortedSetRangeByRankAsync("z", -2, -1)), Is.EqualTo(new[] { "b", "a" }));
        Assert.That(Members(await Db.SortedSetRangeByRankAsync("z", 0, 1, SortedSetOrder.Descending)), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(await Db.SortedSetRangeByRankAsync("z", 3, 1), Is.Empty);
        Assert.That(await Db.SortedSetRankAsync("z", "c"), Is.EqualTo(2));
        Assert.That(await Db.SortedSetRankAsync("z", "c", SortedSetOrder.Descending), Is.EqualTo(2));
        Assert.That(await Db.SortedSetRankAsync("z", "d", SortedSetOrder.Descending), Is.EqualTo(4));
        Assert.That(await Db.SortedSetRankAsync("z", "nope"), Is.Null);
        Assert.That(await Db.SortedSetRankAsync("missing", "a"), Is.Null);
    }

    [Test]
    public async Task AddConditionsAndIncrements()
    {
        await Db.SortedSetAddAsync("z", E(("a", 5)));
        Assert.That(await Db.SortedSetAddAsync("z", E(("a", 1), ("b", 1)), SortedSetWhen.NotExists), Is.EqualTo(1));
        Assert.That(await Db.SortedSetScoreAsync("z", "a"), Is.EqualTo(5), "NX leaves existing members alone");
        Assert.That(await Db.SortedSetAddAsync("z", E(("a", 4), ("c", 1)), SortedSetWhen.Exists, returnChanged: true), Is.EqualTo(1));
        Assert.That(await Db.SortedSetScoreAsync("z", "c"), Is.Null, "XX adds nothing");
        Assert.That(await Db.SortedSetAddAsync("z", E(("a", 3)), SortedSetWhen.GreaterThan, returnChanged: true), Is.EqualTo(0));
        Assert.That(await Db.SortedSetAddAsync("z", E(("a", 9)), SortedSetWhen.GreaterThan, returnChanged: true), Is.EqualTo(1));
        Assert.That(await Db.SortedSetAddAsync("z", E(("a", 7), ("a", 1)), returnChanged: true), Is.EqualTo(2),
            "pairs apply in order: a member named twice ends with its last score");
        Assert.That(await Db.SortedSetScoreAsync("z", "a"), Is.EqualTo(1));
        Assert.That(await Db.SortedSetAddAsync("z", E(("a", 0), ("a", 2)), SortedSetWhen.LessThan, returnChanged: true), Is.EqualTo(1),
            "LT compares with the score the first pair left");
        Assert.That(await Db.SortedSetScoreAsync("z", "a"), Is.EqualTo(0));
        await Db.SortedSetAddAsync("z", E(("a", 1)));

        Assert.That(await Db.SortedSetIncrementAsync("z", "a", 2.5), Is.EqualTo(3.5));
        Assert.That(await Db.SortedSetIncrementAsync("z", "new", -1), Is.EqualTo(-1));
        Assert.That(await Db.SortedSetIncrementAsync("z", "a", 1, SortedSetWhen.NotExists), Is.Null);
        Assert.That(await Db.SortedSetIncrementAsync("z", "a", -1, SortedSetWhen.GreaterThan), Is.Null);
        Assert.That(await Db.SortedSetIncrementAsync("absent", "a", 1, SortedSetWhen.Exists), Is.Null);
        Assert.That(await Db.KeyExistsAsync("absent"), Is.EqualTo(0), "XX on a missing key creates nothing");

        await Db.SortedSetAddAsync("inf", E(("m", double.PositiveInfinity)));
        var nan = Assert.ThrowsAsync<RebornException>(async () => await Db.SortedSetIncrementAsync("inf", "m", double.NegativeInfinity));
        Assert.That(nan!.Message, Is.EqualTo(Errors.ZsetNaN));
        Assert.That(await Db.SortedSetScoreAsync("inf", "m"), Is.EqualTo(double.PositiveInfinity));

        var incompatible = Assert.ThrowsAsync<RebornException>(async () => await Db.SortedSetAddAsync("z", E(("a", 1)), SortedSetWhen.NotExists | SortedSetWhen.GreaterThan));
        Assert.That(incompatible!.Message, Is.EqualTo(Errors.ZAddGtLtNx));
    }

    [Test]
    public async Task WritesKeepTheExpiryAndFoldNegativeZero()
    {
        await Db.SortedSetAddAsync("z", E(("a", 1)));
        await Db.KeyExpireAsync("z", TimeSpan.FromHours(1));
        await Db.SortedSetAddAsync("z", E(("a", -0.0), ("b", 2)));
        await Db.SortedSetRemoveAsync("z", "b");
        Assert.That(await Db.KeyTimeToLiveMsAsync("z"), Is.GreaterThan(0));
        var score = await Db.SortedSetScoreAsync("z", "a");
        Assert.That(double.IsNegative(score!.Value), Is.False, "-0 is stored as 0, as Redis's listpack does");
    }

    [Test]
    public async Task RangesByScoreAndLexWithLimits()
    {
        await Db.SortedSetAddAsync("z", E(("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)));
        Assert.That(Members(await Db.SortedSetRangeByScoreAsync("z", new SortedSetScoreRange(2, 4))), Is.EqualTo(new[] { "b", "c", "d" }));
        Assert.That(Members(await Db.SortedSetRangeByScoreAsync("z", new SortedSetScoreRange(2, 4, MinExclusive: true, MaxExclusive: true))), Is.EqualTo(new[] { "c" }));
        Assert.That(Members(await Db.SortedSetRangeByScoreAsync("z", SortedSetScoreRange.All, SortedSetOrder.Descending, 1, 2)), Is.EqualTo(new[] { "d", "c" }));
        Assert.That(await Db.SortedSetRangeByScoreAsync("z", SortedSetScoreRange.All, offset: -1), Is.Empty, "a negative offset selects nothing, as in Redis");
        Assert.That(await Db.SortedSetLengthAsync("z", new SortedSetScoreRange(double.NegativeInfinity, 3, MaxExclusive: true)), Is.EqualTo(2));

        await Db.SortedSetAddAsync("lex", E(("a", 0), ("b", 0), ("c", 0), ("d", 0)));
        var bc = new SortedSetLexRange(SortedSetLexBound.Inclusive("b"), SortedSetLexBound.Exclusive("d"));
        Assert.That(Members(await Db.SortedSetRangeByValueAsync("lex", bc)), Is.EqualTo(new[] { "b", "c" }));
        Assert.That(Members(await Db.SortedSetRangeByValueAsync("lex", SortedSetLexRange.All, SortedSetOrder.Descending, 0, 3)), Is.EqualTo(new[] { "d", "c", "b" }));
        Assert.That(await Db.SortedSetLengthByValueAsync("lex", bc), Is.EqualTo(2));
        var empty = new SortedSetLexRange(SortedSetLexBound.PositiveInfinity, SortedSetLexBound.NegativeInfinity);
        Assert.That(await Db.SortedSetLengthByValueAsync("lex", empty), Is.EqualTo(0));
    }

    [Test]
    public async Task RemovesByMemberRankScoreAndLexAndDeletesEmptiedSets()
    {
        await Db.SortedSetAddAsync("z", E(("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5), ("f", 6)));
        Assert.That(await Db.SortedSetRemoveAsync("z", "a", "a", "nope"), Is.EqualTo(1));
        Assert.That(await Db.SortedSetRemoveRangeByRankAsync("z", -1, -1), Is.EqualTo(1));
        Assert.That(await Db.SortedSetRemoveRangeByScoreAsync("z", new SortedSetScoreRange(2, 3)), Is.EqualTo(2));
        Assert.That(Members(await Db.SortedSetRangeByRankAsync("z")), Is.EqualTo(new[] { "d", "e" }));
        Assert.That(await Db.SortedSetRemoveRangeByValueAsync("z", SortedSetLexRange.All), Is.EqualTo(2));
        Assert.That(await Db.KeyExistsAsync("z"), Is.EqualTo(0));
        Assert.That(Records(), Is.EqualTo((0L, 0L)), "every element and score record went with its member");
    }

    [Test]
    public async Task PopsFromEitherEndAndAcrossKeys()
    {
        await Db.SortedSetAddAsync("z", E(("a", 1), ("b", 2), ("c", 3)));
        Assert.That(Pairs(await Db.SortedSetPopAsync("z")), Is.EqualTo(new[] { ("a", 1.0) }));
        Assert.That(Members(await Db.SortedSetPopAsync("z", SortedSetOrder.Descending, 5)), Is.EqualTo(new[] { "c", "b" }));
        Assert.That(await Db.KeyExistsAsync("z"), Is.EqualTo(0));
        Assert.That(await Db.SortedSetPopAsync("z"), Is.Empty);

        Assert.That(await Db.SortedSetPopAsync(["none", "other"], SortedSetOrder.Ascending), Is.Null);
        await Db.SortedSetAddAsync("second", E(("x", 1), ("y", 2)));
        var popped = await Db.SortedSetPopAsync(["none", "second"], SortedSetOrder.Descending, 1);
        Assert.That((string)popped!.Key.ToString(), Is.EqualTo("second"));
        Assert.That(Members(popped.Entries), Is.EqualTo(new[] { "y" }));

        await Db.StringSetAsync("str", "v");
        var wrong = Assert.ThrowsAsync<RebornException>(async () => await Db.SortedSetPopAsync(["none", "str", "second"], SortedSetOrder.Ascending));
        Assert.That(wrong!.Message, Is.EqualTo(Errors.WrongType));
        Assert.That(Records(), Is.EqualTo((1L, 1L)));
    }

    [Test]
    public async Task ReportsKeysThatBecomeNonEmpty()
    {
        var ready = new List<string>();
        Cluster.KeyReady += (db, key) => { lock (ready) ready.Add(System.Text.Encoding.UTF8.GetString(key)); };
        await Db.SortedSetAddAsync("z", E(("a", 1)));
        await Db.SortedSetAddAsync("z", E(("b", 1)));
        await Db.SortedSetAddAsync("src", E(("m", 1)));
        await Db.SortedSetCombineAndStoreAsync(SortedSetOperation.Union, "dst", ["src"]);
        await Db.SortedSetRangeAndStoreAsync("dst2", "src", SortedSetRangeQuery.ByRank());
        lock (ready) Assert.That(ready, Is.EqualTo(new[] { "z", "src", "dst", "dst2" }));
    }

    [Test]
    public async Task CombinesSortedSetsAndSetsWithWeightsAndAggregates()
    {
        await Db.SortedSetAddAsync("z1", E(("a", 1), ("b", 2), ("c", 3)));
        await Db.SortedSetAddAsync("z2", E(("b", 10), ("c", 20), ("d", 30)));
        await Db.SetAddAsync("s", "c", "e");

        Assert.That(Pairs(await Db.SortedSetCombineAsync(SortedSetOperation.Union, ["z1", "z2", "s"])),
            Is.EqualTo(new[] { ("a", 1.0), ("e", 1.0), ("b", 12.0), ("c", 24.0), ("d", 30.0) }));
        Assert.That(Pairs(await Db.SortedSetCombineAsync(SortedSetOperation.Intersect, ["z1", "z2"], [2, 0.5], SortedSetAggregate.Max)),
            Is.EqualTo(new[] { ("b", 5.0), ("c", 10.0) }));
        Assert.That(Pairs(await Db.SortedSetCombineAsync(SortedSetOperation.Intersect, ["z1", "z2", "s"], aggregate: SortedSetAggregate.Min)),
            Is.EqualTo(new[] { ("c", 1.0) }));
        Assert.That(Pairs(await Db.SortedSetCombineAsync(SortedSetOperation.Difference, ["z1", "z2", "missing"])), Is.EqualTo(new[] { ("a", 1.0) }));
        Assert.That(await Db.SortedSetCombineAsync(SortedSetOperation.Difference, ["z1", "z1"]), Is.Empty);
        Assert.That(await Db.SortedSetIntersectionLengthAsync(["z1", "z2"]), Is.EqualTo(2));
        Assert.That(await Db.SortedSetIntersectionLengthAsync(["z1", "z2"], limit: 1), Is.EqualTo(1));

        // The destination is overwritten whatever it held, and its expiry goes with it.
        await Db.StringSetAsync("dst", "old");
        await Db.KeyExpireAsync("dst", TimeSpan.FromHours(1));
        Assert.That(await Db.SortedSetCombineAndStoreAsync(SortedSetOperation.Union, "dst", ["z1", "s"], [1, -1]), Is.EqualTo(4));
        Assert.That(await Db.KeyTypeAsync("dst"), Is.EqualTo(RedisType.SortedSet));
        Assert.That(await Db.KeyTimeToLiveMsAsync("dst"), Is.EqualTo(-1));
        Assert.That(await Db.SortedSetScoreAsync("dst", "c"), Is.EqualTo(2));
        Assert.That(await Db.SortedSetCombineAndStoreAsync(SortedSetOperation.Intersect, "dst", ["z1", "missing"]), Is.EqualTo(0));
        Assert.That(await Db.KeyExistsAsync("dst"), Is.EqualTo(0), "an empty result deletes the destination");

        Assert.That(await Db.SortedSetRangeAndStoreAsync("top", "z2", SortedSetRangeQuery.ByRank(0, 1, SortedSetOrder.Descending)), Is.EqualTo(2));
        Assert.That(Members(await Db.SortedSetRangeByRankAsync("top")), Is.EqualTo(new[] { "c", "d" }));

        await Db.StringSetAsync("str", "v");
        Assert.ThrowsAsync<RebornException>(async () => await Db.SortedSetCombineAsync(SortedSetOperation.Union, ["z1", "str"]));
    }

    [Test]
    public async Task RandomMembers()
    {
        await Db.SortedSetAddAsync("z", E(("a", 1), ("b", 2), ("c", 3), ("d", 4)));
        Assert.That(new[] { "a", "b", "c", "d" }, Does.Contain((string?)await Db.SortedSetRandomMemberAsync("z")));
        Assert.That((await Db.SortedSetRandomMemberAsync("none")).IsNull, Is.True);
        var distinct = await Db.SortedSetRandomMembersAsync("z", 3);
        Assert.That(Members(distinct), Is.Unique.And.Length.EqualTo(3));
        Assert.That(Members(await Db.SortedSetRandomMembersAsync("z", 10)), Is.EquivalentTo(new[] { "a", "b", "c", "d" }));
        var repeated = await Db.SortedSetRandomMembersAsync("z", -20);
        Assert.That(repeated, Has.Length.EqualTo(20));
        Assert.That(repeated.All(e => e.Score == ((string)e.Member!)[0] - 'a' + 1), Is.True, "scores travel with their members");
        Assert.That(await Db.SortedSetRandomMembersAsync("z", 0), Is.Empty);
    }

    [Test]
    public async Task ScansSmallSetsWholeAndLargeSetsInPages()
    {
        await Db.SortedSetAddAsync("small", E(("a", 1), ("b", 2), ("hello", 3)));
        var page = await Db.SortedSetScanAsync("small", 0, count: 1);
        Assert.That(page.Cursor, Is.EqualTo(0));
        Assert.That(Members(page.Entries), Is.EquivalentTo(new[] { "a", "b", "hello" }));
        Assert.That(Members((await Db.SortedSetScanAsync("small", 0, "h*")).Entries), Is.EqualTo(new[] { "hello" }));

        var entries = Enumerable.Range(0, 500).Select(i => new SortedSetEntry("m" + i, i)).ToArray();
        await Db.SortedSetAddAsync("large", entries);
        var seen = new HashSet<string>();
        long cursor = 0;
        int steps = 0;
        do
        {
            var step = await Db.SortedSetScanAsync("large", cursor, count: 50);
            foreach (var e in step.Entries)
            {
                Assert.That(e.Score, Is.EqualTo(int.Parse(((string)e.Member!)[1..])));
                seen.Add((string)e.Member!);
            }
            cursor = step.Cursor;
            steps++;
        }
        while (cursor != 0);
        Assert.That(seen, Has.Count.EqualTo(500));
        Assert.That(steps, Is.GreaterThan(5));
    }

    [Test]
    public async Task BigSetRangesAndItsDeleteIsConstantTimeThenSwept()
    {
        const int size = 5000;
        var entries = Enumerable.Range(0, size).Select(i => new SortedSetEntry("member:" + i.ToString("D5"), size - i)).ToArray();
        for (int i = 0; i < size; i += 500)
            await Db.SortedSetAddAsync("big", entries[i..(i + 500)]);
        Assert.That(await Db.SortedSetLengthAsync("big"), Is.EqualTo(size));
        Assert.That(Members(await Db.SortedSetRangeByRankAsync("big", 0, 1)), Is.EqualTo(new[] { "member:04999", "member:04998" }));
        Assert.That(await Db.SortedSetRankAsync("big", "member:00000"), Is.EqualTo(size - 1));
        Assert.That(await Db.SortedSetRankAsync("big", "member:00000", SortedSetOrder.Descending), Is.EqualTo(0));
        Assert.That(await Db.SortedSetLengthAsync("big", new SortedSetScoreRange(1001, 2000)), Is.EqualTo(1000));
        Assert.That(Members(await Db.SortedSetRangeByScoreAsync("big", new SortedSetScoreRange(100, 200), SortedSetOrder.Descending, 10, 2)),
            Is.EqualTo(new[] { "member:04810", "member:04811" }));
        Assert.That(Records(), Is.EqualTo(((long)size, (long)size)));

        Assert.That(await Db.KeyDeleteAsync("big"), Is.EqualTo(1));
        Assert.That(await Db.SortedSetLengthAsync("big"), Is.EqualTo(0));
        Assert.That(Records(), Is.EqualTo(((long)size, (long)size)), "DEL only queues the old version for the sweep");
        await Cluster.SweepAsync();
        Assert.That(Records(), Is.EqualTo((0L, 0L)));

        // A new set under the same name starts from a fresh version.
        await Db.SortedSetAddAsync("big", E(("x", 1)));
        Assert.That(Members(await Db.SortedSetRangeByRankAsync("big")), Is.EqualTo(new[] { "x" }));
    }

    [Test]
    public async Task WrongTypeIsRefused()
    {
        await Db.StringSetAsync("s", "v");
        Assert.ThrowsAsync<RebornException>(async () => await Db.SortedSetAddAsync("s", E(("a", 1))));
        Assert.ThrowsAsync<RebornException>(async () => await Db.SortedSetLengthAsync("s"));
        Assert.ThrowsAsync<RebornException>(async () => await Db.SortedSetRangeByRankAsync("s"));
        Assert.That(await Db.SortedSetLengthAsync("none"), Is.EqualTo(0));
        Assert.That(await Db.SortedSetRangeByRankAsync("none"), Is.Empty);
    }
}
