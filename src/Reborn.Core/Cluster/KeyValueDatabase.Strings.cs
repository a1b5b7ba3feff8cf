using Reborn.Core.DataModel;

namespace Reborn.Core.Cluster;

public sealed partial class KeyValueDatabase
{
    public ValueTask<RebornValue> StringGetAsync(RebornKey key) => new(Value(Route(key).Get(Database, key.Span)));

    /// <summary>SET with every option: condition (NX/XX), expiry (EX/PX/EXAT/PXAT/KEEPTTL), GET.</summary>
    public ValueTask<StringSetResult> StringSetAsync(RebornKey key, RebornValue value, SetCondition condition = SetCondition.Always, Expiry expiry = default, bool returnOld = false)
    {
        var r = Route(key).Set(Database, key.Span, value.Span, condition, expiry, returnOld);
        return new(new StringSetResult(r.Written, Value(r.OldValue)));
    }

    public ValueTask<bool> StringSetAsync(RebornKey key, RebornValue value, TimeSpan? expiry)
    {
        var r = Route(key).Set(Database, key.Span, value.Span, SetCondition.Always, expiry is { } ttl ? Expiry.In(ttl) : Expiry.None, false);
        return new(r.Written);
    }

    public ValueTask<bool> StringSetNotExistsAsync(RebornKey key, RebornValue value)
        => new(Route(key).Set(Database, key.Span, value.Span, SetCondition.IfNotExists, Expiry.None, false).Written);

    public ValueTask<RebornValue> StringGetSetAsync(RebornKey key, RebornValue value)
        => new(Value(Route(key).Set(Database, key.Span, value.Span, SetCondition.Always, Expiry.None, true).OldValue));

    public ValueTask<RebornValue> StringGetDeleteAsync(RebornKey key) => new(Value(Route(key).GetDel(Database, key.Span)));

    /// <summary>GETEX: <see cref="Expiry.Keep"/> leaves the expiry alone; <see cref="Expiry.Persist"/> removes it.</summary>
    public ValueTask<RebornValue> StringGetExAsync(RebornKey key, Expiry expiry) => new(Value(Route(key).GetEx(Database, key.Span, expiry)));

    public ValueTask<RebornValue[]> StringGetAsync(params RebornKey[] keys)
    {
        var arrays = ToArrays(keys);
        return new(Values(RouteAll(arrays).MGet(Database, arrays)));
    }

    /// <summary>MSET, or MSETNX when <paramref name="onlyIfNoneExist"/> (then returns whether it wrote).</summary>
    public ValueTask<bool> StringSetAsync(KeyValuePair<RebornKey, RebornValue>[] pairs, bool onlyIfNoneExist = false)
    {
        var arrays = new KeyValuePair<byte[], byte[]>[pairs.Length];
        for (int i = 0; i < pairs.Length; i++) arrays[i] = new(pairs[i].Key.Span.ToArray(), pairs[i].Value.Span.ToArray());
        var keys = Array.ConvertAll(arrays, p => p.Key);
        return new(RouteAll(keys).MSet(Database, arrays, onlyIfNoneExist));
    }

    public ValueTask<long> StringIncrementAsync(RebornKey key, long delta = 1) => new(Route(key).IncrBy(Database, key.Span, delta));

    public ValueTask<long> StringDecrementAsync(RebornKey key, long delta = 1)
    {
        if (delta == long.MinValue) throw new RebornException("ERR decrement would overflow");
        return new(Route(key).IncrBy(Database, key.Span, -delta));
    }

    /// <summary>INCRBYFLOAT: the new value as Redis prints it.</summary>
    public ValueTask<RebornValue> StringIncrementAsync(RebornKey key, double delta) => new(Value(Route(key).IncrByFloat(Database, key.Span, delta)));

    public ValueTask<long> StringAppendAsync(RebornKey key, RebornValue value) => new(Route(key).Append(Database, key.Span, value.Span));

    public ValueTask<long> StringLengthAsync(RebornKey key) => new(Route(key).StrLen(Database, key.Span));

    public ValueTask<RebornValue> StringGetRangeAsync(RebornKey key, long start, long end) => new(Value(Route(key).GetRange(Database, key.Span, start, end)));

    public ValueTask<long> StringSetRangeAsync(RebornKey key, long offset, RebornValue value) => new(Route(key).SetRange(Database, key.Span, offset, value.Span));

    public ValueTask<long> StringGetBitAsync(RebornKey key, long offset) => new(Route(key).GetBit(Database, key.Span, offset));

    public ValueTask<long> StringSetBitAsync(RebornKey key, long offset, bool bit) => new(Route(key).SetBit(Database, key.Span, offset, bit));

    public ValueTask<long> StringBitCountAsync(RebornKey key, long? start = null, long? end = null, bool bitUnit = false)
        => new(Route(key).BitCount(Database, key.Span, start, end, bitUnit));

    public ValueTask<long> StringBitPositionAsync(RebornKey key, bool bit, long? start = null, long? end = null, bool bitUnit = false)
        => new(Route(key).BitPos(Database, key.Span, bit, start, end, bitUnit));

    public ValueTask<long> StringBitOperationAsync(BitOperation operation, RebornKey destination, params RebornKey[] sources)
    {
        var arrays = ToArrays(sources);
        var all = arrays.Append(destination.Span.ToArray()).ToArray();
        return new(RouteAll(all).BitOp(Database, (Keyspace.BitOperation)operation, destination.Span, arrays));
    }
}

/// <summary>SET's outcome: whether it wrote, and the old value when GET was asked for.</summary>
public readonly record struct StringSetResult(bool Written, RebornValue OldValue);

/// <summary>BITOP's operations.</summary>
public enum BitOperation : byte { And = 0, Or = 1, Xor = 2, Not = 3 }
