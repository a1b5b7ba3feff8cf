using Reborn.Core.DataModel.Dump;

namespace Reborn.Core.DataModel;

/// <summary>
/// Hashes: the metadata record holds (type, expiry, version, field count); each field is one
/// element record [version][field] -> value. Field order on disk is byte order, which Redis does
/// not promise either (its order is insertion for small hashes, hash order for large ones).
/// </summary>
internal sealed partial class Keyspace
{
    /// <summary>Redis's hash-max-listpack-entries: an HSCAN of a hash this small returns it whole, as Redis does.</summary>
    private const int SmallHashFields = 128;

    /// <summary>HSET / HMSET: returns how many fields were created. A field named twice takes its last value, as in Redis.</summary>
    public long HashSet(int db, ReadOnlySpan<byte> key, ReadOnlySpan<KeyValuePair<byte[], byte[]>> pairs)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            OpenCollection(k, RedisType.Hash, create: true, out var meta, out bool existed);
            // The batch is not readable: fields created earlier in this call are remembered here.
            var created = pairs.Length > 1 ? new HashSet<byte[]>(ByteArrayComparer.Instance) : null;
            long added = 0;
            BeginWrite();
            foreach (var (field, value) in pairs)
                if (PutField(k, meta, existed, field, value) && (created is null || created.Add(field))) added++;
            // Overwriting fields leaves the metadata as it was: only a new field changes the count.
            if (added > 0)
            {
                meta.Count += added;
                SaveCollection(k, meta, existed);
            }
            Commit();
            return added;
        }
    }

    /// <summary>HSET of one field, the common case: no array is made for the field or the value. Returns 1 when the field was created.</summary>
    public long HashSet(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            OpenCollection(k, RedisType.Hash, create: true, out var meta, out bool existed);
            BeginWrite();
            bool added = PutField(k, meta, existed, field, value);
            if (added)
            {
                meta.Count++;
                SaveCollection(k, meta, existed);
            }
            Commit();
            return added ? 1 : 0;
        }
    }

    /// <summary>Puts one field in the batch; true when the field did not exist before this batch.</summary>
    private bool PutField(in KeyRef k, in Metadata meta, bool existed, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        var elementKey = KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, field);
        bool created = !existed || !ElementExists(elementKey);
        Batch.Put(elementKey, value);
        return created;
    }

    /// <summary>HSETNX: sets the field only when it is absent; true when it was set.</summary>
    public bool HashSetIfNotExists(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            OpenCollection(k, RedisType.Hash, create: true, out var meta, out bool existed);
            if (existed && GetElement(k, meta.Version, field) is not null) return false;
            BeginWrite();
            Batch.Put(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, field), value);
            meta.Count++;
            SaveCollection(k, meta, existed);
            Commit();
            return true;
        }
    }

    /// <summary>HGET: null when the key or the field is missing.</summary>
    public byte[]? HashGet(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field)
    {
        var k = Ref(db, key);
        lock (Gate)
            return Lookup(k, RedisType.Hash, out var meta) ? GetElement(k, meta.Version, field) : null;
    }

    /// <summary>HMGET: one value (or null) per field, in argument order.</summary>
    public byte[]?[] HashGet(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte[]> fields)
    {
        var k = Ref(db, key);
        var values = new byte[]?[fields.Length];
        lock (Gate)
        {
            if (!Lookup(k, RedisType.Hash, out var meta)) return values;
            for (int i = 0; i < fields.Length; i++) values[i] = GetElement(k, meta.Version, fields[i]);
        }
        return values;
    }

    /// <summary>HDEL: returns how many fields were removed; a hash left empty is deleted.</summary>
    public long HashDelete(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte[]> fields)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.Hash, out var meta)) return 0;
            var removed = new HashSet<byte[]>(ByteArrayComparer.Instance);
            BeginWrite();
            foreach (var field in fields)
            {
                if (removed.Contains(field) || GetElement(k, meta.Version, field) is null) continue;
                Batch.Delete(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, field));
                removed.Add(field);
            }
            if (removed.Count > 0)
            {
                meta.Count -= removed.Count;
                SaveCollection(k, meta, existed: true);
            }
            Commit();
            return removed.Count;
        }
    }

    /// <summary>HLEN: the field count, 0 when the key is missing.</summary>
    public long HashLength(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
            return Lookup(k, RedisType.Hash, out var meta) ? meta.Count : 0;
    }

    /// <summary>HSTRLEN: the length of a field's value, 0 when missing.</summary>
    public long HashStringLength(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field) => HashGet(db, key, field)?.Length ?? 0;

    public bool HashExists(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field) => HashGet(db, key, field) is not null;

    /// <summary>HGETALL (<see cref="ElementParts.FieldsAndValues"/>), HKEYS or HVALS into a sink, in field order.</summary>
    public void HashRead(int db, ReadOnlySpan<byte> key, ElementParts parts, IValueSink sink)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (Lookup(k, RedisType.Hash, out var meta)) StreamElements(k, meta, parts, sink);
            else sink.Begin(0);
        }
    }

    /// <summary>HINCRBY: creates the key and the field (from 0) when missing.</summary>
    public long HashIncrement(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, long delta)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            OpenCollection(k, RedisType.Hash, create: true, out var meta, out bool existed);
            var current = existed ? GetElement(k, meta.Version, field) : null;
            long value = 0;
            if (current is not null && !Numbers.TryParseInt64(current, out value)) throw Errors.Error(Errors.HashNotInteger);
            if ((delta > 0 && value > long.MaxValue - delta) || (delta < 0 && value < long.MinValue - delta))
                throw Errors.Error(Errors.Overflow);
            value += delta;
            PutHashField(k, ref meta, existed, field, Numbers.FormatInt64(value), current is null);
            return value;
        }
    }

    /// <summary>HINCRBYFLOAT: returns the new value as Redis prints it (%.17Lf, trailing zeros trimmed).</summary>
    public byte[] HashIncrement(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, double delta)
    {
        // Redis refuses an infinite increment before it looks at the key (so before WRONGTYPE).
        if (double.IsNaN(delta) || double.IsInfinity(delta)) throw Errors.Error(Errors.NaNOrInfinity);
        var k = Ref(db, key);
        lock (Gate)
        {
            OpenCollection(k, RedisType.Hash, create: true, out var meta, out bool existed);
            var current = existed ? GetElement(k, meta.Version, field) : null;
            byte[] text = Numbers.AddFloat(current, delta, Errors.HashNotFloat);
            PutHashField(k, ref meta, existed, field, text, current is null);
            return text;
        }
    }

    /// <summary>Writes one field and the metadata in one batch.</summary>
    private void PutHashField(in KeyRef k, ref Metadata meta, bool existed, ReadOnlySpan<byte> field, byte[] value, bool isNew)
    {
        BeginWrite();
        Batch.Put(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, field), value);
        if (isNew) meta.Count++;
        SaveCollection(k, meta, existed);
        Commit();
    }

    /// <summary>HRANDFIELD without a count: one random field, or null when the key is missing.</summary>
    public byte[]? HashRandomField(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.Hash, out var meta)) return null;
            long skip = Random.Shared.NextInt64(meta.Count);
            byte[]? chosen = null;
            ForEachElement(k, meta.Version, false, (field, _) =>
            {
                if (skip-- > 0) return true;
                chosen = field.ToArray();
                return false;
            });
            return chosen;
        }
    }

    /// <summary>
    /// HRANDFIELD with a count: a positive count gives distinct fields (the whole hash when it is at
    /// least the size), a negative one gives -count picks that may repeat. Values come along.
    /// </summary>
    public List<KeyValuePair<byte[], byte[]>> HashRandomFields(int db, ReadOnlySpan<byte> key, long count)
    {
        ArgumentOutOfRangeException.ThrowIfEqual(count, long.MinValue);
        var k = Ref(db, key);
        List<KeyValuePair<byte[], byte[]>> all;
        lock (Gate)
        {
            if (!Lookup(k, RedisType.Hash, out var meta) || count == 0) return [];
            all = ReadElements(k, meta.Version);
        }
        if (count > 0)
        {
            if (count >= all.Count) return all;
            // Partial Fisher-Yates: the first 'count' slots end up a uniform distinct sample.
            for (int i = 0; i < count; i++)
            {
                int j = Random.Shared.Next(i, all.Count);
                (all[i], all[j]) = (all[j], all[i]);
            }
            all.RemoveRange((int)count, all.Count - (int)count);
            return all;
        }
        var picks = new List<KeyValuePair<byte[], byte[]>>((int)Math.Min(-count, 1 << 16));
        for (long i = 0; i < -count; i++) picks.Add(all[Random.Shared.Next(all.Count)]);
        return picks;
    }

    /// <summary>
    /// One HSCAN step from <paramref name="cursor"/>: examines about <paramref name="count"/> fields,
    /// adds the (field, value) pairs matching <paramref name="pattern"/> (null: every field; an empty
    /// pattern matches only the empty field, as in Redis) to <paramref name="into"/> and returns the next cursor
    /// (0 when done). A hash of up to <see cref="SmallHashFields"/> fields comes whole, whatever the
    /// cursor and count. A cursor the store no longer knows restarts at the first field, which may repeat
    /// fields but never skips one.
    /// </summary>
    public long HashScan(int db, ReadOnlySpan<byte> key, long cursor, byte[]? pattern, long count, List<KeyValuePair<byte[], byte[]>> into)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.Hash, out var meta)) return 0;
            bool small = meta.Count <= SmallHashFields;
            if (small) count = long.MaxValue;
            // A small hash comes whole whatever the cursor, as Redis serves a listpack.
            var resumeAt = small ? null : ScanCursors.Resume(cursor).After;
            var prefix = KeyEncoding.ElementPrefix(k.Slot, k.Pdb, KeyEncoding.KindElement, k.UserKey, meta.Version);
            using var it = _engine.CreateIterator(prefix, KeyEncoding.PrefixEnd(prefix));
            if (resumeAt is null) it.SeekToFirst();
            else it.Seek(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, resumeAt));
            long examined = 0;
            for (; it.Valid; it.Next())
            {
                var field = it.Key[prefix.Length..];
                // The store keeps the field unchanged (exclusive: true); the next step resumes at it, inclusive.
                if (examined >= count) return ScanCursors.Suspend(0, field.ToArray(), exclusive: true);
                examined++;
                if (pattern is not null && !Glob.IsMatch(pattern, field)) continue;
                into.Add(new(field.ToArray(), it.Value.ToArray()));
            }
            return 0;
        }
    }
}
