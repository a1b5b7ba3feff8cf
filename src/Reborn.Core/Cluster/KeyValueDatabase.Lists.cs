using Reborn.Core.DataModel;

namespace Reborn.Core.Cluster;

public sealed partial class KeyValueDatabase
{
    /// <summary>LPUSH: pushes the values at the head, one after the other (the last ends up first); returns the new length.</summary>
    public ValueTask<long> ListLeftPushAsync(RebornKey key, params RebornValue[] values)
    {
        while (true)
        {
            try { return new(Route(key).ListPush(Database, key.Span, values, left: true, onlyIfExists: false)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>RPUSH: appends the values at the tail; returns the new length.</summary>
    public ValueTask<long> ListRightPushAsync(RebornKey key, params RebornValue[] values)
    {
        while (true)
        {
            try { return new(Route(key).ListPush(Database, key.Span, values, left: false, onlyIfExists: false)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>LPUSH, or LPUSHX when <paramref name="onlyIfExists"/> (then 0 when the key is missing).</summary>
    public ValueTask<long> ListLeftPushAsync(RebornKey key, RebornValue[] values, bool onlyIfExists)
    {
        while (true)
        {
            try { return new(Route(key).ListPush(Database, key.Span, values, left: true, onlyIfExists)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>RPUSH, or RPUSHX when <paramref name="onlyIfExists"/> (then 0 when the key is missing).</summary>
    public ValueTask<long> ListRightPushAsync(RebornKey key, RebornValue[] values, bool onlyIfExists)
    {
        while (true)
        {
            try { return new(Route(key).ListPush(Database, key.Span, values, left: false, onlyIfExists)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// LPOP / RPOP into <paramref name="sink"/>: Begin(1) and the element, handed over as a span over the
    /// engine's buffer valid only during the call, or Begin(0) when the key is missing (see <see cref="IValueSink"/>).
    /// </summary>
    public ValueTask ListPopAsync(RebornKey key, ListSide side, IValueSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        while (true)
        {
            // The slot check comes before the sink sees anything: a retry starts from nothing.
            try
            {
                Route(key).ListPop(Database, key.Span, side == ListSide.Left, sink);
                return ValueTask.CompletedTask;
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>LPOP: the head element, or null when the key is missing.</summary>
    public ValueTask<RebornValue> ListLeftPopAsync(RebornKey key) => PopOne(key, ListSide.Left);

    /// <summary>RPOP: the tail element, or null when the key is missing.</summary>
    public ValueTask<RebornValue> ListRightPopAsync(RebornKey key) => PopOne(key, ListSide.Right);

    private ValueTask<RebornValue> PopOne(RebornKey key, ListSide side)
    {
        var value = new RebornValueCollector();
        ListPopAsync(key, side, value);
        return new(value.Values is [var one] ? one : RebornValue.Null);
    }

    /// <summary>LPOP with a count: up to <paramref name="count"/> elements from the head; null when the key is missing.</summary>
    public ValueTask<RebornValue[]?> ListLeftPopAsync(RebornKey key, long count)
    {
        while (true)
        {
            try { return new(ListValuesOrNull(Route(key).ListPop(Database, key.Span, left: true, count))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>RPOP with a count: up to <paramref name="count"/> elements from the tail; null when the key is missing.</summary>
    public ValueTask<RebornValue[]?> ListRightPopAsync(RebornKey key, long count)
    {
        while (true)
        {
            try { return new(ListValuesOrNull(Route(key).ListPop(Database, key.Span, left: false, count))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// LMPOP, and the non-blocking step of BLPOP / BRPOP / BLMPOP: pops up to <paramref name="count"/>
    /// elements from the first of <paramref name="keys"/> that holds a list. Null when none does;
    /// WRONGTYPE when the first existing key is not a list.
    /// </summary>
    public ValueTask<ListPopResult?> ListPopFirstNonEmptyAsync(RebornKey[] keys, ListSide side, long count = 1)
    {
        while (true)
        {
            try
            {
                var arrays = ToArrays(keys);
                var popped = RouteAll(arrays).ListPopFirstNonEmpty(Database, arrays, side == ListSide.Left, count);
                return new(popped is { } p ? new ListPopResult(new RebornKey(p.Key), ListValues(p.Values)) : null);
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// LMOVE, and the non-blocking step of BLMOVE: moves one element from a side of
    /// <paramref name="source"/> to a side of <paramref name="destination"/> and returns it; null when
    /// the source is missing. With source equal to destination the list rotates.
    /// </summary>
    public ValueTask<RebornValue> ListMoveAsync(RebornKey source, RebornKey destination, ListSide sourceSide, ListSide destinationSide)
    {
        while (true)
        {
            try
            {
                var keyspace = RouteAll([source.Span.ToArray(), destination.Span.ToArray()]);
                return new(Value(keyspace.ListMove(Database, source.Span, destination.Span, sourceSide == ListSide.Left, destinationSide == ListSide.Left)));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>RPOPLPUSH (and the non-blocking step of BRPOPLPUSH): LMOVE source destination RIGHT LEFT.</summary>
    public ValueTask<RebornValue> ListRightPopLeftPushAsync(RebornKey source, RebornKey destination)
        => ListMoveAsync(source, destination, ListSide.Right, ListSide.Left);

    /// <summary>LLEN: 0 when the key is missing.</summary>
    public ValueTask<long> ListLengthAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Route(key).ListLength(Database, key.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>LINDEX: negative indexes count from the tail; null when missing or out of range.</summary>
    public ValueTask<RebornValue> ListGetByIndexAsync(RebornKey key, long index)
    {
        while (true)
        {
            try { return new(Value(Route(key).ListIndex(Database, key.Span, index))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>LSET: throws "ERR no such key" or "ERR index out of range".</summary>
    public ValueTask ListSetByIndexAsync(RebornKey key, long index, RebornValue value)
    {
        while (true)
        {
            try
            {
                Route(key).ListSet(Database, key.Span, index, value.Span);
                return ValueTask.CompletedTask;
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>LRANGE: the elements from <paramref name="start"/> to <paramref name="stop"/> inclusive (negative counts from the tail).</summary>
    public ValueTask<RebornValue[]> ListRangeAsync(RebornKey key, long start = 0, long stop = -1)
    {
        var values = new RebornValueCollector();
        ListRange(key, start, stop, values);
        return new(values.Values);
    }

    /// <summary>
    /// LRANGE into <paramref name="sink"/>: each element is handed over as a span over the engine's
    /// buffer, valid only during the call (see <see cref="IValueSink"/>).
    /// </summary>
    public ValueTask ListRangeAsync(RebornKey key, long start, long stop, IValueSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ListRange(key, start, stop, sink);
        return ValueTask.CompletedTask;
    }

    private void ListRange(RebornKey key, long start, long stop, IValueSink sink)
    {
        while (true)
        {
            // The slot check comes before the sink sees anything: a retry starts from nothing.
            try { Route(key).ListRange(Database, key.Span, start, stop, sink); return; }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>LTRIM: keeps only the elements from <paramref name="start"/> to <paramref name="stop"/> inclusive.</summary>
    public ValueTask ListTrimAsync(RebornKey key, long start, long stop)
    {
        while (true)
        {
            try
            {
                Route(key).ListTrim(Database, key.Span, start, stop);
                return ValueTask.CompletedTask;
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>LINSERT BEFORE: the new length, -1 when the pivot is absent, 0 when the key is missing.</summary>
    public ValueTask<long> ListInsertBeforeAsync(RebornKey key, RebornValue pivot, RebornValue value)
    {
        while (true)
        {
            try { return new(Route(key).ListInsert(Database, key.Span, after: false, pivot.Span, value.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>LINSERT AFTER: the new length, -1 when the pivot is absent, 0 when the key is missing.</summary>
    public ValueTask<long> ListInsertAfterAsync(RebornKey key, RebornValue pivot, RebornValue value)
    {
        while (true)
        {
            try { return new(Route(key).ListInsert(Database, key.Span, after: true, pivot.Span, value.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>LREM: removes <paramref name="count"/> occurrences from the head (negative: from the tail; 0: all); returns how many.</summary>
    public ValueTask<long> ListRemoveAsync(RebornKey key, RebornValue value, long count = 0)
    {
        while (true)
        {
            try { return new(Route(key).ListRemove(Database, key.Span, count, value.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// LPOS without COUNT: the position of the <paramref name="rank"/>-th match (negative rank: from the
    /// tail), examining at most <paramref name="maxLength"/> elements (0 = all); null when not found.
    /// </summary>
    public ValueTask<long?> ListPositionAsync(RebornKey key, RebornValue element, long rank = 1, long maxLength = 0)
    {
        while (true)
        {
            try
            {
                ValidateListPosition(rank, maxLength);
                var found = Route(key).ListPositions(Database, key.Span, element.Span, rank, 1, maxLength);
                return new(found.Count > 0 ? found[0] : null);
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>LPOS with COUNT: up to <paramref name="count"/> positions of matches (0 = all), as <see cref="ListPositionAsync"/> ranks them.</summary>
    public ValueTask<long[]> ListPositionsAsync(RebornKey key, RebornValue element, long count, long rank = 1, long maxLength = 0)
    {
        while (true)
        {
            try
            {
                ValidateListPosition(rank, maxLength);
                if (count < 0) throw new RebornException(Errors.LposCountNegative);
                return new(Route(key).ListPositions(Database, key.Span, element.Span, rank, count, maxLength).ToArray());
            }
            catch (SlotMovedException) { }
        }
    }

    private static void ValidateListPosition(long rank, long maxLength)
    {
        if (rank == 0) throw new RebornException(Errors.LposRankZero);
        if (maxLength < 0) throw new RebornException(Errors.LposMaxLenNegative);
    }

    private static RebornValue[]? ListValuesOrNull(byte[][]? values) => values is null ? null : ListValues(values);

    private static RebornValue[] ListValues(IReadOnlyList<byte[]> bytes)
    {
        var values = new RebornValue[bytes.Count];
        for (int i = 0; i < values.Length; i++) values[i] = new RebornValue(bytes[i]);
        return values;
    }
}

/// <summary>An end of a list. Sent over the wire as LEFT / RIGHT; numbers are append-only.</summary>
public enum ListSide : byte { Left = 0, Right = 1 }

/// <summary>What LMPOP (and BLPOP / BLMPOP) popped: the key it came from and the elements, in pop order.</summary>
public sealed record ListPopResult(RebornKey Key, RebornValue[] Values);
