using System.Buffers.Binary;
using Reborn.Core.Slots;

namespace Reborn.Core.DataModel;

internal sealed partial class Keyspace
{
    public long Delete(int db, ReadOnlySpan<byte[]> keys)
    {
        long deleted = 0;
        lock (Gate)
        {
            foreach (var key in keys)
            {
                var k = Ref(db, key);
                if (!Lookup(k, out var meta, out _)) continue;
                BeginWrite();
                DeleteKey(k, meta);
                Commit();
                deleted++;
            }
        }
        return deleted;
    }

    /// <summary>EXISTS: counts each argument, repeats included.</summary>
    public long Exists(int db, ReadOnlySpan<byte[]> keys)
    {
        long count = 0;
        lock (Gate)
            foreach (var key in keys)
                if (Lookup(Ref(db, key), out _, out _)) count++;
        return count;
    }

    public RedisType TypeOf(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
            return Lookup(k, out var meta, out _) ? meta.Type : RedisType.None;
    }

    /// <summary>
    /// EXPIRE family with an absolute time. Returns false when the key is missing or the condition
    /// fails; a time in the past deletes the key (and returns true), as Redis does.
    /// </summary>
    public bool ExpireAt(int db, ReadOnlySpan<byte> key, long expireAtMs, ExpireCondition condition)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, out var meta, out var record)) return false;
            long current = meta.ExpireAtMs;
            bool ok = condition switch
            {
                ExpireCondition.IfNoExpiry => current == 0,
                ExpireCondition.IfHasExpiry => current != 0,
                // A key without expiry counts as an infinite TTL for GT and LT.
                ExpireCondition.IfGreater => current != 0 && expireAtMs > current,
                ExpireCondition.IfLess => current == 0 || expireAtMs < current,
                _ => true,
            };
            if (!ok) return false;
            BeginWrite();
            if (expireAtMs <= NowMs) DeleteKey(k, meta);
            else
            {
                Metadata.SetExpiry(record, expireAtMs);
                PutMeta(k, record!, current, true);
            }
            Commit();
            return true;
        }
    }

    public bool Persist(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, out var meta, out var record) || meta.ExpireAtMs == 0) return false;
            Metadata.SetExpiry(record, 0);
            BeginWrite();
            PutMeta(k, record!, meta.ExpireAtMs, true);
            Commit();
            return true;
        }
    }

    /// <summary>The absolute expiry in ms: -2 when the key is missing, -1 when it has none.</summary>
    public long ExpireTimeMs(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, out var meta, out _)) return -2;
            return meta.ExpireAtMs == 0 ? -1 : meta.ExpireAtMs;
        }
    }

    /// <summary>Remaining time to live in ms: -2 missing, -1 no expiry.</summary>
    public long TimeToLiveMs(int db, ReadOnlySpan<byte> key)
    {
        long at = ExpireTimeMs(db, key);
        return at < 0 ? at : Math.Max(0, at - NowMs);
    }

    public long Touch(int db, ReadOnlySpan<byte[]> keys) => Exists(db, keys);

    public void FlushDatabase(int db)
    {
        lock (Gate)
        {
            int pdb = _databaseMap[db];
            Watches.TouchDatabase(pdb);
            BeginWrite();
            for (int slot = 0; slot < SlotHash.SlotCount; slot++)
            {
                var (start, end) = KeyEncoding.DatabaseRange(slot, pdb);
                _batch.DeleteRange(start, end);
                _keyCounts[pdb * SlotHash.SlotCount + slot] = 0;
                _expiryPresent[pdb * SlotHash.SlotCount + slot] = false;
            }
            Commit();
        }
    }

    public void FlushAll()
    {
        lock (Gate)
        {
            Watches.TouchDatabase(null);
            BeginWrite();
            _batch.DeleteRange([0, 0], [KeyEncoding.SystemPrefix, KeyEncoding.SystemPrefix]);
            // Queued garbage now points at deleted ranges: drop it too.
            _batch.DeleteRange(KeyEncoding.SystemKey(KeyEncoding.SystemGarbage), KeyEncoding.SystemKey(KeyEncoding.SystemGarbage + 1));
            Commit();
            Array.Clear(_keyCounts);
            Array.Clear(_expiryPresent);
        }
    }

    /// <summary>SWAPDB: O(1), swaps the logical-to-physical database map and persists it.</summary>
    public void SwapDatabases(int a, int b)
    {
        lock (Gate)
        {
            Watches.TouchDatabase(_databaseMap[a]);
            Watches.TouchDatabase(_databaseMap[b]);
            var map = (byte[])_databaseMap.Clone();
            (map[a], map[b]) = (map[b], map[a]);
            BeginWrite();
            _batch.Put(KeyEncoding.SystemKey(KeyEncoding.SystemDatabaseMap), map);
            Commit();
            _databaseMap = map;
        }
        foreach (int db in new[] { a, b })
            KeyReady?.Invoke(db, []);
    }

    /// <summary>A random live key of the database, or null when it is empty.</summary>
    public byte[]? RandomKey(int db)
    {
        int pdb = _databaseMap[db];
        lock (Gate)
        {
            for (int attempt = 0; attempt < 100; attempt++)
            {
                long total = 0;
                for (int slot = 0; slot < SlotHash.SlotCount; slot++) total += HeldCount(pdb, slot);
                if (total <= 0) return null;
                long pick = Random.Shared.NextInt64(total);
                int chosen = 0;
                for (; chosen < SlotHash.SlotCount; chosen++)
                {
                    long c = HeldCount(pdb, chosen);
                    if (pick < c) break;
                    pick -= c;
                }
                var start = KeyEncoding.KindStart(chosen, pdb, KeyEncoding.KindMeta);
                using var it = _engine.CreateIterator(start, KeyEncoding.KindStart(chosen, pdb, KeyEncoding.KindMeta + 1));
                for (it.SeekToFirst(); it.Valid && pick > 0; it.Next()) pick--;
                if (!it.Valid) continue;
                var key = it.Key[KeyEncoding.PrefixLength..].ToArray();
                if (Lookup(Ref(db, key), out _, out _)) return key;
            }
            return null;
        }
    }

    /// <summary>
    /// One SCAN step over a database from <paramref name="cursor"/>: examines about
    /// <paramref name="count"/> keys and returns the matching live ones with the next cursor (0 when done).
    /// </summary>
    public long Scan(int db, long cursor, ReadOnlySpan<byte> pattern, long count, RedisType type, List<byte[]> into)
    {
        int pdb = _databaseMap[db];
        var position = ScanCursors.Resume(cursor);
        int slot = position.Slot;
        byte[]? after = position.After;
        long examined = 0;
        long now = NowMs;
        while (slot < SlotHash.SlotCount)
        {
            if (HeldCount(pdb, slot) > 0)
            {
                var start = KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindMeta);
                using var it = _engine.CreateIterator(start, KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindMeta + 1));
                if (after is null) it.SeekToFirst();
                else { it.Seek(after); if (it.Valid && it.Key.SequenceEqual(after)) it.Next(); }
                byte[]? last = null;
                for (; it.Valid; it.Next())
                {
                    // Resume exclusively after the last key examined (at least one was: examined < count on
                    // entering a slot). Resuming inclusively at the next key returned earlier keys again.
                    if (examined >= count)
                        return ScanCursors.Suspend(slot, last!, exclusive: true);
                    if (++examined == count) last = it.Key.ToArray();
                    var userKey = it.Key[KeyEncoding.PrefixLength..];
                    var record = it.Value;
                    if (Metadata.PeekExpiry(record) is var exp && exp != 0 && exp < now) continue;
                    if (type != RedisType.None && Metadata.PeekType(record) != type) continue;
                    if (pattern.Length > 0 && !Glob.IsMatch(pattern, userKey)) continue;
                    into.Add(userKey.ToArray());
                }
            }
            slot++;
            after = null;
            if (examined >= count && slot < SlotHash.SlotCount)
                return ScanCursors.Suspend(slot, null, exclusive: false);
        }
        return 0;
    }

    public ScanCursorStore ScanCursors { get; } = new();

    /// <summary>
    /// Scans one slot's keys of a database after <paramref name="after"/> (exclusive), spending the
    /// budget; returns the last key examined when the budget ran out first, or null when the slot is done.
    /// </summary>
    public byte[]? ScanSlot(int db, int slot, byte[]? after, ReadOnlySpan<byte> pattern, RedisType type, ref long budget, List<byte[]> into)
    {
        int pdb = _databaseMap[db];
        if (HeldCount(pdb, slot) <= 0) return null;
        long now = NowMs;
        var start = KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindMeta);
        using var it = _engine.CreateIterator(start, KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindMeta + 1));
        if (after is null) it.SeekToFirst();
        else { it.Seek(after); if (it.Valid && it.Key.SequenceEqual(after)) it.Next(); }
        byte[]? last = after; // the resume point (exclusive): the last key examined
        for (; it.Valid; it.Next())
        {
            // Empty: nothing examined yet, resume at the slot's start. (Resuming before the next key by
            // cutting its last byte returned earlier keys again: "{u}.a" sorts after "{u}.".)
            if (budget <= 0) return last ?? [];
            if (--budget == 0) last = it.Key.ToArray();
            var userKey = it.Key[KeyEncoding.PrefixLength..];
            var record = it.Value;
            if (Metadata.PeekExpiry(record) is var exp && exp != 0 && exp < now) continue;
            if (type != RedisType.None && Metadata.PeekType(record) != type) continue;
            if (pattern.Length > 0 && !Glob.IsMatch(pattern, userKey)) continue;
            into.Add(userKey.ToArray());
        }
        return null;
    }

    /// <summary>KEYS: every live key matching the pattern.</summary>
    public List<byte[]> Keys(int db, ReadOnlySpan<byte> pattern)
    {
        var keys = new List<byte[]>();
        long cursor = 0;
        do cursor = Scan(db, cursor, pattern, long.MaxValue, RedisType.None, keys);
        while (cursor != 0);
        return keys;
    }
}

