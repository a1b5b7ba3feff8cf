using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Commands;

/// <summary>
/// The sorted-set family: parsing and replies. Storage lives in Keyspace.SortedSets.cs. Scores are
/// replied as Redis 7.0's addReplyDouble does (RESP2: a %.17g bulk string, RESP3: a double); member
/// and score pairs are a flat array in RESP2 and nested two-element arrays in RESP3.
/// Arguments are validated in Redis's order: options, then numbers, then the key lookup
/// (WRONGTYPE), except where Redis looks keys up first (the algebra commands, ZSCAN).
/// </summary>
internal static class SortedSetCommands
{
    private const CommandFlags W = CommandFlags.Write;
    private const CommandFlags WD = W | CommandFlags.DenyOom;
    private const CommandFlags R = CommandFlags.ReadOnly;
    private const CommandFlags RF = R | CommandFlags.Fast;

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("ZADD", -4, WD | CommandFlags.Fast, 1, 1, 1, "@write @sortedset @fast", ZAdd),
        new("ZINCRBY", 4, WD | CommandFlags.Fast, 1, 1, 1, "@write @sortedset @fast", ZIncrBy),
        new("ZREM", -3, W | CommandFlags.Fast, 1, 1, 1, "@write @sortedset @fast", ZRem),
        new("ZCARD", 2, RF, 1, 1, 1, "@read @sortedset @fast", ZCard),
        new("ZSCORE", 3, RF, 1, 1, 1, "@read @sortedset @fast", ZScore),
        new("ZMSCORE", -3, RF, 1, 1, 1, "@read @sortedset @fast", ZMScore),
        new("ZRANK", 3, RF, 1, 1, 1, "@read @sortedset @fast", c => ZRank(c, SortedSetOrder.Ascending)),
        new("ZREVRANK", 3, RF, 1, 1, 1, "@read @sortedset @fast", c => ZRank(c, SortedSetOrder.Descending)),
        new("ZCOUNT", 4, RF, 1, 1, 1, "@read @sortedset @fast", ZCount),
        new("ZLEXCOUNT", 4, RF, 1, 1, 1, "@read @sortedset @fast", ZLexCount),
        new("ZRANGE", -4, R, 1, 1, 1, "@read @sortedset @slow", c => Range(c, 1, store: false, null, null)),
        new("ZRANGEBYSCORE", -4, R, 1, 1, 1, "@read @sortedset @slow", c => Range(c, 1, store: false, SortedSetRangeKind.Score, SortedSetOrder.Ascending)),
        new("ZREVRANGEBYSCORE", -4, R, 1, 1, 1, "@read @sortedset @slow", c => Range(c, 1, store: false, SortedSetRangeKind.Score, SortedSetOrder.Descending)),
        new("ZRANGEBYLEX", -4, R, 1, 1, 1, "@read @sortedset @slow", c => Range(c, 1, store: false, SortedSetRangeKind.Lex, SortedSetOrder.Ascending)),
        new("ZREVRANGEBYLEX", -4, R, 1, 1, 1, "@read @sortedset @slow", c => Range(c, 1, store: false, SortedSetRangeKind.Lex, SortedSetOrder.Descending)),
        new("ZREVRANGE", -4, R, 1, 1, 1, "@read @sortedset @slow", c => Range(c, 1, store: false, SortedSetRangeKind.Rank, SortedSetOrder.Descending)),
        new("ZRANGESTORE", -5, WD, 1, 2, 1, "@write @sortedset @slow", c => Range(c, 2, store: true, null, null)),
        new("ZREMRANGEBYRANK", 4, W, 1, 1, 1, "@write @sortedset @slow", ZRemRangeByRank),
        new("ZREMRANGEBYSCORE", 4, W, 1, 1, 1, "@write @sortedset @slow", ZRemRangeByScore),
        new("ZREMRANGEBYLEX", 4, W, 1, 1, 1, "@write @sortedset @slow", ZRemRangeByLex),
        new("ZPOPMIN", -2, W | CommandFlags.Fast, 1, 1, 1, "@write @sortedset @fast", c => ZPop(c, SortedSetOrder.Ascending)),
        new("ZPOPMAX", -2, W | CommandFlags.Fast, 1, 1, 1, "@write @sortedset @fast", c => ZPop(c, SortedSetOrder.Descending)),
        // Movable keys (numkeys): Redis declares no fixed key range for these, and neither do we.
        new("ZMPOP", -4, W, 0, 0, 0, "@write @sortedset @slow", ZMPop),
        new("ZRANDMEMBER", -2, R, 1, 1, 1, "@read @sortedset @slow", ZRandMember),
        new("ZUNION", -3, R, 0, 0, 0, "@read @sortedset @slow", c => Combine(c, SortedSetOperation.Union, store: false)),
        new("ZUNIONSTORE", -4, WD, 1, 1, 1, "@write @sortedset @slow", c => Combine(c, SortedSetOperation.Union, store: true)),
        new("ZINTER", -3, R, 0, 0, 0, "@read @sortedset @slow", c => Combine(c, SortedSetOperation.Intersect, store: false)),
        new("ZINTERSTORE", -4, WD, 1, 1, 1, "@write @sortedset @slow", c => Combine(c, SortedSetOperation.Intersect, store: true)),
        new("ZINTERCARD", -3, R, 0, 0, 0, "@read @sortedset @slow", c => Combine(c, SortedSetOperation.Intersect, store: false, cardinalityOnly: true)),
        new("ZDIFF", -3, R, 0, 0, 0, "@read @sortedset @slow", c => Combine(c, SortedSetOperation.Difference, store: false)),
        new("ZDIFFSTORE", -4, WD, 1, 1, 1, "@write @sortedset @slow", c => Combine(c, SortedSetOperation.Difference, store: true)),
        new("ZSCAN", -3, R, 1, 1, 1, "@read @sortedset @slow", ZScan),
    ];

    // ---- number parsing ---------------------------------------------------------------------

    /// <summary>Scores, increments and weights: Redis's getDoubleFromObject (string2d, no overflow or underflow).</summary>
    private static double Score(CommandContext c, int index, string error = Errors.NotFloat)
        => Numbers.TryParseDouble(c.Arg(index), out double value) ? value : throw new RebornException(error);

    /// <summary>
    /// One end of a score range, as zslParseRange reads it: "(" makes it exclusive, then strtod must
    /// consume the rest (leading spaces allowed, an empty rest reads as 0; NaN refused).
    /// </summary>
    private static bool TryParseScoreBound(ReadOnlySpan<byte> text, out double value, out bool exclusive)
    {
        exclusive = text.Length > 0 && text[0] == (byte)'(';
        if (exclusive) text = text[1..];
        value = 0;
        if (text.IsEmpty) return true;
        int i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f') i++;
        if (i == text.Length) return false;
        text = text[i..];
        if (Numbers.TryParseDouble(text, out value)) return true;
        // Unlike string2d, zslParseRange ignores ERANGE: "1e400" is +inf and "1e-400" is 0 here.
        return text[^1] is >= (byte)'0' and <= (byte)'9'
            && double.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint | System.Globalization.NumberStyles.AllowExponent,
                System.Globalization.CultureInfo.InvariantCulture, out value)
            && (double.IsInfinity(value) || value == 0);
    }

    private static SortedSetScoreRange ScoreRange(CommandContext c, int minIndex, int maxIndex)
    {
        if (!TryParseScoreBound(c.Arg(minIndex), out double min, out bool minEx) || !TryParseScoreBound(c.Arg(maxIndex), out double max, out bool maxEx))
            throw new RebornException(Errors.MinMaxNotFloat);
        return new SortedSetScoreRange(min, max, minEx, maxEx);
    }

    /// <summary>One end of a lex range: "-", "+", "[member" or "(member".</summary>
    private static bool TryParseLexBound(CommandContext c, int index, out SortedSetLexBound bound)
    {
        var text = c.Arg(index);
        bound = default;
        if (text.IsEmpty) return false;
        switch (text[0])
        {
            case (byte)'+' when text.Length == 1: bound = SortedSetLexBound.PositiveInfinity; return true;
            case (byte)'-' when text.Length == 1: bound = SortedSetLexBound.NegativeInfinity; return true;
            case (byte)'[': bound = SortedSetLexBound.Inclusive(new RebornValue(c.Args.GetMemory(index)[1..])); return true;
            case (byte)'(': bound = SortedSetLexBound.Exclusive(new RebornValue(c.Args.GetMemory(index)[1..])); return true;
            default: return false;
        }
    }

    private static SortedSetLexRange LexRange(CommandContext c, int minIndex, int maxIndex)
    {
        if (!TryParseLexBound(c, minIndex, out var min) || !TryParseLexBound(c, maxIndex, out var max))
            throw new RebornException(Errors.MinMaxNotString);
        return new SortedSetLexRange(min, max);
    }

    // ---- replies ----------------------------------------------------------------------------

    /// <summary>Members, with scores when asked: RESP2 a flat array, RESP3 an array of [member, score] pairs.</summary>
    private static void WriteEntries(CommandContext c, SortedSetEntry[] entries, bool withScores)
    {
        bool nested = withScores && c.Writer.Protocol == 3;
        c.Writer.ArrayHeader(withScores && !nested ? entries.Length * 2 : entries.Length);
        foreach (var entry in entries)
        {
            if (nested) c.Writer.ArrayHeader(2);
            c.Writer.BulkString(entry.Member.Span);
            if (withScores) c.Writer.Double(entry.Score);
        }
    }

    private static void WriteScore(CommandContext c, double? score)
    {
        if (score is double s) c.Writer.Double(s);
        else c.Writer.Null();
    }

    // ---- single-key commands ----------------------------------------------------------------

    /// <summary>ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...].</summary>
    private static async ValueTask ZAdd(CommandContext c)
    {
        bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
        int at = 2;
        for (; at < c.ArgCount; at++)
        {
            if (c.Is(at, "NX"u8)) nx = true;
            else if (c.Is(at, "XX"u8)) xx = true;
            else if (c.Is(at, "CH"u8)) ch = true;
            else if (c.Is(at, "INCR"u8)) incr = true;
            else if (c.Is(at, "GT"u8)) gt = true;
            else if (c.Is(at, "LT"u8)) lt = true;
            else break;
        }
        int elements = c.ArgCount - at;
        if (elements == 0 || elements % 2 != 0) throw CommandContext.Syntax();
        if (nx && xx) throw new RebornException(Errors.ZAddNxXx);
        if ((gt && nx) || (lt && nx) || (gt && lt)) throw new RebornException(Errors.ZAddGtLtNx);
        if (incr && elements > 2) throw new RebornException(Errors.ZAddIncrPairs);
        var entries = new SortedSetEntry[elements / 2];
        for (int i = 0; i < entries.Length; i++) entries[i] = new SortedSetEntry(c.Value(at + 2 * i + 1), Score(c, at + 2 * i));
        var when = (nx ? SortedSetWhen.NotExists : 0) | (xx ? SortedSetWhen.Exists : 0)
            | (gt ? SortedSetWhen.GreaterThan : 0) | (lt ? SortedSetWhen.LessThan : 0);
        if (incr) WriteScore(c, await c.Db.SortedSetIncrementAsync(c.Key(1), entries[0].Member, entries[0].Score, when));
        else c.Writer.Integer(await c.Db.SortedSetAddAsync(c.Key(1), entries, when, ch));
    }

    private static async ValueTask ZIncrBy(CommandContext c)
    {
        double delta = Score(c, 2);
        WriteScore(c, await c.Db.SortedSetIncrementAsync(c.Key(1), c.Value(3), delta));
    }

    private static RebornValue[] Members(CommandContext c, int first)
    {
        var members = new RebornValue[c.ArgCount - first];
        for (int i = 0; i < members.Length; i++) members[i] = c.Value(first + i);
        return members;
    }

    private static async ValueTask ZRem(CommandContext c) => c.Writer.Integer(await c.Db.SortedSetRemoveAsync(c.Key(1), Members(c, 2)));

    private static async ValueTask ZCard(CommandContext c) => c.Writer.Integer(await c.Db.SortedSetLengthAsync(c.Key(1)));

    private static async ValueTask ZScore(CommandContext c) => WriteScore(c, await c.Db.SortedSetScoreAsync(c.Key(1), c.Value(2)));

    private static async ValueTask ZMScore(CommandContext c)
    {
        var scores = await c.Db.SortedSetScoresAsync(c.Key(1), Members(c, 2));
        c.Writer.ArrayHeader(scores.Length);
        foreach (var score in scores) WriteScore(c, score);
    }

    private static async ValueTask ZRank(CommandContext c, SortedSetOrder order)
    {
        var rank = await c.Db.SortedSetRankAsync(c.Key(1), c.Value(2), order);
        if (rank is long r) c.Writer.Integer(r);
        else c.Writer.Null();
    }

    private static async ValueTask ZCount(CommandContext c)
    {
        var range = ScoreRange(c, 2, 3);
        c.Writer.Integer(await c.Db.SortedSetLengthAsync(c.Key(1), range));
    }

    private static async ValueTask ZLexCount(CommandContext c)
    {
        var range = LexRange(c, 2, 3);
        c.Writer.Integer(await c.Db.SortedSetLengthByValueAsync(c.Key(1), range));
    }

    /// <summary>
    /// ZRANGE, ZRANGESTORE and the older Z[REV]RANGE[BYSCORE|BYLEX] forms (zrangeGenericCommand):
    /// &lt;key&gt; &lt;min&gt; &lt;max&gt; [BYSCORE|BYLEX] [REV] [WITHSCORES] [LIMIT offset count] from
    /// <paramref name="keyIndex"/>. A null kind or order means the command leaves it to the options.
    /// </summary>
    private static async ValueTask Range(CommandContext c, int keyIndex, bool store, SortedSetRangeKind? kind, SortedSetOrder? order)
    {
        bool withScores = false;
        long offset = 0, limit = -1;
        bool kindFixed = kind is not null, orderFixed = order is not null;
        for (int j = keyIndex + 3; j < c.ArgCount; j++)
        {
            int left = c.ArgCount - j - 1;
            if (!store && c.Is(j, "WITHSCORES"u8)) withScores = true;
            else if (c.Is(j, "LIMIT"u8) && left >= 2)
            {
                offset = c.Long(j + 1);
                limit = c.Long(j + 2);
                j += 2;
            }
            else if (!orderFixed && order is null && c.Is(j, "REV"u8)) order = SortedSetOrder.Descending;
            else if (!kindFixed && kind is null && c.Is(j, "BYLEX"u8)) kind = SortedSetRangeKind.Lex;
            else if (!kindFixed && kind is null && c.Is(j, "BYSCORE"u8)) kind = SortedSetRangeKind.Score;
            else throw CommandContext.Syntax();
        }
        var k = kind ?? SortedSetRangeKind.Rank;
        var o = order ?? SortedSetOrder.Ascending;
        if (limit != -1 && k == SortedSetRangeKind.Rank) throw new RebornException(Errors.ZRangeLimitNeedsScoreOrLex);
        if (withScores && k == SortedSetRangeKind.Lex) throw new RebornException(Errors.ZRangeWithScoresByLex);
        int minIndex = keyIndex + 1, maxIndex = keyIndex + 2;
        if (o == SortedSetOrder.Descending && k != SortedSetRangeKind.Rank) (minIndex, maxIndex) = (maxIndex, minIndex);
        var query = k switch
        {
            SortedSetRangeKind.Rank => SortedSetRangeQuery.ByRank(c.Long(minIndex), c.Long(maxIndex), o),
            SortedSetRangeKind.Score => SortedSetRangeQuery.ByScore(ScoreRange(c, minIndex, maxIndex), o, offset, limit),
            _ => SortedSetRangeQuery.ByLex(LexRange(c, minIndex, maxIndex), o, offset, limit),
        };
        if (store)
        {
            c.Writer.Integer(await c.Db.SortedSetRangeAndStoreAsync(c.Key(1), c.Key(2), query));
            return;
        }
        if (k == SortedSetRangeKind.Rank)
        {
            // The reply's length is known before the walk: the members stream from the engine.
            var reply = c.Aggregate(withScores ? AggregateKind.ScoredMembers : AggregateKind.Array);
            await c.Db.SortedSetRangeByRankAsync(c.Key(keyIndex), query.Start, query.Stop, o, withScores, reply);
            return;
        }
        WriteEntries(c, await c.Db.SortedSetRangeAsync(c.Key(keyIndex), query), withScores);
    }

    private static async ValueTask ZRemRangeByRank(CommandContext c)
    {
        long start = c.Long(2), stop = c.Long(3);
        c.Writer.Integer(await c.Db.SortedSetRemoveRangeByRankAsync(c.Key(1), start, stop));
    }

    private static async ValueTask ZRemRangeByScore(CommandContext c)
    {
        var range = ScoreRange(c, 2, 3);
        c.Writer.Integer(await c.Db.SortedSetRemoveRangeByScoreAsync(c.Key(1), range));
    }

    private static async ValueTask ZRemRangeByLex(CommandContext c)
    {
        var range = LexRange(c, 2, 3);
        c.Writer.Integer(await c.Db.SortedSetRemoveRangeByValueAsync(c.Key(1), range));
    }

    /// <summary>ZPOPMIN / ZPOPMAX key [count]: a flat array, nested pairs in RESP3 when a count was given.</summary>
    private static async ValueTask ZPop(CommandContext c, SortedSetOrder order)
    {
        if (c.ArgCount > 3) throw CommandContext.Syntax();
        long count = -1;
        if (c.ArgCount == 3 && (!Numbers.TryParseInt64(c.Arg(2), out count) || count < 0))
            throw new RebornException(Errors.PositiveCount);
        var entries = await c.Db.SortedSetPopAsync(c.Key(1), order, count == -1 ? 1 : count);
        WriteEntries(c, entries, withScores: true, nestedInResp3: count != -1);
    }

    private static void WriteEntries(CommandContext c, SortedSetEntry[] entries, bool withScores, bool nestedInResp3)
    {
        if (nestedInResp3 || c.Writer.Protocol != 3)
        {
            WriteEntries(c, entries, withScores);
            return;
        }
        c.Writer.ArrayHeader(entries.Length * 2);
        foreach (var entry in entries)
        {
            c.Writer.BulkString(entry.Member.Span);
            c.Writer.Double(entry.Score);
        }
    }

    /// <summary>ZMPOP numkeys key [key ...] MIN|MAX [COUNT count].</summary>
    private static async ValueTask ZMPop(CommandContext c)
    {
        var (keys, order, count) = ParsePopArguments(c, 1);
        WritePopResult(c, await c.Db.SortedSetPopAsync(keys, order, count));
    }

    /// <summary>
    /// The arguments of ZMPOP (and BZMPOP, from its numkeys at <paramref name="numKeysIndex"/>):
    /// numkeys key [key ...] MIN|MAX [COUNT count].
    /// </summary>
    public static (RebornKey[] Keys, SortedSetOrder Order, long Count) ParsePopArguments(CommandContext c, int numKeysIndex)
    {
        if (!Numbers.TryParseInt64(c.Arg(numKeysIndex), out long numKeys) || numKeys < 1) throw new RebornException(Errors.NumKeysNotPositive);
        if (numKeys >= c.ArgCount - numKeysIndex - 1) throw CommandContext.Syntax();
        int where = numKeysIndex + (int)numKeys + 1;
        SortedSetOrder order;
        if (c.Is(where, "MIN"u8)) order = SortedSetOrder.Ascending;
        else if (c.Is(where, "MAX"u8)) order = SortedSetOrder.Descending;
        else throw CommandContext.Syntax();
        long count = -1;
        for (int j = where + 1; j < c.ArgCount; j++)
        {
            if (count == -1 && c.Is(j, "COUNT"u8) && j + 1 < c.ArgCount)
            {
                j++;
                if (!Numbers.TryParseInt64(c.Arg(j), out count) || count < 1) throw new RebornException(Errors.MpopCountNotPositive);
            }
            else throw CommandContext.Syntax();
        }
        return (c.Keys(numKeysIndex + 1, numKeysIndex + (int)numKeys), order, count == -1 ? 1 : count);
    }

    /// <summary>ZMPOP's reply (and BZMPOP's): [key, [[member, score], ...]], or the null array when nothing was popped.</summary>
    public static void WritePopResult(CommandContext c, SortedSetPopResult? popped)
    {
        if (popped is null) { c.Writer.NullArray(); return; }
        c.Writer.ArrayHeader(2);
        c.Writer.BulkString(popped.Key.Span);
        c.Writer.ArrayHeader(popped.Entries.Length);
        foreach (var entry in popped.Entries)
        {
            c.Writer.ArrayHeader(2);
            c.Writer.BulkString(entry.Member.Span);
            c.Writer.Double(entry.Score);
        }
    }

    /// <summary>ZRANDMEMBER key [count [WITHSCORES]].</summary>
    private static async ValueTask ZRandMember(CommandContext c)
    {
        if (c.ArgCount == 2)
        {
            c.Bulk(await c.Db.SortedSetRandomMemberAsync(c.Key(1)));
            return;
        }
        long count = c.Long(2);
        if (count == long.MinValue) throw new RebornException(Errors.RandomCountRange);
        if (c.ArgCount > 4 || (c.ArgCount == 4 && !c.Is(3, "WITHSCORES"u8))) throw CommandContext.Syntax();
        bool withScores = c.ArgCount == 4;
        if (withScores && (count < -long.MaxValue / 2 || count > long.MaxValue / 2)) throw new RebornException(Errors.ValueOutOfRange);
        WriteEntries(c, await c.Db.SortedSetRandomMembersAsync(c.Key(1), count), withScores);
    }

    /// <summary>
    /// ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (zunionInterDiffGenericCommand):
    /// [destination] numkeys key [key ...] then WEIGHTS, AGGREGATE, WITHSCORES or LIMIT as the command
    /// allows. Redis looks the keys up before it reads the options, so a WRONGTYPE input wins over a
    /// bad option.
    /// </summary>
    private static async ValueTask Combine(CommandContext c, SortedSetOperation operation, bool store, bool cardinalityOnly = false)
    {
        int numKeysIndex = store ? 2 : 1;
        long numKeys = c.Long(numKeysIndex);
        if (numKeys < 1) throw new RebornException(string.Format(Errors.AtLeastOneInputKey, c.CommandName));
        if (numKeys > c.ArgCount - (numKeysIndex + 1)) throw CommandContext.Syntax();
        var keys = c.Keys(numKeysIndex + 1, numKeysIndex + (int)numKeys);
        double[]? weights = null;
        var aggregate = SortedSetAggregate.Sum;
        bool withScores = false;
        long limit = 0;
        try
        {
            int j = numKeysIndex + 1 + (int)numKeys;
            while (j < c.ArgCount)
            {
                int remaining = c.ArgCount - j;
                if (operation != SortedSetOperation.Difference && !cardinalityOnly && remaining >= numKeys + 1 && c.Is(j, "WEIGHTS"u8))
                {
                    j++;
                    weights = new double[numKeys];
                    for (int i = 0; i < numKeys; i++, j++) weights[i] = Score(c, j, Errors.WeightNotFloat);
                }
                else if (operation != SortedSetOperation.Difference && !cardinalityOnly && remaining >= 2 && c.Is(j, "AGGREGATE"u8))
                {
                    if (c.Is(j + 1, "SUM"u8)) aggregate = SortedSetAggregate.Sum;
                    else if (c.Is(j + 1, "MIN"u8)) aggregate = SortedSetAggregate.Min;
                    else if (c.Is(j + 1, "MAX"u8)) aggregate = SortedSetAggregate.Max;
                    else throw CommandContext.Syntax();
                    j += 2;
                }
                else if (!store && !cardinalityOnly && c.Is(j, "WITHSCORES"u8))
                {
                    withScores = true;
                    j++;
                }
                else if (cardinalityOnly && remaining >= 2 && c.Is(j, "LIMIT"u8))
                {
                    if (!Numbers.TryParseInt64(c.Arg(j + 1), out limit) || limit < 0) throw new RebornException(Errors.LimitNegative);
                    j += 2;
                }
                else throw CommandContext.Syntax();
            }
        }
        catch (RebornException)
        {
            foreach (var key in keys)
                if (await c.Db.KeyTypeAsync(key) is not (RedisType.None or RedisType.Set or RedisType.SortedSet)) throw Errors.WrongTypeError();
            throw;
        }
        if (cardinalityOnly) c.Writer.Integer(await c.Db.SortedSetIntersectionLengthAsync(keys, limit));
        else if (store) c.Writer.Integer(await c.Db.SortedSetCombineAndStoreAsync(operation, c.Key(1), keys, weights, aggregate));
        else WriteEntries(c, await c.Db.SortedSetCombineAsync(operation, keys, weights, aggregate), withScores);
    }

    /// <summary>
    /// ZSCAN key cursor [MATCH pattern] [COUNT count]: the key is looked up before the options are
    /// parsed, as in Redis. Scores are bulk strings (%.17g) whatever the protocol, as SCAN replies are.
    /// </summary>
    private static async ValueTask ZScan(CommandContext c)
    {
        long cursor = Cursor(c.Arg(2));
        if (await c.Db.SortedSetLengthAsync(c.Key(1)) == 0)
        {
            ScanArguments.WritePage(c, 0, []);
            return;
        }
        var (pattern, count, _) = ScanArguments.Options(c, 3, allowType: false);
        var page = await c.Db.SortedSetScanAsync(c.Key(1), cursor, pattern, count);
        var items = new RebornValue[page.Entries.Length * 2];
        Span<byte> text = stackalloc byte[DoubleFormat.MaxG17Length];
        for (int i = 0; i < page.Entries.Length; i++)
        {
            items[2 * i] = page.Entries[i].Member;
            items[2 * i + 1] = new RebornValue(text[..DoubleFormat.FormatG17(page.Entries[i].Score, text)].ToArray());
        }
        ScanArguments.WritePage(c, page.Cursor, items);
    }

    /// <summary>
    /// Redis 7.0's parseScanCursorOrReply: strtoul over the whole text, so a sign is accepted ("-1" wraps
    /// to 2^64 - 1) and an empty text reads as 0; a leading space or an overflow is an invalid cursor.
    /// </summary>
    private static long Cursor(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty) return 0;
        bool negative = text[0] == (byte)'-';
        var digits = text[0] is (byte)'-' or (byte)'+' ? text[1..] : text;
        if (digits.IsEmpty) throw new RebornException("ERR invalid cursor");
        ulong value = 0;
        foreach (byte b in digits)
        {
            uint d = (uint)(b - '0');
            if (d > 9 || value > (ulong.MaxValue - d) / 10) throw new RebornException("ERR invalid cursor");
            value = value * 10 + d;
        }
        return (long)(negative ? 0 - value : value);
    }
}
