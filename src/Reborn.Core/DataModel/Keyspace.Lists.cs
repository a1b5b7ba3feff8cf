using System.Buffers.Binary;
using Reborn.Storage;

namespace Reborn.Core.DataModel;

/// <summary>
/// Lists. Elements are records at ListElementKey(version, index) for index in [Head, Tail) of the
/// metadata; the list is always contiguous, so Count == Tail - Head and position p (0 = head) is
/// index Head + p. Pushes and pops at either end, LINDEX and LSET are O(1) point operations;
/// LINSERT and LREM shift the shorter side of the list (O(n)). Everything runs under Gate.
/// </summary>
internal sealed partial class Keyspace
{
    /// <summary>LPUSH / RPUSH, or LPUSHX / RPUSHX when <paramref name="onlyIfExists"/>: the new length (0 when absent and X).</summary>
    public long ListPush(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte[]> values, bool left, bool onlyIfExists)
    {
        var k = Ref(db, key);
        long length;
        bool created;
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.List, create: !onlyIfExists, out var meta, out bool exists)) return 0;
            BeginWrite();
            foreach (var value in values) PushListElement(k, ref meta, value, left);
            SaveCollection(k, meta, exists);
            Commit();
            length = meta.Count;
            created = !exists && length > 0;
        }
        if (created) NotifyReady(db, k);
        return length;
    }

    /// <summary>LPOP / RPOP: up to <paramref name="count"/> elements, or null when the key is missing.</summary>
    public byte[][]? ListPop(int db, ReadOnlySpan<byte> key, bool left, long count)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.List, out var meta)) return null;
            if (count <= 0) return [];
            BeginWrite();
            var values = PopListRange(k, ref meta, left, Math.Min(count, meta.Count));
            SaveCollection(k, meta, true);
            Commit();
            return values;
        }
    }

    /// <summary>
    /// LMPOP (and the non-blocking step of BLPOP / BRPOP / BLMPOP): pops up to <paramref name="count"/>
    /// elements from the first key holding a list. Missing keys are skipped; the first existing key of
    /// another type is WRONGTYPE. Null when every key is missing.
    /// </summary>
    public (byte[] Key, byte[][] Values)? ListPopFirstNonEmpty(int db, ReadOnlySpan<byte[]> keys, bool left, long count)
    {
        lock (Gate)
        {
            foreach (var key in keys)
            {
                var k = Ref(db, key);
                if (!Lookup(k, RedisType.List, out var meta)) continue;
                BeginWrite();
                var values = PopListRange(k, ref meta, left, Math.Clamp(count, 1, meta.Count));
                SaveCollection(k, meta, true);
                Commit();
                return (key, values);
            }
            return null;
        }
    }

    /// <summary>
    /// LMOVE / RPOPLPUSH (and the non-blocking step of BLMOVE / BRPOPLPUSH): moves one element, or
    /// returns null when the source is missing. The same key as source and destination rotates.
    /// </summary>
    public byte[]? ListMove(int db, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool fromLeft, bool toLeft)
    {
        var src = Ref(db, source);
        var dst = Ref(db, destination);
        byte[] value;
        bool created = false;
        lock (Gate)
        {
            if (!Lookup(src, RedisType.List, out var sm)) return null;
            if (source.SequenceEqual(destination))
            {
                if (fromLeft == toLeft) return ReadListAt(src, sm, fromLeft ? 0 : sm.Count - 1);
                BeginWrite();
                value = PopListRange(src, ref sm, fromLeft, 1)[0];
                PushListElement(src, ref sm, value, toLeft);
                SaveCollection(src, sm, true);
                Commit();
                return value;
            }
            // The destination's type is checked before the source changes, as Redis does.
            OpenCollection(dst, RedisType.List, create: true, out var dm, out bool dstExists);
            BeginWrite();
            value = PopListRange(src, ref sm, fromLeft, 1)[0];
            SaveCollection(src, sm, true);
            PushListElement(dst, ref dm, value, toLeft);
            SaveCollection(dst, dm, dstExists);
            Commit();
            created = !dstExists;
        }
        if (created) NotifyReady(db, dst);
        return value;
    }

    public long ListLength(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
            return Lookup(k, RedisType.List, out var meta) ? meta.Count : 0;
    }

    /// <summary>LINDEX: negative indexes count from the tail; null when missing or out of range.</summary>
    public byte[]? ListIndex(int db, ReadOnlySpan<byte> key, long index)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.List, out var meta)) return null;
            if (!ListResolve(index, meta.Count, out long position)) return null;
            return ReadListAt(k, meta, position);
        }
    }

    /// <summary>LSET: "no such key" when missing, "index out of range" outside the list.</summary>
    public void ListSet(int db, ReadOnlySpan<byte> key, long index, ReadOnlySpan<byte> value)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.List, out var meta)) throw Errors.Error(Errors.NoSuchKey);
            if (!ListResolve(index, meta.Count, out long position)) throw Errors.Error(Errors.IndexOutOfRange);
            BeginWrite();
            _batch.Put(ListKeyAt(k, meta, position), value);
            Commit();
        }
    }

    /// <summary>
    /// LRANGE with Redis's clamping of start and stop: the elements go to <paramref name="sink"/>
    /// straight from the engine, through one iterator bounded to exactly the records of [from, to].
    /// </summary>
    public void ListRange(int db, ReadOnlySpan<byte> key, long start, long stop, IValueSink sink)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.List, out var meta) || !ListClamp(start, stop, meta.Count, out long from, out long to))
            {
                sink.Begin(0);
                return;
            }
            int count = checked((int)(to - from + 1));
            using var it = OpenListRange(k, meta, from, to, reverse: false);
            sink.Begin(count);
            int read = 0;
            for (; it.Valid; it.Next())
            {
                // The bounds hold exactly count records; one more means the list's records are corrupt.
                if (read == count) throw new InvalidDataException($"more list element records than the metadata counts in slot {k.Slot}");
                sink.Value(it.Value);
                read++;
            }
            if (read != count) throw MissingListElement(k, from + read);
        }
    }

    /// <summary>LTRIM: keeps [start, stop]; an empty range deletes the key in O(1).</summary>
    public void ListTrim(int db, ReadOnlySpan<byte> key, long start, long stop)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.List, out var meta)) return;
            BeginWrite();
            if (!ListClamp(start, stop, meta.Count, out long from, out long to)) DeleteKey(k, meta);
            else
            {
                long dropTail = meta.Count - 1 - to;
                if (from > 0) DeleteListElements(k, meta, 0, from);
                if (dropTail > 0) DeleteListElements(k, meta, to + 1, meta.Count);
                meta.Head += (ulong)from;
                meta.Tail -= (ulong)dropTail;
                meta.Count = to - from + 1;
                if (from > 0 || dropTail > 0) SaveCollection(k, meta, true);
            }
            Commit();
        }
    }

    /// <summary>LINSERT: the new length, -1 when the pivot is absent, 0 when the key is missing.</summary>
    public long ListInsert(int db, ReadOnlySpan<byte> key, bool after, ReadOnlySpan<byte> pivot, ReadOnlySpan<byte> value)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.List, out var meta)) return 0;
            long found = -1;
            using (var it = OpenListRange(k, meta, 0, meta.Count - 1, reverse: false))
            {
                for (; it.Valid; it.Next())
                    if (it.Value.SequenceEqual(pivot)) { found = ListPositionOf(it.Key, meta); break; }
            }
            if (found < 0) return -1;
            long at = after ? found + 1 : found; // the new element's position
            BeginWrite();
            if (at <= meta.Count - at)
            {
                // Shift [0, at) one index towards the head; the new element takes the freed slot.
                if (at > 0)
                {
                    using var it = OpenListRange(k, meta, 0, at - 1, reverse: false);
                    for (; it.Valid; it.Next())
                        _batch.Put(ListRecordKey(k, meta, ListIndexOf(it.Key) - 1), it.Value);
                }
                meta.Head--;
            }
            else
            {
                // Shift [at, count) one index towards the tail.
                using var it = OpenListRange(k, meta, at, meta.Count - 1, reverse: false);
                for (; it.Valid; it.Next())
                    _batch.Put(ListRecordKey(k, meta, ListIndexOf(it.Key) + 1), it.Value);
                meta.Tail++;
            }
            meta.Count++;
            _batch.Put(ListKeyAt(k, meta, at), value);
            SaveCollection(k, meta, true);
            Commit();
            return meta.Count;
        }
    }

    /// <summary>
    /// LREM: removes |count| occurrences from the head (count &gt; 0) or the tail (count &lt; 0), or
    /// all (0). The survivors are compacted towards whichever end moves fewer records.
    /// </summary>
    public long ListRemove(int db, ReadOnlySpan<byte> key, long count, ReadOnlySpan<byte> value)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.List, out var meta)) return 0;
            // LREM reads the whole list anyway (O(n)); the values are kept to rewrite the survivors.
            var values = new List<byte[]>((int)Math.Min(meta.Count, 1 << 16));
            using (var it = OpenListRange(k, meta, 0, meta.Count - 1, reverse: false))
                for (; it.Valid; it.Next()) values.Add(it.Value.ToArray());
            int n = values.Count;
            // long.MinValue: Redis's -count overflows and it removes every occurrence.
            long limit = count == 0 || count == long.MinValue ? long.MaxValue : Math.Abs(count);
            var removed = new bool[n];
            long hits = 0;
            for (int step = 0; step < n && hits < limit; step++)
            {
                int i = count < 0 ? n - 1 - step : step;
                if (values[i].AsSpan().SequenceEqual(value)) { removed[i] = true; hits++; }
            }
            if (hits == 0) return 0;
            BeginWrite();
            if (hits == n) DeleteKey(k, meta);
            else
            {
                int first = Array.IndexOf(removed, true), last = Array.LastIndexOf(removed, true);
                long towardsHead = n - 1 - first, towardsTail = last; // records each way may move
                if (towardsHead <= towardsTail)
                {
                    long to = first;
                    for (int i = first; i < n; i++)
                        if (!removed[i]) _batch.Put(ListKeyAt(k, meta, to++), values[i]);
                    DeleteListElements(k, meta, n - hits, n);
                    meta.Tail -= (ulong)hits;
                }
                else
                {
                    long to = last;
                    for (int i = last; i >= 0; i--)
                        if (!removed[i]) _batch.Put(ListKeyAt(k, meta, to--), values[i]);
                    DeleteListElements(k, meta, 0, hits);
                    meta.Head += (ulong)hits;
                }
                meta.Count -= hits;
                SaveCollection(k, meta, true);
            }
            Commit();
            return hits;
        }
    }

    /// <summary>
    /// LPOS: positions of <paramref name="element"/>, starting at the |rank|-th match (negative rank
    /// searches from the tail), at most <paramref name="count"/> of them (0 = all), looking at no more
    /// than <paramref name="maxLength"/> elements (0 = all). Empty when the key is missing.
    /// </summary>
    public List<long> ListPositions(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> element, long rank, long count, long maxLength)
    {
        var k = Ref(db, key);
        var positions = new List<long>();
        bool reverse = rank < 0;
        // Redis negates a negative rank; long.MinValue overflows, so every match counts from the first.
        if (rank == long.MinValue) { rank = 1; count = 0; }
        else rank = Math.Abs(rank);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.List, out var meta)) return positions;
            long seen = 0, matches = 0;
            using var it = OpenListRange(k, meta, 0, meta.Count - 1, reverse);
            for (; it.Valid && (maxLength == 0 || seen < maxLength); _ = reverse ? Prev(it) : Next(it), seen++)
            {
                if (!it.Value.SequenceEqual(element)) continue;
                if (++matches < rank) continue;
                positions.Add(ListPositionOf(it.Key, meta));
                if (count != 0 && positions.Count >= count) break;
            }
        }
        return positions;
    }

    // ---- helpers (under Gate) -------------------------------------------------------------

    private static byte[] ListRecordKey(in KeyRef k, in Metadata meta, ulong index)
        => KeyEncoding.ListElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, index);

    /// <summary>The record key of position <paramref name="position"/> (0 = head).</summary>
    private static byte[] ListKeyAt(in KeyRef k, in Metadata meta, long position)
        => ListRecordKey(k, meta, meta.Head + (ulong)position);

    private static ulong ListIndexOf(ReadOnlySpan<byte> elementKey) => BinaryPrimitives.ReadUInt64BigEndian(elementKey[^8..]);

    private static long ListPositionOf(ReadOnlySpan<byte> elementKey, in Metadata meta) => (long)(ListIndexOf(elementKey) - meta.Head);

    /// <summary>Resolves a possibly negative index to a position; false when outside [0, count).</summary>
    private static bool ListResolve(long index, long count, out long position)
    {
        position = index < 0 ? count + index : index;
        return position >= 0 && position < count;
    }

    /// <summary>LRANGE / LTRIM clamping: false when the range is empty.</summary>
    private static bool ListClamp(long start, long stop, long count, out long from, out long to)
    {
        if (start < 0) start = count + start;
        if (stop < 0) stop = count + stop;
        if (start < 0) start = 0;
        from = start;
        to = Math.Min(stop, count - 1);
        return start <= stop && start < count;
    }

    /// <summary>An iterator over positions [from, to], positioned at the first (or, reversed, the last) of them.</summary>
    private IStorageIterator OpenListRange(in KeyRef k, in Metadata meta, long from, long to, bool reverse)
    {
        var it = _engine.CreateIterator(ListKeyAt(k, meta, from), ListKeyAt(k, meta, to + 1));
        if (reverse) it.SeekToLast(); else it.SeekToFirst();
        return it;
    }

    private byte[] ReadListAt(in KeyRef k, in Metadata meta, long position)
        => _engine.Get(ListKeyAt(k, meta, position)) ?? throw MissingListElement(k, position);

    private static InvalidDataException MissingListElement(in KeyRef k, long position)
        => new($"list element record missing at position {position} of a list in slot {k.Slot}");

    /// <summary>Deletes the records of positions [from, to) in the current batch.</summary>
    private void DeleteListElements(in KeyRef k, in Metadata meta, long from, long to)
    {
        if (to - from == 1) _batch.Delete(ListKeyAt(k, meta, from));
        else if (to > from) _batch.DeleteRange(ListKeyAt(k, meta, from), ListKeyAt(k, meta, to));
    }

    private void PushListElement(in KeyRef k, ref Metadata meta, ReadOnlySpan<byte> value, bool left)
    {
        ulong index = left ? --meta.Head : meta.Tail++;
        _batch.Put(ListRecordKey(k, meta, index), value);
        meta.Count++;
    }

    /// <summary>
    /// Pops <paramref name="n"/> (1..Count) elements from one end in the current batch, in pop order.
    /// The caller saves the metadata (SaveCollection deletes an emptied list): saving here would
    /// delete the key in the middle of a rotation of a one-element list.
    /// </summary>
    private byte[][] PopListRange(in KeyRef k, ref Metadata meta, bool left, long n)
    {
        var values = new byte[n][];
        long from = left ? 0 : meta.Count - n, to = from + n - 1;
        int read = 0;
        if (n == 1)
        {
            // A single pop is a point read: no iterator to create, no tombstones to step over.
            values[0] = ReadListAt(k, meta, from);
            DeleteListElements(k, meta, from, from + 1);
            if (left) meta.Head++; else meta.Tail--;
            meta.Count--;
            return values;
        }
        using (var it = OpenListRange(k, meta, from, to, reverse: !left))
            for (; it.Valid && read < n; _ = left ? Next(it) : Prev(it)) values[read++] = it.Value.ToArray();
        if (read != n) throw MissingListElement(k, from + read);
        DeleteListElements(k, meta, from, to + 1);
        if (left) meta.Head += (ulong)n; else meta.Tail -= (ulong)n;
        meta.Count -= n;
        return values;
    }
}