/// <summary>
/// SCAN cursors: a cursor is (slot &lt;&lt; 40) | id, and the id names the record to resume at,
/// kept in a bounded table. A cursor whose id was evicted resumes at the start of its slot, which
/// may repeat keys but never skips one, as SCAN's guarantee allows.
/// </summary>
internal sealed class ScanCursorStore
{
    private const int Capacity = 16384;
    private readonly Dictionary<long, byte[]> _positions = new();
    private readonly Queue<long> _order = new();
    private long _nextId;

    public (int Slot, byte[]? After) Resume(long cursor)
    {
        if (cursor <= 0) return (0, null);
        int slot = (int)Math.Min(cursor >> 40, Slots.SlotHash.SlotCount);
        long id = cursor & ((1L << 40) - 1);
        lock (_positions)
            return (slot, id != 0 && _positions.TryGetValue(id, out var after) ? after : null);
    }

    /// <summary>A cursor that resumes at <paramref name="at"/> (inclusive) in <paramref name="slot"/>, or at the slot's start.</summary>
    public long Suspend(int slot, byte[]? at, bool exclusive)
    {
        if (at is null) return (long)slot << 40;
        lock (_positions)
        {
            long id = ++_nextId & ((1L << 40) - 1);
            if (id == 0) id = ++_nextId;
            // Resume is exclusive of 'after'; store the predecessor position by marking inclusiveness.
            _positions[id] = exclusive ? at : Predecessor(at);
            _order.Enqueue(id);
            while (_order.Count > Capacity) _positions.Remove(_order.Dequeue());
            return ((long)slot << 40) | id;
        }
    }

    /// <summary>A key just below <paramref name="key"/> for resuming inclusively with an exclusive seek: drop one trailing byte.</summary>
    private static byte[] Predecessor(byte[] key)
    {
        // Seeking to key[..^1] lands at or before key; the caller skips only an exact match of the
        // stored position, so key itself is returned next.
        return key.AsSpan(0, key.Length - 1).ToArray();
    }
}
