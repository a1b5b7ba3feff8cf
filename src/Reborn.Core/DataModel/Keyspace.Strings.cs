using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Reborn.Storage;

namespace Reborn.Core.DataModel;

internal sealed partial class Keyspace
{
    public const long MaxStringLength = 512L * 1024 * 1024;

    private enum ReadStatus : byte { Missing, Found, WrongType, Expired }

    private readonly record struct StringRead(ReadStatus Status, byte[]? Value);

    /// <summary>Reads a string record; the clock is read only for a record with an expiry.</summary>
    private static readonly ValueReader<Keyspace, StringRead> ReadStringValue = static (record, keyspace) =>
    {
        long expire = Metadata.PeekExpiry(record);
        if (expire != 0 && expire < keyspace.NowMs) return new StringRead(ReadStatus.Expired, null);
        if (Metadata.PeekType(record) != RedisType.String) return new StringRead(ReadStatus.WrongType, null);
        return new StringRead(ReadStatus.Found, Metadata.StringValue(record).ToArray());
    };

    /// <summary>GET. Lock-free unless the key has expired (then it is deleted under the gate).</summary>
    public byte[]? Get(int db, ReadOnlySpan<byte> key)
    {
        int slot = Slots.SlotHash.GetSlot(key);
        int pdb = _databaseMap[db];
        int length = KeyEncoding.MetaKeyLength(key.Length);
        Span<byte> metaKey = length <= 256 ? stackalloc byte[length] : new byte[length];
        KeyEncoding.MetaKey(metaKey, slot, pdb, key);
        bool found = _engine.TryRead(metaKey, this, ReadStringValue, out var read);
        EnsureServed(slot); // after the read: a read that raced a migration switch is re-routed
        if (!found) return null;
        switch (read.Status)
        {
            case ReadStatus.Found: return read.Value;
            case ReadStatus.WrongType: throw Errors.WrongTypeError();
            default:
                var k = Ref(db, key);
                lock (Gate) Lookup(k, out _, out _);
                return null;
        }
    }

    /// <summary>
    /// GET of a key in a slot this group still holds as the source of a key-by-key move: no gate, no
    /// move. While the slot moves, a key's records here never change, they only leave (to the target,
    /// or deleted when expired), so a key found here is the key's current value. False when the key is
    /// not here: the caller reads the target. An expired key is reported as found and null (the mover
    /// deletes it; it never reaches the target).
    /// </summary>
    public bool TryGetLeaving(int db, int slot, ReadOnlySpan<byte> key, out byte[]? value)
    {
        int pdb = _databaseMap[db];
        int length = KeyEncoding.MetaKeyLength(key.Length);
        Span<byte> metaKey = length <= 256 ? stackalloc byte[length] : new byte[length];
        KeyEncoding.MetaKey(metaKey, slot, pdb, key);
        value = null;
        if (!_engine.TryRead(metaKey, this, ReadStringValue, out var read)) return false;
        if (read.Status == ReadStatus.WrongType) throw Errors.WrongTypeError();
        if (read.Status == ReadStatus.Found) value = read.Value;
        return true;
    }

    /// <summary>Reads a string under the gate: null when missing; WRONGTYPE when another type.</summary>
    private byte[]? ReadString(in KeyRef k, out Metadata meta, out bool exists)
    {
        exists = Lookup(k, out meta, out var record);
        if (!exists) return null;
        if (meta.Type != RedisType.String) throw Errors.WrongTypeError();
        return Metadata.StringValue(record).ToArray();
    }

    public readonly record struct SetResult(bool Written, byte[]? OldValue);

