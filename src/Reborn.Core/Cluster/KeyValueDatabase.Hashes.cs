using Reborn.Core.DataModel;

namespace Reborn.Core.Cluster;

public sealed partial class KeyValueDatabase
{
    /// <summary>HSET with one field: true when the field was created, false when an existing one was overwritten.</summary>
    public ValueTask<bool> HashSetAsync(RebornKey key, RebornValue field, RebornValue value)
    {
        while (true)
        {
            try { return new(Route(key).HashSet(Database, key.Span, field.Span, value.Span) == 1); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HSET / HMSET: sets every entry; returns how many fields were created. A field named twice takes its last value.</summary>
    public ValueTask<long> HashSetAsync(RebornKey key, params HashEntry[] entries)
    {
        while (true)
        {
            try
            {
                if (entries.Length == 1) return new(Route(key).HashSet(Database, key.Span, entries[0].Name.Span, entries[0].Value.Span));
                var pairs = new KeyValuePair<byte[], byte[]>[entries.Length];
                for (int i = 0; i < entries.Length; i++) pairs[i] = new(entries[i].Name.Span.ToArray(), entries[i].Value.Span.ToArray());
                return new(Route(key).HashSet(Database, key.Span, pairs));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HSETNX: sets the field only when it does not exist; true when it was set.</summary>
    public ValueTask<bool> HashSetNotExistsAsync(RebornKey key, RebornValue field, RebornValue value)
    {
        while (true)
        {
            try { return new(Route(key).HashSetIfNotExists(Database, key.Span, field.Span, value.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HGET: the field's value, or null when the key or the field is missing.</summary>
    public ValueTask<RebornValue> HashGetAsync(RebornKey key, RebornValue field)
    {
        while (true)
        {
            try { return new(Value(Route(key).HashGet(Database, key.Span, field.Span))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HMGET: one value per field, null for a missing one.</summary>
    public ValueTask<RebornValue[]> HashGetAsync(RebornKey key, params RebornValue[] fields)
    {
        while (true)
        {
            try { return new(Values(Route(key).HashGet(Database, key.Span, HashFieldArrays(fields)))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HDEL: removes the fields; returns how many existed. A hash left empty is deleted.</summary>
    public ValueTask<long> HashDeleteAsync(RebornKey key, params RebornValue[] fields)
    {
        while (true)
        {
            try { return new(Route(key).HashDelete(Database, key.Span, HashFieldArrays(fields))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HLEN: the number of fields, 0 when the key is missing.</summary>
    public ValueTask<long> HashLengthAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Route(key).HashLength(Database, key.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HSTRLEN: the length of the field's value, 0 when missing.</summary>
    public ValueTask<long> HashStringLengthAsync(RebornKey key, RebornValue field)
    {
        while (true)
        {
            try { return new(Route(key).HashStringLength(Database, key.Span, field.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HEXISTS: whether the field exists.</summary>
    public ValueTask<bool> HashExistsAsync(RebornKey key, RebornValue field)
    {
        while (true)
        {
            try { return new(Route(key).HashExists(Database, key.Span, field.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HKEYS: every field name (in byte order).</summary>
    public ValueTask<RebornValue[]> HashKeysAsync(RebornKey key) => new(CollectHash(key, ElementParts.Fields));

    /// <summary>HVALS: every value (in the byte order of their fields).</summary>
    public ValueTask<RebornValue[]> HashValuesAsync(RebornKey key) => new(CollectHash(key, ElementParts.Values));

    /// <summary>HKEYS into <paramref name="sink"/>: spans over the engine's buffers, valid only during each call.</summary>
    public ValueTask HashKeysAsync(RebornKey key, IValueSink sink) => ReadHash(key, ElementParts.Fields, sink);

    /// <summary>HVALS into <paramref name="sink"/>: spans over the engine's buffers, valid only during each call.</summary>
    public ValueTask HashValuesAsync(RebornKey key, IValueSink sink) => ReadHash(key, ElementParts.Values, sink);

    /// <summary>
    /// HGETALL into <paramref name="sink"/>: field, value, field, value ... (the count given to
    /// <see cref="IValueSink.Begin"/> is twice the number of fields).
    /// </summary>
    public ValueTask HashGetAllAsync(RebornKey key, IValueSink sink) => ReadHash(key, ElementParts.FieldsAndValues, sink);

    private RebornValue[] CollectHash(RebornKey key, ElementParts parts)
    {
        var values = new RebornValueCollector();
        ReadHash(key, parts, values);
        return values.Values;
    }

    private ValueTask ReadHash(RebornKey key, ElementParts parts, IValueSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        while (true)
        {
            // The slot check comes before the sink sees anything: a retry starts from nothing.
            try { Route(key).HashRead(Database, key.Span, parts, sink); return ValueTask.CompletedTask; }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HGETALL: every field with its value; empty when the key is missing.</summary>
    public ValueTask<HashEntry[]> HashGetAllAsync(RebornKey key)
    {
        var values = CollectHash(key, ElementParts.FieldsAndValues);
        var entries = new HashEntry[values.Length / 2];
        for (int i = 0; i < entries.Length; i++) entries[i] = new HashEntry(values[2 * i], values[2 * i + 1]);
        return new(entries);
    }

    /// <summary>HINCRBY: adds to an integer field (a missing one counts as 0) and returns the new value.</summary>
    public ValueTask<long> HashIncrementAsync(RebornKey key, RebornValue field, long delta = 1)
    {
        while (true)
        {
            try { return new(Route(key).HashIncrement(Database, key.Span, field.Span, delta)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HINCRBYFLOAT: adds to a numeric field and returns the new value as Redis prints it.</summary>
    public ValueTask<RebornValue> HashIncrementAsync(RebornKey key, RebornValue field, double delta)
    {
        while (true)
        {
            try { return new(Value(Route(key).HashIncrement(Database, key.Span, field.Span, delta))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HRANDFIELD: one random field, or null when the key is missing.</summary>
    public ValueTask<RebornValue> HashRandomFieldAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Value(Route(key).HashRandomField(Database, key.Span))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// HRANDFIELD key count: a positive count gives up to that many distinct fields, a negative one
    /// exactly -count fields that may repeat.
    /// </summary>
    public ValueTask<RebornValue[]> HashRandomFieldsAsync(RebornKey key, long count)
    {
        while (true)
        {
            try { return new(Route(key).HashRandomFields(Database, key.Span, CheckHashRandomCount(count)).Select(p => new RebornValue(p.Key)).ToArray()); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>HRANDFIELD key count WITHVALUES: as <see cref="HashRandomFieldsAsync"/>, with each field's value.</summary>
    public ValueTask<HashEntry[]> HashRandomFieldsWithValuesAsync(RebornKey key, long count)
    {
        while (true)
        {
            try { return new(HashEntries(Route(key).HashRandomFields(Database, key.Span, CheckHashRandomCount(count)))); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>
    /// One HSCAN step: the next cursor (0 when complete) and the entries of this step whose field
    /// matches <paramref name="pattern"/> (a glob; null matches every field). A hash of up to 128
    /// fields comes whole in one step whatever the cursor and count, as Redis serves a small hash.
    /// </summary>
    public ValueTask<HashScanPage> HashScanAsync(RebornKey key, long cursor = 0, RebornValue pattern = default, long count = 10)
    {
        while (true)
        {
            try
            {
                var entries = new List<KeyValuePair<byte[], byte[]>>();
                long next = Route(key).HashScan(Database, key.Span, cursor, pattern.IsNull ? null : pattern.Span.ToArray(), Math.Max(1, count), entries);
                return new(new HashScanPage(next, HashEntries(entries)));
            }
            catch (SlotMovedException) { }
        }
    }

    private static long CheckHashRandomCount(long count) => count == long.MinValue ? throw new RebornException(Errors.RandomCountRange) : count;

    private static byte[][] HashFieldArrays(RebornValue[] fields)
    {
        var arrays = new byte[fields.Length][];
        for (int i = 0; i < fields.Length; i++) arrays[i] = fields[i].Span.ToArray();
        return arrays;
    }

    private static HashEntry[] HashEntries(List<KeyValuePair<byte[], byte[]>> pairs)
    {
        var entries = new HashEntry[pairs.Count];
        for (int i = 0; i < entries.Length; i++) entries[i] = new HashEntry(pairs[i].Key, pairs[i].Value);
        return entries;
    }
}

/// <summary>One field of a hash and its value.</summary>
public readonly record struct HashEntry(RebornValue Name, RebornValue Value);

/// <summary>One step of an HSCAN iteration.</summary>
public readonly record struct HashScanPage(long Cursor, HashEntry[] Entries);
