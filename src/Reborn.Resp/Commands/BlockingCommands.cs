using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>
/// BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP. Each first tries its non-blocking
/// pop; inside EXEC (or in process, where no server holds waiters) it never waits and answers as Redis
/// does for a client that may not block; otherwise it waits in <see cref="Server.BlockingWaiters"/>,
/// first come first served per key, until served, timed out (null array, RESP3 null) or the client
/// goes away. A woken client pops from the key that became ready, as Redis 7.0 serves it.
/// </summary>
internal static class BlockingCommands
{
    private const CommandFlags W = CommandFlags.Write | CommandFlags.Blocking;
    private const string TimeoutNotFloat = "ERR timeout is not a float or out of range";
    private const string TimeoutNegative = "ERR timeout is negative";

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("BLPOP", -3, W | CommandFlags.NoScript, 1, -2, 1, "@write @list @slow @blocking", c => BPop(c, ListSide.Left)),
        new("BRPOP", -3, W | CommandFlags.NoScript, 1, -2, 1, "@write @list @slow @blocking", c => BPop(c, ListSide.Right)),
        new("BLMOVE", 6, W | CommandFlags.DenyOom | CommandFlags.NoScript, 1, 2, 1, "@write @list @slow @blocking", BLMove),
        new("BRPOPLPUSH", 4, W | CommandFlags.DenyOom | CommandFlags.NoScript, 1, 2, 1, "@write @list @slow @blocking", BRPopLPush),
        // Keys are movable (numkeys): Redis reports 0 0 0 and the movablekeys flag.
        new("BLMPOP", -5, W, 0, 0, 0, "@write @list @slow @blocking", BLMPop),
        new("BZPOPMIN", -3, W | CommandFlags.NoScript | CommandFlags.Fast, 1, -2, 1, "@write @sortedset @fast @blocking", c => BZPop(c, SortedSetOrder.Ascending)),
        new("BZPOPMAX", -3, W | CommandFlags.NoScript | CommandFlags.Fast, 1, -2, 1, "@write @sortedset @fast @blocking", c => BZPop(c, SortedSetOrder.Descending)),
        new("BZMPOP", -5, W, 0, 0, 0, "@write @sortedset @slow @blocking", BZMPop),
    ];

    /// <summary>
    /// Redis 7.0's getTimeoutFromObjectOrReply in seconds: a float (strtold's grammar), converted to
    /// whole milliseconds toward zero. A result below zero is negative, as is one past the range of a
    /// 64-bit millisecond count (x86 turns it into LLONG_MIN); zero waits forever (null); a positive
    /// fraction of a millisecond still times out.
    /// </summary>
    public static TimeSpan? ParseTimeout(CommandContext c, int index)
    {
        if (!Numbers.TryParseDouble(c.Arg(index), out double seconds)) throw new RebornException(TimeoutNotFloat);
        double ms = seconds * 1000.0;
        if (!(ms < 9223372036854775808.0) || ms <= -1.0) throw new RebornException(TimeoutNegative);
        if (ms <= 0) return null;
        // Beyond TimeSpan's range (about 29,000 years) nobody can tell the wait from forever.
        if (ms >= TimeSpan.MaxValue.TotalMilliseconds / 2) return null;
        return TimeSpan.FromMilliseconds(Math.Max(1, Math.Truncate(ms)));
    }

    // ---- lists ----------------------------------------------------------------------------

    /// <summary>BLPOP / BRPOP key [key ...] timeout: [key, element].</summary>
    private static async ValueTask BPop(CommandContext c, ListSide side)
    {
        var timeout = ParseTimeout(c, c.ArgCount - 1);
        var keys = KeyBytes(c, 1, c.ArgCount - 2);
        var db = c.Db;
        ListPopResult? popped = null;
        bool served = await BlockAsync(c, keys, timeout,
            tryNow: () => (popped = Sync(db.ListPopFirstNonEmptyAsync(Keys(keys), side))) is not null,
            serve: key => (popped = PopListOrNull(db, key, side, 1)) is not null);
        if (!served) return;
        c.Writer.ArrayHeader(2);
        c.Writer.BulkString(popped!.Key.Span);
        c.Writer.BulkString(popped.Values[0].Span);
    }

    /// <summary>BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: as LMPOP.</summary>
    private static async ValueTask BLMPop(CommandContext c)
    {
        var timeout = ParseTimeout(c, 1);
        var (keyList, side, count) = ListCommands.MPopArguments(c, 2);
        var keys = keyList.Select(k => k.Span.ToArray()).ToArray();
        var db = c.Db;
        ListPopResult? popped = null;
        bool served = await BlockAsync(c, keys, timeout,
            tryNow: () => (popped = Sync(db.ListPopFirstNonEmptyAsync(Keys(keys), side, count))) is not null,
            serve: key => (popped = PopListOrNull(db, key, side, count)) is not null);
        if (served) ListCommands.WritePopResult(c, popped);
    }

    /// <summary>BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout.</summary>
    private static ValueTask BLMove(CommandContext c)
    {
        var from = Side(c, 3);
        var to = Side(c, 4);
        return Move(c, from, to, ParseTimeout(c, 5));
    }

    /// <summary>BRPOPLPUSH source destination timeout: BLMOVE source destination RIGHT LEFT.</summary>
    private static ValueTask BRPopLPush(CommandContext c) => Move(c, ListSide.Right, ListSide.Left, ParseTimeout(c, 3));

    private static async ValueTask Move(CommandContext c, ListSide from, ListSide to, TimeSpan? timeout)
    {
        var source = c.Bytes(1);
        var destination = c.Bytes(2);
        var db = c.Db;
        RebornValue moved = RebornValue.Null;
        bool served = await BlockAsync(c, [source], timeout,
            tryNow: () => !(moved = Sync(db.ListMoveAsync(source, destination, from, to))).IsNull,
            serve: _ =>
            {
                // A source of another type leaves the client waiting; a destination of another type
                // ends the wait with WRONGTYPE (Redis 7.0's serveClientBlockedOnList).
                if (Sync(db.KeyTypeAsync(source)) != RedisType.List) return false;
                return !(moved = Sync(db.ListMoveAsync(source, destination, from, to))).IsNull;
            },
            // A client that may not block gets the null bulk string here, not the null array.
            empty: c.Writer.Null);
        if (served) c.Bulk(moved);
    }

    private static ListPopResult? PopListOrNull(KeyValueDatabase db, byte[] key, ListSide side, long count)
    {
        try { return Sync(db.ListPopFirstNonEmptyAsync([key], side, count)); }
        catch (RebornException error) when (IsWrongType(error)) { return null; } // not a list (now): keep waiting
    }

    private static ListSide Side(CommandContext c, int index)
    {
        if (c.Is(index, "LEFT"u8)) return ListSide.Left;
        if (c.Is(index, "RIGHT"u8)) return ListSide.Right;
        throw CommandContext.Syntax();
    }

    // ---- sorted sets ----------------------------------------------------------------------

    /// <summary>BZPOPMIN / BZPOPMAX key [key ...] timeout: [key, member, score].</summary>
    private static async ValueTask BZPop(CommandContext c, SortedSetOrder order)
    {
        var timeout = ParseTimeout(c, c.ArgCount - 1);
        var keys = KeyBytes(c, 1, c.ArgCount - 2);
        var db = c.Db;
        SortedSetPopResult? popped = null;
        bool served = await BlockAsync(c, keys, timeout,
            tryNow: () => (popped = NonEmpty(Sync(db.SortedSetPopAsync(Keys(keys), order)))) is not null,
            serve: key => (popped = PopSortedSetOrNull(db, key, order, 1)) is not null);
        if (!served) return;
        var entry = popped!.Entries[0];
        c.Writer.ArrayHeader(3);
        c.Writer.BulkString(popped.Key.Span);
        c.Writer.BulkString(entry.Member.Span);
        c.Writer.Double(entry.Score);
    }

    /// <summary>BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: as ZMPOP.</summary>
    private static async ValueTask BZMPop(CommandContext c)
    {
        var timeout = ParseTimeout(c, 1);
        var (keyList, order, count) = SortedSetCommands.ParsePopArguments(c, 2);
        var keys = keyList.Select(k => k.Span.ToArray()).ToArray();
        var db = c.Db;
        SortedSetPopResult? popped = null;
        bool served = await BlockAsync(c, keys, timeout,
            tryNow: () => (popped = NonEmpty(Sync(db.SortedSetPopAsync(Keys(keys), order, count)))) is not null,
            serve: key => (popped = PopSortedSetOrNull(db, key, order, count)) is not null);
        if (served) SortedSetCommands.WritePopResult(c, popped);
    }

    private static SortedSetPopResult? PopSortedSetOrNull(KeyValueDatabase db, byte[] key, SortedSetOrder order, long count)
    {
        try { return NonEmpty(Sync(db.SortedSetPopAsync([key], order, count))); }
        catch (RebornException error) when (IsWrongType(error)) { return null; }
    }

    private static SortedSetPopResult? NonEmpty(SortedSetPopResult? popped) => popped is { Entries.Length: > 0 } ? popped : null;

    // ---- the wait -------------------------------------------------------------------------

    /// <summary>
    /// Tries once, then waits as the client allows. True when served: the caller writes the reply.
    /// False when the client got nothing: its reply is already written, the null array, or
    /// <paramref name="empty"/> for a client that may not block (inside EXEC, or in process).
    /// </summary>
    private static async ValueTask<bool> BlockAsync(
        CommandContext c, byte[][] keys, TimeSpan? timeout, Func<bool> tryNow, Server.BlockingWaiters.ServeFromKey serve, Action? empty = null)
    {
        if (c.InExec || c.Server is null)
        {
            // Must not take the waiters' lock: EXEC holds every storage lock, and a serve pass holds the waiters' lock while it waits for one.
            if (tryNow()) return true;
            if (empty is not null) empty();
            else c.Writer.NullArray();
            return false;
        }
        var waiters = c.Server.Blocking;
        var waiter = waiters.BlockOrServe(c.DatabaseIndex, keys, tryNow, serve);
        if (waiter is null) return true;
        if (await waiters.WaitAsync(waiter, timeout, c.Aborted).ConfigureAwait(false)) return true;
        c.Writer.NullArray(); // a timed-out client gets the null array whatever the command (Redis's replyToBlockedClientTimedOut)
        return false;
    }

    private static byte[][] KeyBytes(CommandContext c, int first, int last)
    {
        var keys = new byte[last - first + 1][];
        for (int i = 0; i < keys.Length; i++) keys[i] = c.Bytes(first + i);
        return keys;
    }

    private static RebornKey[] Keys(byte[][] keys)
    {
        var result = new RebornKey[keys.Length];
        for (int i = 0; i < keys.Length; i++) result[i] = keys[i];
        return result;
    }

    private static bool IsWrongType(RebornException error) => error.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal);

    /// <summary>Local storage calls complete at once; the waiters' lock and EXEC need them on this thread.</summary>
    private static T Sync<T>(ValueTask<T> pending) => pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
