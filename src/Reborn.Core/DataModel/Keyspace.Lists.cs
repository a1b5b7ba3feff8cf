namespace Reborn.Core.DataModel;

/// <summary>
/// Lists. The elements of list index i in [Head, Tail) of the metadata live in chunk records of 32
/// consecutive indexes (ListChunk); the list is always contiguous, so Count == Tail - Head and
/// position p (0 = head) is index Head + p. Pushes and pops at either end, LINDEX and LSET touch
/// one chunk; LRANGE reads one chunk per 32 elements; LINSERT and LREM shift the shorter side of
/// the list (O(n), a chunk rewritten once per 32 elements). Everything runs under Gate.
/// </summary>
internal sealed partial class Keyspace
{
    /// <summary>LPUSH / RPUSH, or LPUSHX / RPUSHX when <paramref name="onlyIfExists"/>: the new length (0 when absent and X).</summary>
    public long ListPush(int db, ReadOnlySpan<byte> key, ReadOnlySpan<RebornValue> values, bool left, bool onlyIfExists)
    {
        var k = ListRef(db, key);
        long length;
        bool created;
        lock (Gate)
        {
            bool exists = RememberedList(k, out var meta);
            if (!exists && !OpenCollection(k, RedisType.List, create: !onlyIfExists, out meta, out exists)) return 0;
            BeginWrite();
            var list = EditList(k, meta);
            // The values are only read during the call (the batch and the hot records copy them): no copies here.
            foreach (var value in values) PushListElement(list, ref meta, value.Bytes, left);
            SaveList(k, list, meta, exists);
            Commit();
            RememberList(k, meta);
            length = meta.Count;
            created = !exists && length > 0;
        }
        if (created) NotifyReady(db, k);
        return length;
    }

    /// <summary>
    /// LPOP / RPOP without a count: the element goes to <paramref name="sink"/> straight from the chunk
    /// it leaves (Begin(1), then the value), or Begin(0) when the key is missing: no copy of it is made.
    /// </summary>
    public void ListPop(int db, ReadOnlySpan<byte> key, bool left, IValueSink sink)
    {
        var k = ListRef(db, key);
        lock (Gate)
        {
            if (!RememberedList(k, out var meta) && !Lookup(k, RedisType.List, out meta))
            {
                sink.Begin(0);
                return;
            }
            BeginWrite();
            var list = EditList(k, meta);
            sink.Begin(1);
            sink.Value(list.Get(left ? meta.Head : meta.Tail - 1).Span);
            DropListEnd(list, ref meta, left, 1);
            SaveList(k, list, meta, true);
            Commit();
            RememberList(k, meta);
        }
    }

