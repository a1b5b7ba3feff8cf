using Reborn.Core.DataModel;

namespace Reborn.Core.Cluster;

public sealed partial class KeyValueDatabase
{
    /// <summary>SADD: adds the members; returns how many were not there yet. Keeps the key's expiry.</summary>
    public ValueTask<long> SetAddAsync(RebornKey key, params RebornValue[] members)
    {
        while (true)
        {
            try { return new(Route(key).SetAdd(Database, key.Span, SetMemberArrays(members))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SREM: removes the members; returns how many were there. An emptied set is deleted.</summary>
    public ValueTask<long> SetRemoveAsync(RebornKey key, params RebornValue[] members)
    {
        while (true)
        {
            try { return new(Route(key).SetRemove(Database, key.Span, SetMemberArrays(members))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SCARD: the number of members, 0 when the key is missing.</summary>
    public ValueTask<long> SetLengthAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Route(key).SetLength(Database, key.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SISMEMBER: whether the member is in the set.</summary>
    public ValueTask<bool> SetContainsAsync(RebornKey key, RebornValue member)
    {
        while (true)
        {
            try { return new(Route(key).SetContains(Database, key.Span, member.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SMISMEMBER: for each member, whether it is in the set (all false when the key is missing).</summary>
    public ValueTask<bool[]> SetContainsAsync(RebornKey key, params RebornValue[] members)
    {
        while (true)
        {
            try { return new(Route(key).SetContains(Database, key.Span, SetMemberArrays(members))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SMEMBERS: every member, in no particular order; empty when the key is missing.</summary>
    public ValueTask<RebornValue[]> SetMembersAsync(RebornKey key)
    {
        var values = new RebornValueCollector();
        SetMembers(key, values);
        return new(values.Values);
    }

    /// <summary>SMEMBERS into <paramref name="sink"/>: spans over the engine's buffers, valid only during each call.</summary>
    public ValueTask SetMembersAsync(RebornKey key, IValueSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        SetMembers(key, sink);
        return ValueTask.CompletedTask;
    }

    private void SetMembers(RebornKey key, IValueSink sink)
    {
        while (true)
        {
            // The slot check comes before the sink sees anything: a retry starts from nothing.
            try { Route(key).SetMembers(Database, key.Span, sink); return; }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SPOP: removes and returns a random member, or null when the key is missing.</summary>
    public ValueTask<RebornValue> SetPopAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Value(Route(key).SetPop(Database, key.Span))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SPOP with a count: removes and returns up to <paramref name="count"/> distinct random members.</summary>
    public ValueTask<RebornValue[]> SetPopAsync(RebornKey key, long count)
    {
        while (true)
        {
            try
            {
                if (count < 0) throw new RebornException(Errors.PositiveCount);
                return new(SetValues(Route(key).SetPop(Database, key.Span, count)));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SRANDMEMBER: a random member, or null when the key is missing.</summary>
    public ValueTask<RebornValue> SetRandomMemberAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Value(Route(key).SetRandomMember(Database, key.Span))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// SRANDMEMBER with a count: a positive count returns up to that many distinct members, a negative
    /// count exactly |count| members that may repeat.
    /// </summary>
    public ValueTask<RebornValue[]> SetRandomMembersAsync(RebornKey key, long count)
    {
        while (true)
        {
            try { return new(SetValues(Route(key).SetRandomMembers(Database, key.Span, count))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SMOVE: moves a member from one set to another; false when the source lacks it.</summary>
    public ValueTask<bool> SetMoveAsync(RebornKey source, RebornKey destination, RebornValue member)
    {
        while (true)
        {
            try
            {
                byte[][] keys = [source.Span.ToArray(), destination.Span.ToArray()];
                return new(RouteAll(keys).SetMove(Database, keys[0], keys[1], member.Span));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SINTER, SUNION or SDIFF of the sets (a missing key is an empty set); members in no particular order.</summary>
    public ValueTask<RebornValue[]> SetCombineAsync(SetOperation operation, params RebornKey[] keys)
    {
        while (true)
        {
            try
            {
                var arrays = ToArrays(keys);
                return new(SetValues(RouteAll(arrays).SetCombine(Database, (Keyspace.SetOperation)operation, arrays)));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// SINTERSTORE, SUNIONSTORE or SDIFFSTORE: replaces <paramref name="destination"/> (whatever it held,
    /// expiry included) with the result and returns its size; an empty result deletes the destination.
    /// </summary>
    public ValueTask<long> SetCombineAndStoreAsync(SetOperation operation, RebornKey destination, params RebornKey[] keys)
    {
        while (true)
        {
            try
            {
                var arrays = ToArrays(keys);
                var all = arrays.Append(destination.Span.ToArray()).ToArray();
                return new(RouteAll(all).SetCombineAndStore(Database, (Keyspace.SetOperation)operation, destination.Span, arrays));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SINTERCARD: the size of the intersection; counting stops at <paramref name="limit"/> (0 means no limit).</summary>
    public ValueTask<long> SetIntersectionLengthAsync(RebornKey[] keys, long limit = 0)
    {
        while (true)
        {
            try
            {
                if (limit < 0) throw new RebornException(Errors.LimitNegative);
                var arrays = ToArrays(keys);
                return new(RouteAll(arrays).SetIntersectionLength(Database, arrays, limit));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// One SSCAN step: the next cursor (0 when complete) and the members of this step. A null
    /// <paramref name="pattern"/> matches every member.
    /// </summary>
    public ValueTask<ScanPage> SetScanAsync(RebornKey key, long cursor, RebornValue pattern = default, long count = 10)
    {
        while (true)
        {
            try
            {
                var members = new List<byte[]>();
                long next = Route(key).SetScan(Database, key.Span, cursor, pattern.Span, !pattern.IsNull, Math.Max(1, count), members);
                return new(new ScanPage(next, SetValues(members)));
            }
            catch (SlotMovedException) { }
        }
    }

    private static byte[][] SetMemberArrays(RebornValue[] members)
    {
        var arrays = new byte[members.Length][];
        for (int i = 0; i < members.Length; i++) arrays[i] = members[i].Span.ToArray();
        return arrays;
    }

    private static RebornValue[] SetValues(List<byte[]> items)
    {
        var values = new RebornValue[items.Count];
        for (int i = 0; i < values.Length; i++) values[i] = new RebornValue(items[i]);
        return values;
    }
}

/// <summary>The algebra of SINTER, SUNION and SDIFF.</summary>
public enum SetOperation : byte { Union = 0, Intersect = 1, Difference = 2 }
