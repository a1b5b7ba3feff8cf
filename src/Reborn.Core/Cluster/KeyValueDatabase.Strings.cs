using Reborn.Core.DataModel;

namespace Reborn.Core.Cluster;

public sealed partial class KeyValueDatabase
{
    public ValueTask<RebornValue> StringGetAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Value(_cluster.GetString(Database, key.Span))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>SET with every option: condition (NX/XX), expiry (EX/PX/EXAT/PXAT/KEEPTTL), GET.</summary>
    public ValueTask<StringSetResult> StringSetAsync(RebornKey key, RebornValue value, SetCondition condition = SetCondition.Always, Expiry expiry = default, bool returnOld = false)
    {
        bool overwrite = condition == SetCondition.Always && !returnOld && expiry.Kind != ExpiryKind.Keep;
        while (true)
        {
            try
            {
                if (overwrite && _cluster.TryOverwriteLeaving(Database, key.Span, value.Span, expiry))
                    return new(new StringSetResult(true, RebornValue.Null));
                var r = Route(key).Set(Database, key.Span, value.Span, condition, expiry, returnOld);
                return new(new StringSetResult(r.Written, Value(r.OldValue)));
            }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<bool> StringSetAsync(RebornKey key, RebornValue value, TimeSpan? expiry)
    {
        while (true)
        {
            try
            {
                var resolved = expiry is { } ttl ? Expiry.In(ttl) : Expiry.None;
                if (_cluster.TryOverwriteLeaving(Database, key.Span, value.Span, resolved)) return new(true);
                var r = Route(key).Set(Database, key.Span, value.Span, SetCondition.Always, resolved, false);
                return new(r.Written);
            }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<bool> StringSetNotExistsAsync(RebornKey key, RebornValue value)
    {
        while (true)
        {
            try { return new(Route(key).Set(Database, key.Span, value.Span, SetCondition.IfNotExists, Expiry.None, false).Written); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<RebornValue> StringGetSetAsync(RebornKey key, RebornValue value)
    {
        while (true)
        {
            try { return new(Value(Route(key).Set(Database, key.Span, value.Span, SetCondition.Always, Expiry.None, true).OldValue)); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<RebornValue> StringGetDeleteAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Value(Route(key).GetDel(Database, key.Span))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>GETEX: <see cref="Expiry.Keep"/> leaves the expiry alone; <see cref="Expiry.Persist"/> removes it.</summary>
    public ValueTask<RebornValue> StringGetExAsync(RebornKey key, Expiry expiry)
    {
        while (true)
        {
            try { return new(Value(Route(key).GetEx(Database, key.Span, expiry))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>MGET: split by group, answers in argument order.</summary>
    public ValueTask<RebornValue[]> StringGetAsync(params RebornKey[] keys)
    {
        var arrays = ToArrays(keys);
        while (true)
        {
            try
            {
                var values = new RebornValue[arrays.Length];
                foreach (var (keyspace, indexes) in _cluster.SplitByGroup(Database, arrays))
                {
                    var part = keyspace.MGet(Database, indexes.Select(i => arrays[i]).ToArray());
                    for (int j = 0; j < indexes.Count; j++) values[indexes[j]] = Value(part[j]);
                }
                return new(values);
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// MSET (split by group; each group's part is atomic), or MSETNX when <paramref name="onlyIfNoneExist"/>:
    /// atomic, so its keys must live in one group (else CROSSSLOT / TRYAGAIN). Returns whether it wrote.
    /// </summary>
    public ValueTask<bool> StringSetAsync(KeyValuePair<RebornKey, RebornValue>[] pairs, bool onlyIfNoneExist = false)
    {
        var arrays = new KeyValuePair<byte[], byte[]>[pairs.Length];
        for (int i = 0; i < pairs.Length; i++) arrays[i] = new(pairs[i].Key.Span.ToArray(), pairs[i].Value.Span.ToArray());
        var keys = Array.ConvertAll(arrays, p => p.Key);
        while (true)
        {
            try
            {
                if (onlyIfNoneExist) return new(RouteAll(keys).MSet(Database, arrays, true));
                foreach (var (keyspace, indexes) in _cluster.SplitByGroup(Database, keys))
                    keyspace.MSet(Database, indexes.Select(i => arrays[i]).ToArray(), false);
                return new(true);
            }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<long> StringIncrementAsync(RebornKey key, long delta = 1)
    {
        while (true)
        {
            try { return new(Route(key).IncrBy(Database, key.Span, delta)); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<long> StringDecrementAsync(RebornKey key, long delta = 1)
    {
        while (true)
        {
            try
            {
                if (delta == long.MinValue) throw new RebornException("ERR decrement would overflow");
                return new(Route(key).IncrBy(Database, key.Span, -delta));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>INCRBYFLOAT: the new value as Redis prints it.</summary>
    public ValueTask<RebornValue> StringIncrementAsync(RebornKey key, double delta)
    {
        while (true)
        {
            try { return new(Value(Route(key).IncrByFloat(Database, key.Span, delta))); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<long> StringAppendAsync(RebornKey key, RebornValue value)
    {
        while (true)
        {
            try { return new(Route(key).Append(Database, key.Span, value.Span)); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<long> StringLengthAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(_cluster.GetString(Database, key.Span)?.Length ?? 0); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<RebornValue> StringGetRangeAsync(RebornKey key, long start, long end)
    {
        while (true)
        {
            try { return new(Value(Route(key).GetRange(Database, key.Span, start, end))); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<long> StringSetRangeAsync(RebornKey key, long offset, RebornValue value)
    {
        while (true)
        {
            try { return new(Route(key).SetRange(Database, key.Span, offset, value.Span)); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<long> StringGetBitAsync(RebornKey key, long offset)
    {
        while (true)
        {
            try { return new(Route(key).GetBit(Database, key.Span, offset)); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<long> StringSetBitAsync(RebornKey key, long offset, bool bit)
    {
        while (true)
        {
            try { return new(Route(key).SetBit(Database, key.Span, offset, bit)); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<long> StringBitCountAsync(RebornKey key, long? start = null, long? end = null, bool bitUnit = false)
    {
        while (true)
        {
            try { return new(Route(key).BitCount(Database, key.Span, start, end, bitUnit)); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<long> StringBitPositionAsync(RebornKey key, bool bit, long? start = null, long? end = null, bool bitUnit = false)
    {
        while (true)
        {
            try { return new(Route(key).BitPos(Database, key.Span, bit, start, end, bitUnit)); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<long> StringBitOperationAsync(BitOperation operation, RebornKey destination, params RebornKey[] sources)
    {
        while (true)
        {
            try
            {
                var arrays = ToArrays(sources);
                var all = arrays.Append(destination.Span.ToArray()).ToArray();
                return new(RouteAll(all).BitOp(Database, (Keyspace.BitOperation)operation, destination.Span, arrays));
            }
            catch (SlotMovedException) { }
        }
    }
}

/// <summary>SET's outcome: whether it wrote, and the old value when GET was asked for.</summary>
public readonly record struct StringSetResult(bool Written, RebornValue OldValue);

/// <summary>BITOP's operations.</summary>
public enum BitOperation : byte { And = 0, Or = 1, Xor = 2, Not = 3 }