    /// <summary>LPOP / RPOP: up to <paramref name="count"/> elements, or null when the key is missing.</summary>
    public byte[][]? ListPop(int db, ReadOnlySpan<byte> key, bool left, long count)
    {
        var k = ListRef(db, key);
        lock (Gate)
        {
            if (!RememberedList(k, out var meta) && !Lookup(k, RedisType.List, out meta)) return null;
            if (count <= 0) return [];
            BeginWrite();
            var list = EditList(k, meta);
            var values = PopListRange(list, ref meta, left, Math.Min(count, meta.Count));
            SaveList(k, list, meta, true);
            Commit();
            RememberList(k, meta);
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
                var list = EditList(k, meta);
                var values = PopListRange(list, ref meta, left, Math.Clamp(count, 1, meta.Count));
                SaveList(k, list, meta, true);
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
                var rotated = EditList(src, sm);
                value = PopListRange(rotated, ref sm, fromLeft, 1)[0];
                PushListElement(rotated, ref sm, value, toLeft);
                SaveList(src, rotated, sm, true);
                Commit();
                return value;
            }
            // The destination's type is checked before the source changes, as Redis does.
            OpenCollection(dst, RedisType.List, create: true, out var dm, out bool dstExists);
            BeginWrite();
            var from = EditList(src, sm);
            value = PopListRange(from, ref sm, fromLeft, 1)[0];
            SaveList(src, from, sm, true);
            var to = EditList(dst, dm);
            PushListElement(to, ref dm, value, toLeft);
            SaveList(dst, to, dm, dstExists);
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
            var list = EditList(k, meta);
            list.Set(meta.Head + (ulong)position, value.ToArray());
            list.Flush(meta);
            Commit();
        }
    }

    /// <summary>
    /// LRANGE with Redis's clamping of start and stop: the elements go to <paramref name="sink"/>
    /// straight from the chunk records read.
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
            sink.Begin(checked((int)(to - from + 1)));
            VisitList(k, meta, from, to, reverse: false, sink, static (value, _, sink) => { sink.Value(value); return true; });
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
            else if (from > 0 || to < meta.Count - 1)
            {
                var list = EditList(k, meta);
                list.Drop(meta.Head, meta.Head + (ulong)from);
                list.Drop(meta.Head + (ulong)to + 1, meta.Tail);
                meta.Head += (ulong)from;
                meta.Tail = meta.Head + (ulong)(to - from + 1);
                meta.Count = to - from + 1;
                SaveList(k, list, meta, true);
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
            var search = new PivotSearch(pivot.ToArray());
            VisitList(k, meta, 0, meta.Count - 1, reverse: false, search, static (value, position, search) =>
            {
                if (!value.SequenceEqual(search.Pivot)) return true;
                search.Found = position;
                return false;
            });
            if (search.Found < 0) return -1;
            long at = after ? search.Found + 1 : search.Found; // the new element's position
            BeginWrite();
            var list = EditList(k, meta);
            if (at <= meta.Count - at)
            {
                // Shift [0, at) one index towards the head; the new element takes the freed slot.
                for (ulong index = meta.Head; index < meta.Head + (ulong)at; index++) list.Set(index - 1, list.Get(index));
                meta.Head--;
            }
            else
            {
                // Shift [at, count) one index towards the tail.
                for (ulong index = meta.Tail; index > meta.Head + (ulong)at; index--) list.Set(index, list.Get(index - 1));
                meta.Tail++;
            }
            meta.Count++;
            list.Set(meta.Head + (ulong)at, value.ToArray());
            SaveList(k, list, meta, true);
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
            var values = ReadList(k, meta);
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
                long towardsHead = n - 1 - first, towardsTail = last; // elements each way may move
                var list = EditList(k, meta);
                if (towardsHead <= towardsTail)
                {
                    ulong to = meta.Head + (ulong)first;
                    for (int i = first; i < n; i++)
                        if (!removed[i]) list.Set(to++, values[i]);
                    list.Drop(meta.Tail - (ulong)hits, meta.Tail);
                    meta.Tail -= (ulong)hits;
                }
                else
                {
                    ulong to = meta.Head + (ulong)last;
                    for (int i = last; i >= 0; i--)
                        if (!removed[i]) list.Set(to--, values[i]);
                    list.Drop(meta.Head, meta.Head + (ulong)hits);
                    meta.Head += (ulong)hits;
                }
                meta.Count -= hits;
                SaveList(k, list, meta, true);
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
            // MAXLEN bounds the elements compared, so the visit covers only that many.
            long span = maxLength == 0 ? meta.Count : Math.Min(maxLength, meta.Count);
            long from = reverse ? meta.Count - span : 0, to = reverse ? meta.Count - 1 : span - 1;
            var search = new PositionSearch(element.ToArray(), rank, count, positions);
            VisitList(k, meta, from, to, reverse, search, static (value, position, search) =>
            {
                if (!value.SequenceEqual(search.Element) || ++search.Matches < search.Rank) return true;
                search.Positions.Add(position);
                return search.Count == 0 || search.Positions.Count < search.Count;
            });
        }
        return positions;
    }

    // ---- helpers (under Gate) -------------------------------------------------------------

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

    private byte[] ReadListAt(in KeyRef k, in Metadata meta, long position)
    {
        var found = new byte[1][];
        VisitList(k, meta, position, position, reverse: false, found, static (value, _, found) => { found[0] = value.ToArray(); return false; });
        return found[0];
    }

    /// <summary>Every element, head first.</summary>
    private List<byte[]> ReadList(in KeyRef k, in Metadata meta)
    {
        var values = new List<byte[]>((int)Math.Min(meta.Count, 1 << 16));
        VisitList(k, meta, 0, meta.Count - 1, reverse: false, values, static (value, _, values) => { values.Add(value.ToArray()); return true; });
        return values;
    }

    private static void PushListElement(ListEditor list, ref Metadata meta, ReadOnlyMemory<byte> value, bool left)
    {
        list.Set(left ? --meta.Head : meta.Tail++, value);
        meta.Count++;
    }

    /// <summary>
    /// Pops <paramref name="n"/> (1..Count) elements from one end, in pop order. The caller saves
    /// the list (SaveList deletes an emptied list): saving here would delete the key in the middle
    /// of a rotation of a one-element list.
    /// </summary>
    private static byte[][] PopListRange(ListEditor list, ref Metadata meta, bool left, long n)
    {
        var values = new byte[n][];
        for (long i = 0; i < n; i++) values[i] = list.Get(left ? meta.Head + (ulong)i : meta.Tail - 1 - (ulong)i).ToArray();
        DropListEnd(list, ref meta, left, n);
        return values;
    }

    /// <summary>Drops <paramref name="n"/> (1..Count) elements from one end (the caller saves the list).</summary>
    private static void DropListEnd(ListEditor list, ref Metadata meta, bool left, long n)
    {
        if (left)
        {
            list.Pop(meta.Head, meta.Head + (ulong)n);
            meta.Head += (ulong)n;
        }
        else
        {
            list.Pop(meta.Tail - (ulong)n, meta.Tail);
            meta.Tail -= (ulong)n;
        }
        meta.Count -= n;
    }

    /// <summary>Writes the chunks a command changed, then the metadata (or deletes an emptied list).</summary>
    private void SaveList(in KeyRef k, ListEditor list, in Metadata meta, bool existed)
    {
        list.Flush(meta);
        SaveCollection(k, meta, existed);
    }

    private sealed class PivotSearch(byte[] pivot)
    {
        public readonly byte[] Pivot = pivot;
        public long Found = -1;
    }

    private sealed class PositionSearch(byte[] element, long rank, long count, List<long> positions)
    {
        public readonly byte[] Element = element;
        public readonly long Rank = rank, Count = count;
        public readonly List<long> Positions = positions;
        public long Matches;
    }
}
