using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>
/// The list family: parsing and replies. Storage lives in Keyspace.Lists.cs. Arguments are
/// validated in Redis 7.0's order (some commands look the key up before parsing a number).
/// The blocking variants (BLPOP ...) live with the server, on top of ListPopFirstNonEmptyAsync and
/// ListMoveAsync.
/// </summary>
internal static class ListCommands
{
    private const CommandFlags W = CommandFlags.Write;
    private const CommandFlags WD = W | CommandFlags.DenyOom;
    private const CommandFlags R = CommandFlags.ReadOnly;

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("LPUSH", -3, WD | CommandFlags.Fast, 1, 1, 1, "@write @list @fast", c => Push(c, left: true, onlyIfExists: false)),
        new("RPUSH", -3, WD | CommandFlags.Fast, 1, 1, 1, "@write @list @fast", c => Push(c, left: false, onlyIfExists: false)),
        new("LPUSHX", -3, WD | CommandFlags.Fast, 1, 1, 1, "@write @list @fast", c => Push(c, left: true, onlyIfExists: true)),
        new("RPUSHX", -3, WD | CommandFlags.Fast, 1, 1, 1, "@write @list @fast", c => Push(c, left: false, onlyIfExists: true)),
        new("LPOP", -2, W | CommandFlags.Fast, 1, 1, 1, "@write @list @fast", c => Pop(c, left: true)),
        new("RPOP", -2, W | CommandFlags.Fast, 1, 1, 1, "@write @list @fast", c => Pop(c, left: false)),
        new("LLEN", 2, R | CommandFlags.Fast, 1, 1, 1, "@read @list @fast", LLen),
        new("LINDEX", 3, R, 1, 1, 1, "@read @list @slow", LIndex),
        new("LSET", 4, WD, 1, 1, 1, "@write @list @slow", LSet),
        new("LRANGE", 4, R, 1, 1, 1, "@read @list @slow", LRange),
        new("LTRIM", 4, W, 1, 1, 1, "@write @list @slow", LTrim),
        new("LINSERT", 5, WD, 1, 1, 1, "@write @list @slow", LInsert),
        new("LREM", 4, W, 1, 1, 1, "@write @list @slow", LRem),
        new("LPOS", -3, R, 1, 1, 1, "@read @list @slow", LPos),
        new("LMOVE", 5, WD, 1, 2, 1, "@write @list @slow", LMove),
        new("RPOPLPUSH", 3, WD, 1, 2, 1, "@write @list @slow", RPopLPush),
        // Keys are movable (numkeys): Redis reports 0 0 0 and the movablekeys flag.
        new("LMPOP", -4, W, 0, 0, 0, "@write @list @slow", LMPop),
    ];

    private static async ValueTask Push(CommandContext c, bool left, bool onlyIfExists)
    {
        var values = new RebornValue[c.ArgCount - 2];
        for (int i = 0; i < values.Length; i++) values[i] = c.Value(2 + i);
        long length = left
            ? await c.Db.ListLeftPushAsync(c.Key(1), values, onlyIfExists)
            : await c.Db.ListRightPushAsync(c.Key(1), values, onlyIfExists);
        c.Writer.Integer(length);
    }

    /// <summary>LPOP / RPOP: without a count a bulk (null when missing); with one an array (null array when missing).</summary>
    private static ValueTask Pop(CommandContext c, bool left)
    {
        if (c.ArgCount > 3) throw new RebornException($"ERR wrong number of arguments for '{c.CommandName}' command");
        // Without a count (a queue's every pop): no state machine.
        if (c.ArgCount == 2) return c.Db.ListPopAsync(c.Key(1), left ? ListSide.Left : ListSide.Right, c.Aggregate(AggregateKind.Single));
        return PopCount(c, left);
    }

    private static async ValueTask PopCount(CommandContext c, bool left)
    {
        long count = c.Long(2, Errors.PositiveCount);
        if (count < 0) throw new RebornException(Errors.PositiveCount);
        var values = left ? await c.Db.ListLeftPopAsync(c.Key(1), count) : await c.Db.ListRightPopAsync(c.Key(1), count);
        if (values is null) c.Writer.NullArray();
        else c.BulkArray(values);
    }

    private static async ValueTask LLen(CommandContext c) => c.Writer.Integer(await c.Db.ListLengthAsync(c.Key(1)));

    private static async ValueTask LIndex(CommandContext c)
    {
        // Redis looks the key up before parsing the index: a missing key answers null whatever the index.
        if (!Numbers.TryParseInt64(c.Arg(2), out long index))
        {
            if (await c.Db.ListLengthAsync(c.Key(1)) == 0) { c.Writer.Null(); return; }
            throw new RebornException(Errors.NotInteger);
        }
        c.Bulk(await c.Db.ListGetByIndexAsync(c.Key(1), index));
    }

    private static async ValueTask LSet(CommandContext c)
    {
        // As LINDEX: "no such key" and WRONGTYPE come before a bad index.
        if (!Numbers.TryParseInt64(c.Arg(2), out long index))
        {
            if (await c.Db.ListLengthAsync(c.Key(1)) == 0) throw new RebornException(Errors.NoSuchKey);
            throw new RebornException(Errors.NotInteger);
        }
        await c.Db.ListSetByIndexAsync(c.Key(1), index, c.Value(3));
        c.Ok();
    }

    private static ValueTask LRange(CommandContext c)
    {
        long start = c.Long(2), stop = c.Long(3);
        return c.Db.ListRangeAsync(c.Key(1), start, stop, c.Aggregate(AggregateKind.Array));
    }

    private static async ValueTask LTrim(CommandContext c)
    {
        long start = c.Long(2), stop = c.Long(3);
        await c.Db.ListTrimAsync(c.Key(1), start, stop);
        c.Ok();
    }

    private static async ValueTask LInsert(CommandContext c)
    {
        bool after;
        if (c.Is(2, "AFTER"u8)) after = true;
        else if (c.Is(2, "BEFORE"u8)) after = false;
        else throw CommandContext.Syntax();
        long length = after
            ? await c.Db.ListInsertAfterAsync(c.Key(1), c.Value(3), c.Value(4))
            : await c.Db.ListInsertBeforeAsync(c.Key(1), c.Value(3), c.Value(4));
        c.Writer.Integer(length);
    }

    private static async ValueTask LRem(CommandContext c)
    {
        long count = c.Long(2);
        c.Writer.Integer(await c.Db.ListRemoveAsync(c.Key(1), c.Value(3), count));
    }

    /// <summary>LPOS key element [RANK rank] [COUNT num] [MAXLEN len]; options may repeat, the last wins.</summary>
    private static async ValueTask LPos(CommandContext c)
    {
        long rank = 1, count = -1, maxLength = 0;
        for (int i = 3; i < c.ArgCount; i++)
        {
            bool more = i + 1 < c.ArgCount;
            if (more && c.Is(i, "RANK"u8))
            {
                rank = c.Long(++i);
                if (rank == 0) throw new RebornException(Errors.LposRankZero);
            }
            else if (more && c.Is(i, "COUNT"u8))
            {
                count = c.Long(++i, Errors.LposCountNegative);
                if (count < 0) throw new RebornException(Errors.LposCountNegative);
            }
            else if (more && c.Is(i, "MAXLEN"u8))
            {
                maxLength = c.Long(++i, Errors.LposMaxLenNegative);
                if (maxLength < 0) throw new RebornException(Errors.LposMaxLenNegative);
            }
            else throw CommandContext.Syntax();
        }
        if (count < 0)
        {
            long? position = await c.Db.ListPositionAsync(c.Key(1), c.Value(2), rank, maxLength);
            if (position is { } p) c.Writer.Integer(p);
            else c.Writer.Null();
            return;
        }
        var positions = await c.Db.ListPositionsAsync(c.Key(1), c.Value(2), count, rank, maxLength);
        c.Writer.ArrayHeader(positions.Length);
        foreach (long p in positions) c.Writer.Integer(p);
    }

    private static ListSide Side(CommandContext c, int index)
    {
        if (c.Is(index, "LEFT"u8)) return ListSide.Left;
        if (c.Is(index, "RIGHT"u8)) return ListSide.Right;
        throw CommandContext.Syntax();
    }

    private static async ValueTask LMove(CommandContext c)
    {
        var from = Side(c, 3);
        var to = Side(c, 4);
        c.Bulk(await c.Db.ListMoveAsync(c.Key(1), c.Key(2), from, to));
    }

    private static async ValueTask RPopLPush(CommandContext c) => c.Bulk(await c.Db.ListRightPopLeftPushAsync(c.Key(1), c.Key(2)));

    /// <summary>LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count].</summary>
    private static async ValueTask LMPop(CommandContext c)
    {
        var (keys, side, count) = MPopArguments(c, 1);
        var popped = await c.Db.ListPopFirstNonEmptyAsync(keys, side, count);
        WritePopResult(c, popped);
    }

    /// <summary>
    /// Parses "numkeys key [key ...] LEFT|RIGHT [COUNT count]" from <paramref name="at"/> (numkeys),
    /// as LMPOP and BLMPOP take it, with Redis's error texts and order.
    /// </summary>
    public static (RebornKey[] Keys, ListSide Side, long Count) MPopArguments(CommandContext c, int at)
    {
        long numKeys = c.Long(at, Errors.NumKeysNotPositive);
        if (numKeys <= 0) throw new RebornException(Errors.NumKeysNotPositive);
        if (numKeys >= c.ArgCount - at - 1) throw CommandContext.Syntax();
        int sideAt = at + 1 + (int)numKeys;
        var side = Side(c, sideAt);
        long count = -1;
        for (int i = sideAt + 1; i < c.ArgCount; i++)
        {
            if (count == -1 && i + 1 < c.ArgCount && c.Is(i, "COUNT"u8))
            {
                count = c.Long(++i, Errors.MpopCountNotPositive);
                if (count <= 0) throw new RebornException(Errors.MpopCountNotPositive);
            }
            else throw CommandContext.Syntax();
        }
        return (c.Keys(at + 1, at + (int)numKeys), side, count == -1 ? 1 : count);
    }

    /// <summary>LMPOP's reply: [key, [elements]], or the null array when nothing was popped.</summary>
    public static void WritePopResult(CommandContext c, ListPopResult? popped)
    {
        if (popped is null) { c.Writer.NullArray(); return; }
        c.Writer.ArrayHeader(2);
        c.Writer.BulkString(popped.Key.Span);
        c.BulkArray(popped.Values);
    }
}