    /// <summary>
    /// SET with every option. With <paramref name="returnOld"/> a non-string old value is WRONGTYPE and
    /// nothing is written. The hot path reads only the old record's header (no copy of its value)
    /// and encodes the new record on the stack.
    /// </summary>
    public SetResult Set(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, SetCondition condition, Expiry expiry, bool returnOld)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            EnsureServed(k.Slot);
            bool present = _engine.TryRead(k.MetaKey, 0, ReadMetadata, out var old);
            // The clock is read only when an expiry is involved (clock_gettime shows in profiles).
            long now = (present && old.HasExpiry) || expiry.Kind is ExpiryKind.RelativeMs or ExpiryKind.AbsoluteMs ? NowMs : 0;
            bool expired = present && old.IsExpired(now);
            bool exists = present && !expired;
            byte[]? oldValue = null;
            if (returnOld && exists)
            {
                if (old.Type != RedisType.String) throw Errors.WrongTypeError();
                oldValue = Metadata.StringValue(_engine.Get(k.MetaKey)).ToArray();
            }
            if ((condition == SetCondition.IfNotExists && exists) || (condition == SetCondition.IfExists && !exists))
            {
                if (expired) { BeginWrite(); DeleteKey(k, old); Commit(); Expiry.ExpiredOnAccess++; }
                return new SetResult(false, oldValue);
            }
            long expireAt = expiry.Resolve(exists ? old.ExpireAtMs : 0, now);
            BeginWrite();
            if (expired)
            {
                DeleteKey(k, old); // lazy expiry in the same batch: the key is then new
                Expiry.ExpiredOnAccess++;
            }
            if (expireAt != 0 && expireAt <= now)
            {
                if (exists) DeleteKey(k, old);
            }
            else
            {
                if (exists) DropForOverwrite(k, old);
                PutString(k, value, expireAt, exists ? old.ExpireAtMs : 0, exists);
            }
            Commit();
            return new SetResult(true, oldValue);
        }
    }

    /// <summary>
    /// SET of a key the caller knows is not here, with no condition and no KEEPTTL: no read. For a
    /// key-by-key move's target taking a key that leaves its source (MigrationCoordinator.OverwriteNow).
    /// </summary>
    public void SetAbsent(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, Expiry expiry)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            EnsureServed(k.Slot);
            long now = expiry.Kind is ExpiryKind.RelativeMs or ExpiryKind.AbsoluteMs ? NowMs : 0;
            long expireAt = expiry.Resolve(0, now);
            if (expireAt != 0 && expireAt <= now) return; // set and expired at once: nothing to keep
            BeginWrite();
            PutString(k, value, expireAt, 0, false);
            Commit();
        }
    }

    /// <summary>Puts a string's metadata record, its value inline, encoded on the stack when small.</summary>
    private void PutString(in KeyRef k, ReadOnlySpan<byte> value, long expireAt, long oldExpireAtMs, bool existed)
    {
        int length = Metadata.HeaderLength + value.Length;
        Span<byte> record = length <= 1024 ? stackalloc byte[length] : new byte[length];
        Metadata.WriteHeader(record, RedisType.String, expireAt);
        value.CopyTo(record[Metadata.HeaderLength..]);
        PutMeta(k, record, oldExpireAtMs, existed);
    }

    public byte[]? GetDel(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            var value = ReadString(k, out var meta, out bool exists);
            if (!exists) return null;
            BeginWrite();
            DeleteKey(k, meta);
            Commit();
            return value;
        }
    }

    /// <summary>GETEX: returns the value and applies the expiry change (Keep means no change).</summary>
    public byte[]? GetEx(int db, ReadOnlySpan<byte> key, Expiry expiry)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            var value = ReadString(k, out var meta, out bool exists);
            if (!exists || expiry.Kind == ExpiryKind.Keep) return value;
            long now = NowMs;
            long expireAt = expiry.Resolve(meta.ExpireAtMs, now);
            BeginWrite();
            if (expireAt != 0 && expireAt <= now) DeleteKey(k, meta);
            else if (expireAt != meta.ExpireAtMs) PutMeta(k, Metadata.EncodeString(value, expireAt), meta.ExpireAtMs, true);
            Commit();
            return value;
        }
    }

    public byte[]?[] MGet(int db, ReadOnlySpan<byte[]> keys)
    {
        var result = new byte[]?[keys.Length];
        lock (Gate)
        {
            for (int i = 0; i < keys.Length; i++)
            {
                var k = Ref(db, keys[i]);
                if (Lookup(k, out var meta, out var record) && meta.Type == RedisType.String)
                    result[i] = Metadata.StringValue(record).ToArray();
            }
        }
        return result;
    }

    /// <summary>MSET, or MSETNX when <paramref name="onlyIfNoneExist"/>: all or nothing, atomically.</summary>
    public bool MSet(int db, ReadOnlySpan<KeyValuePair<byte[], byte[]>> pairs, bool onlyIfNoneExist)
    {
        lock (Gate)
        {
            if (onlyIfNoneExist)
                foreach (var pair in pairs)
                    if (Lookup(Ref(db, pair.Key), out _, out _)) return false;
            // A key named twice: the last value wins, as in Redis.
            var seen = new Dictionary<string, int>();
            for (int i = 0; i < pairs.Length; i++) seen[Convert.ToBase64String(pairs[i].Key)] = i;
            BeginWrite();
            for (int i = 0; i < pairs.Length; i++)
            {
                if (seen[Convert.ToBase64String(pairs[i].Key)] != i) continue;
                var k = Ref(db, pairs[i].Key);
                bool exists = Lookup(k, out var old, out _);
                if (exists) DropForOverwrite(k, old);
                PutMeta(k, Metadata.EncodeString(pairs[i].Value, 0), exists ? old.ExpireAtMs : 0, exists);
            }
            Commit();
            return true;
        }
    }

    /// <summary>Replaces a string's value keeping its expiry; creates it when missing.</summary>
    private void WriteString(in KeyRef k, ReadOnlySpan<byte> value, in Metadata old, bool exists)
    {
        BeginWrite();
        PutMeta(k, Metadata.EncodeString(value, exists ? old.ExpireAtMs : 0), exists ? old.ExpireAtMs : 0, exists);
        Commit();
    }

    /// <summary>INCR's read of a record: its header and, for a string holding an integer, the integer; the value is not copied.</summary>
    private readonly record struct CounterRead(RedisType Type, long ExpireAtMs, bool IsInteger, long Value);

    private static readonly ValueReader<int, CounterRead> ReadCounter = static (record, _) =>
    {
        var type = Metadata.PeekType(record);
        long value = 0;
        bool isInteger = type == RedisType.String && Numbers.TryParseInt64(Metadata.StringValue(record), out value);
        return new CounterRead(type, Metadata.PeekExpiry(record), isInteger, value);
    };

    /// <summary>INCRBY (and INCR, DECR, DECRBY): the old value is parsed where it lies and the new record encoded on the stack; a TTL is kept.</summary>
    public long IncrBy(int db, ReadOnlySpan<byte> key, long delta)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            EnsureServed(k.Slot);
            bool exists = _engine.TryRead(k.MetaKey, 0, ReadCounter, out var current);
            // A key with a TTL goes through Lookup, which deletes it when it has expired.
            if (exists && current.ExpireAtMs != 0 && !Lookup(k, out _, out _)) exists = false;
            if (exists && current.Type != RedisType.String) throw Errors.WrongTypeError();
            if (exists && !current.IsInteger) throw Errors.Error(Errors.NotInteger);
            long value = exists ? current.Value : 0;
            if ((delta > 0 && value > long.MaxValue - delta) || (delta < 0 && value < long.MinValue - delta))
                throw Errors.Error(Errors.Overflow);
            value += delta;
            long expireAt = exists ? current.ExpireAtMs : 0;
            Span<byte> record = stackalloc byte[Metadata.HeaderLength + 24];
            Metadata.WriteHeader(record, RedisType.String, expireAt);
            int length = Metadata.HeaderLength + Numbers.FormatInt64(value, record[Metadata.HeaderLength..]);
            BeginWrite();
            PutMeta(k, record[..length], expireAt, exists);
            Commit();
            return value;
        }
    }

    /// <summary>INCRBYFLOAT: returns the new value as Redis prints it (%.17Lf with trailing zeros trimmed).</summary>
    public byte[] IncrByFloat(int db, ReadOnlySpan<byte> key, double delta)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            var current = ReadString(k, out var meta, out bool exists);
            byte[] text = Numbers.AddFloat(exists ? current : null, delta, Errors.NotFloat);
            WriteString(k, text, meta, exists);
            return text;
        }
    }

    public long Append(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> suffix)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            var current = ReadString(k, out var meta, out bool exists) ?? [];
            if (current.LongLength + suffix.Length > MaxStringLength) throw Errors.Error(Errors.StringTooLong);
            var value = new byte[current.Length + suffix.Length];
            current.CopyTo(value, 0);
            suffix.CopyTo(value.AsSpan(current.Length));
            WriteString(k, value, meta, exists);
            return value.Length;
        }
    }

    public byte[] GetRange(int db, ReadOnlySpan<byte> key, long start, long end)
    {
        var value = Get(db, key);
        if (value is null || value.Length == 0) return [];
        long len = value.Length;
        if (start < 0 && end < 0 && start > end) return [];
        if (start < 0) start = Math.Max(0, len + start);
        if (end < 0) end = Math.Max(0, len + end);
        if (end >= len) end = len - 1;
        if (start > end) return [];
        return value.AsSpan((int)start, (int)(end - start + 1)).ToArray();
    }

    public long SetRange(int db, ReadOnlySpan<byte> key, long offset, ReadOnlySpan<byte> patch)
    {
        if (offset < 0) throw Errors.Error(Errors.OffsetOutOfRange);
        var k = Ref(db, key);
        lock (Gate)
        {
            var current = ReadString(k, out var meta, out bool exists);
            if (patch.Length == 0) return current?.Length ?? 0;
            if (offset > MaxStringLength - patch.Length) throw Errors.Error(Errors.StringTooLong); // not offset + length: that overflows for offsets near long.MaxValue
            current ??= [];
            long newLength = Math.Max(current.Length, offset + patch.Length);
            var value = new byte[newLength];
            current.CopyTo(value, 0);
            patch.CopyTo(value.AsSpan((int)offset));
            WriteString(k, value, meta, exists);
            return value.Length;
        }
    }

    public long GetBit(int db, ReadOnlySpan<byte> key, long offset)
    {
        var value = Get(db, key);
        long byteIndex = offset >> 3;
        if (value is null || byteIndex >= value.Length) return 0;
        return (value[byteIndex] >> (7 - (int)(offset & 7))) & 1;
    }

    public long SetBit(int db, ReadOnlySpan<byte> key, long offset, bool on)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            var current = ReadString(k, out var meta, out bool exists) ?? [];
            long byteIndex = offset >> 3;
            var value = byteIndex < current.Length ? current : new byte[byteIndex + 1];
            if (!ReferenceEquals(value, current)) current.CopyTo(value, 0);
            int shift = 7 - (int)(offset & 7);
            long old = (value[byteIndex] >> shift) & 1;
            value[byteIndex] = (byte)(on ? value[byteIndex] | (1 << shift) : value[byteIndex] & ~(1 << shift));
            WriteString(k, value, meta, exists);
            return old;
        }
    }

    /// <summary>BITCOUNT over [start, end] in bytes, or in bits when <paramref name="bitUnit"/>; null bounds mean the whole string.</summary>
    public long BitCount(int db, ReadOnlySpan<byte> key, long? start, long? end, bool bitUnit)
    {
        var value = Get(db, key);
        if (value is null) return 0;
        long total = bitUnit ? value.LongLength * 8 : value.Length;
        if (start < 0 && end < 0 && start > end) return 0; // Redis 7.0 checks this before clamping
        if (!BitRange(total, start ?? 0, end ?? total - 1, out long s, out long e)) return 0;
        long count = 0;
        for (long bit = bitUnit ? s : s * 8; bit <= (bitUnit ? e : e * 8 + 7); bit++)
            count += (value[bit >> 3] >> (7 - (int)(bit & 7))) & 1;
        return count;
    }

    private static bool BitRange(long total, long start, long end, out long s, out long e)
    {
        if (start < 0) start = total + start;
        if (end < 0) end = total + end;
        if (start < 0) start = 0;
        if (end < 0) end = 0;
        if (end >= total) end = total - 1;
        s = start; e = end;
        return total > 0 && start <= end;
    }

    /// <summary>BITPOS: the first bit equal to <paramref name="bit"/> in the range, Redis's -1 and end-of-string rules included.</summary>
    public long BitPos(int db, ReadOnlySpan<byte> key, bool bit, long? start, long? end, bool bitUnit)
    {
        var value = Get(db, key);
        if (value is null) return bit ? -1 : 0;
        long total = bitUnit ? value.LongLength * 8 : value.Length;
        if (!BitRange(total, start ?? 0, end ?? total - 1, out long s, out long e)) return -1;
        long first = bitUnit ? s : s * 8, last = bitUnit ? e : e * 8 + 7;
        for (long i = first; i <= last; i++)
            if ((((value[i >> 3] >> (7 - (int)(i & 7))) & 1) == 1) == bit) return i;
        // Looking for a clear bit without an explicit end: the string is padded with zeros on the right.
        if (!bit && end is null) return last + 1;
        return -1;
    }

    public enum BitOperation : byte { And, Or, Xor, Not }

    public long BitOp(int db, BitOperation op, ReadOnlySpan<byte> destination, ReadOnlySpan<byte[]> sources)
    {
        var dest = Ref(db, destination);
        lock (Gate)
        {
            var values = new byte[sources.Length][];
            int maxLength = 0;
            for (int i = 0; i < sources.Length; i++)
            {
                values[i] = ReadString(Ref(db, sources[i]), out _, out _) ?? [];
                maxLength = Math.Max(maxLength, values[i].Length);
            }
            var result = new byte[maxLength];
            for (int j = 0; j < maxLength; j++)
            {
                int acc = j < values[0].Length ? values[0][j] : 0;
                if (op == BitOperation.Not) acc = ~acc;
                for (int i = 1; i < values.Length; i++)
                {
                    int b = j < values[i].Length ? values[i][j] : 0;
                    acc = op switch { BitOperation.And => acc & b, BitOperation.Or => acc | b, _ => acc ^ b };
                }
                result[j] = (byte)acc;
            }
            bool exists = Lookup(dest, out var old, out _);
            BeginWrite();
            if (maxLength == 0) { if (exists) DeleteKey(dest, old); }
            else
            {
                if (exists) DropForOverwrite(dest, old);
                PutMeta(dest, Metadata.EncodeString(result, 0), exists ? old.ExpireAtMs : 0, exists);
            }
            Commit();
            return maxLength;
        }
    }
}
