using Reborn.Core.DataModel;

namespace Reborn.Core.Cluster;

public sealed partial class KeyValueDatabase
{
    /// <summary>
    /// ZADD: adds members or updates their scores under <paramref name="when"/> (NX, XX, GT, LT).
    /// Returns the number of members added, or added plus updated when <paramref name="returnChanged"/> (CH).
    /// </summary>
    public ValueTask<long> SortedSetAddAsync(RebornKey key, SortedSetEntry[] entries, SortedSetWhen when = SortedSetWhen.Always, bool returnChanged = false)
    {
        while (true)
        {
            try
            {
                var r = Route(key).ZAdd(Database, key.Span, SortedSetItems(entries), when, increment: false);
                return new(returnChanged ? r.Added + r.Updated : r.Added);
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZADD of one member: true when it was added (false when it existed or the condition stopped it).</summary>
    public ValueTask<bool> SortedSetAddAsync(RebornKey key, RebornValue member, double score, SortedSetWhen when = SortedSetWhen.Always)
    {
        while (true)
        {
            try { return new(Route(key).ZAdd(Database, key.Span, [new Keyspace.ZItem(member.Span.ToArray(), score)], when, increment: false).Added > 0); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// ZINCRBY, or ZADD INCR with a condition: the member's new score, or null when the condition
    /// (NX, XX, GT, LT) left it unchanged. A NaN result is an error and changes nothing.
    /// </summary>
    public ValueTask<double?> SortedSetIncrementAsync(RebornKey key, RebornValue member, double delta, SortedSetWhen when = SortedSetWhen.Always)
    {
        while (true)
        {
            try
            {
                var r = Route(key).ZAdd(Database, key.Span, [new Keyspace.ZItem(member.Span.ToArray(), delta)], when, increment: true);
                return new(r.Processed ? r.Score : null);
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZREM: the number of members removed; the key is deleted when the set becomes empty.</summary>
    public ValueTask<long> SortedSetRemoveAsync(RebornKey key, params RebornValue[] members)
    {
        while (true)
        {
            try { return new(Route(key).ZRem(Database, key.Span, SortedSetMembers(members))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZCARD: the number of members, 0 when the key is missing.</summary>
    public ValueTask<long> SortedSetLengthAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Route(key).ZCard(Database, key.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZCOUNT: the number of members whose score lies in <paramref name="range"/>.</summary>
    public ValueTask<long> SortedSetLengthAsync(RebornKey key, SortedSetScoreRange range)
    {
        while (true)
        {
            try { return new(Route(key).ZCount(Database, key.Span, range)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZLEXCOUNT: the number of members in the lex <paramref name="range"/> (meant for sets whose scores are all equal).</summary>
    public ValueTask<long> SortedSetLengthByValueAsync(RebornKey key, SortedSetLexRange range)
    {
        while (true)
        {
            try { return new(Route(key).ZLexCount(Database, key.Span, range)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZSCORE: the member's score, or null when the key or member is missing.</summary>
    public ValueTask<double?> SortedSetScoreAsync(RebornKey key, RebornValue member)
    {
        while (true)
        {
            try { return new(Route(key).ZScore(Database, key.Span, member.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZMSCORE: the score of each member, null for the missing ones.</summary>
    public ValueTask<double?[]> SortedSetScoresAsync(RebornKey key, params RebornValue[] members)
    {
        while (true)
        {
            try { return new(Route(key).ZMScore(Database, key.Span, SortedSetMembers(members))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZRANK / ZREVRANK: the member's 0-based position in <paramref name="order"/>, or null when missing.</summary>
    public ValueTask<long?> SortedSetRankAsync(RebornKey key, RebornValue member, SortedSetOrder order = SortedSetOrder.Ascending)
    {
        while (true)
        {
            try { return new(Route(key).ZRank(Database, key.Span, member.Span, order == SortedSetOrder.Descending)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZRANGE in any form (by rank, score or lex; either order; LIMIT): members with their scores.</summary>
    public ValueTask<SortedSetEntry[]> SortedSetRangeAsync(RebornKey key, SortedSetRangeQuery query)
    {
        while (true)
        {
            try { return new(SortedSetEntries(Route(key).ZRange(Database, key.Span, query))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// ZRANGE start stop [REV] [WITHSCORES] into <paramref name="sink"/>: each member as a span over
    /// the engine's buffer (valid only during the call), then its score when <paramref name="withScores"/>.
    /// </summary>
    public ValueTask SortedSetRangeByRankAsync(RebornKey key, long start, long stop, SortedSetOrder order, bool withScores, IScoredValueSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        while (true)
        {
            // The slot check comes before the sink sees anything: a retry starts from nothing.
            try
            {
                Route(key).ZRangeByRank(Database, key.Span, start, stop, order == SortedSetOrder.Descending, withScores, sink);
                return ValueTask.CompletedTask;
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZRANGE start stop [REV]: members between two ranks (negative ranks count from the end).</summary>
    public ValueTask<SortedSetEntry[]> SortedSetRangeByRankAsync(RebornKey key, long start = 0, long stop = -1, SortedSetOrder order = SortedSetOrder.Ascending)
        => SortedSetRangeAsync(key, SortedSetRangeQuery.ByRank(start, stop, order));

    /// <summary>ZRANGEBYSCORE / ZREVRANGEBYSCORE with LIMIT <paramref name="offset"/> <paramref name="count"/> (count -1: all).</summary>
    public ValueTask<SortedSetEntry[]> SortedSetRangeByScoreAsync(RebornKey key, SortedSetScoreRange range, SortedSetOrder order = SortedSetOrder.Ascending, long offset = 0, long count = -1)
        => SortedSetRangeAsync(key, SortedSetRangeQuery.ByScore(range, order, offset, count));

    /// <summary>ZRANGEBYLEX / ZREVRANGEBYLEX with LIMIT: the members (their scores included).</summary>
    public ValueTask<SortedSetEntry[]> SortedSetRangeByValueAsync(RebornKey key, SortedSetLexRange range, SortedSetOrder order = SortedSetOrder.Ascending, long offset = 0, long count = -1)
        => SortedSetRangeAsync(key, SortedSetRangeQuery.ByLex(range, order, offset, count));

    /// <summary>
    /// ZRANGESTORE: stores what <paramref name="query"/> selects from <paramref name="source"/> into
    /// <paramref name="destination"/> (overwritten, expiry cleared; deleted when the result is empty). Returns its size.
    /// </summary>
    public ValueTask<long> SortedSetRangeAndStoreAsync(RebornKey destination, RebornKey source, SortedSetRangeQuery query)
    {
        while (true)
        {
            try
            {
                var keyspace = RouteAll([destination.Span.ToArray(), source.Span.ToArray()]);
                return new(keyspace.ZRangeStore(Database, destination.Span, source.Span, query));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX: removes what <paramref name="query"/> selects (order and LIMIT ignored).</summary>
    public ValueTask<long> SortedSetRemoveRangeAsync(RebornKey key, SortedSetRangeQuery query)
    {
        while (true)
        {
            try { return new(Route(key).ZRemRange(Database, key.Span, query)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZREMRANGEBYRANK.</summary>
    public ValueTask<long> SortedSetRemoveRangeByRankAsync(RebornKey key, long start, long stop)
        => SortedSetRemoveRangeAsync(key, SortedSetRangeQuery.ByRank(start, stop));

    /// <summary>ZREMRANGEBYSCORE.</summary>
    public ValueTask<long> SortedSetRemoveRangeByScoreAsync(RebornKey key, SortedSetScoreRange range)
        => SortedSetRemoveRangeAsync(key, SortedSetRangeQuery.ByScore(range));

    /// <summary>ZREMRANGEBYLEX.</summary>
    public ValueTask<long> SortedSetRemoveRangeByValueAsync(RebornKey key, SortedSetLexRange range)
        => SortedSetRemoveRangeAsync(key, SortedSetRangeQuery.ByLex(range));

    /// <summary>ZPOPMIN / ZPOPMAX: up to <paramref name="count"/> members from the low (Ascending) or high end; empty when the key is missing.</summary>
    public ValueTask<SortedSetEntry[]> SortedSetPopAsync(RebornKey key, SortedSetOrder order = SortedSetOrder.Ascending, long count = 1)
    {
        while (true)
        {
            try
            {
                var popped = Route(key).ZPop(Database, [key.Span.ToArray()], order == SortedSetOrder.Descending, count);
                return new(popped is { } p ? SortedSetEntries(p.Items) : []);
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// ZMPOP, and the non-blocking step of BZPOPMIN / BZPOPMAX / BZMPOP: pops up to
    /// <paramref name="count"/> members from the first of <paramref name="keys"/> that exists. Null when
    /// none does; WRONGTYPE when the first existing key is not a sorted set. A blocked caller waits for
    /// <see cref="IKeyValueCluster"/>'s KeyReady, raised when a write makes a sorted set non-empty.
    /// </summary>
    public ValueTask<SortedSetPopResult?> SortedSetPopAsync(RebornKey[] keys, SortedSetOrder order, long count = 1)
    {
        while (true)
        {
            try
            {
                var arrays = ToArrays(keys);
                var popped = RouteAll(arrays).ZPop(Database, arrays, order == SortedSetOrder.Descending, count);
                return new(popped is { } p ? new SortedSetPopResult(new RebornKey(p.Key), SortedSetEntries(p.Items)) : null);
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZRANDMEMBER without a count: a random member, or null when the key is missing.</summary>
    public ValueTask<RebornValue> SortedSetRandomMemberAsync(RebornKey key)
    {
        while (true)
        {
            try
            {
                var picked = Route(key).ZRandMember(Database, key.Span, null);
                return new(picked.Count > 0 ? new RebornValue(picked[0].Member) : RebornValue.Null);
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// ZRANDMEMBER with a count: distinct members when <paramref name="count"/> is positive (the whole
    /// set when it is larger), possibly repeated ones when negative. Scores are included.
    /// </summary>
    public ValueTask<SortedSetEntry[]> SortedSetRandomMembersAsync(RebornKey key, long count)
    {
        while (true)
        {
            try { return new(SortedSetEntries(Route(key).ZRandMember(Database, key.Span, count))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// ZUNION / ZINTER / ZDIFF: the combined set in score order. Sets count as sorted sets whose scores
    /// are all 1; <paramref name="weights"/> (one per key, or null) and <paramref name="aggregate"/> do
    /// not apply to <see cref="SortedSetOperation.Difference"/>.
    /// </summary>
    public ValueTask<SortedSetEntry[]> SortedSetCombineAsync(SortedSetOperation operation, RebornKey[] keys, double[]? weights = null, SortedSetAggregate aggregate = SortedSetAggregate.Sum)
    {
        while (true)
        {
            try
            {
                var arrays = ToArrays(keys);
                SortedSetCheckWeights(keys, weights);
                return new(SortedSetEntries(RouteAll(arrays).ZCombine(Database, operation, arrays, weights, aggregate)));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE: stores the combined set into <paramref name="destination"/>
    /// (overwritten, expiry cleared; deleted when the result is empty) and returns its size.
    /// </summary>
    public ValueTask<long> SortedSetCombineAndStoreAsync(SortedSetOperation operation, RebornKey destination, RebornKey[] keys, double[]? weights = null, SortedSetAggregate aggregate = SortedSetAggregate.Sum)
    {
        while (true)
        {
            try
            {
                var arrays = ToArrays(keys);
                SortedSetCheckWeights(keys, weights);
                var keyspace = RouteAll([.. arrays, destination.Span.ToArray()]);
                return new(keyspace.ZCombineStore(Database, destination.Span, operation, arrays, weights, aggregate));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>ZINTERCARD: the size of the intersection, counting no further than <paramref name="limit"/> (0: no limit).</summary>
    public ValueTask<long> SortedSetIntersectionLengthAsync(RebornKey[] keys, long limit = 0)
    {
        while (true)
        {
            try
            {
                if (limit < 0) throw new RebornException(Errors.LimitNegative);
                var arrays = ToArrays(keys);
                return new(RouteAll(arrays).ZInterCard(Database, arrays, limit));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// One ZSCAN step: the next cursor (0 when complete) and the members of this step with their
    /// scores. A set of up to 128 members comes back whole in one step, as from Redis. A null
    /// <paramref name="pattern"/> matches every member.
    /// </summary>
    public ValueTask<SortedSetScanPage> SortedSetScanAsync(RebornKey key, long cursor, RebornValue pattern = default, long count = 10)
    {
        while (true)
        {
            try
            {
                var items = new List<Keyspace.ZItem>();
                long next = Route(key).ZScan(Database, key.Span, cursor, pattern.IsNull ? null : pattern.Span.ToArray(), count, items);
                return new(new SortedSetScanPage(next, SortedSetEntries(items)));
            }
            catch (SlotMovedException) { }
        }
    }

    private static Keyspace.ZItem[] SortedSetItems(SortedSetEntry[] entries)
    {
        var items = new Keyspace.ZItem[entries.Length];
        for (int i = 0; i < entries.Length; i++) items[i] = new Keyspace.ZItem(entries[i].Member.Span.ToArray(), entries[i].Score);
        return items;
    }

    private static byte[][] SortedSetMembers(RebornValue[] members)
    {
        var arrays = new byte[members.Length][];
        for (int i = 0; i < members.Length; i++) arrays[i] = members[i].Span.ToArray();
        return arrays;
    }

    private static SortedSetEntry[] SortedSetEntries(List<Keyspace.ZItem> items)
    {
        var entries = new SortedSetEntry[items.Count];
        for (int i = 0; i < entries.Length; i++) entries[i] = new SortedSetEntry(new RebornValue(items[i].Member), items[i].Score);
        return entries;
    }

    private static void SortedSetCheckWeights(RebornKey[] keys, double[]? weights)
    {
        if (keys.Length == 0) throw new RebornException(Errors.Syntax);
        if (weights is not null && weights.Length != keys.Length) throw new RebornException(Errors.Syntax);
    }
}

/// <summary>A sorted-set member and its score.</summary>
public readonly record struct SortedSetEntry(RebornValue Member, double Score);

/// <summary>What ZMPOP (and a blocking pop) took: the key it popped from and the members, with scores, in pop order.</summary>
public sealed record SortedSetPopResult(RebornKey Key, SortedSetEntry[] Entries);

/// <summary>One ZSCAN step: the cursor to continue from (0 when complete) and the members found.</summary>
public readonly record struct SortedSetScanPage(long Cursor, SortedSetEntry[] Entries);
