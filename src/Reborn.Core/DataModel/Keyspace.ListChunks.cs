namespace Reborn.Core.DataModel;

/// <summary>
/// Reading and editing a list's chunk records (see ListChunk). Everything runs under Gate.
/// </summary>
internal sealed partial class Keyspace
{
    /// <summary>Sees the element at list position <paramref name="position"/>; return false to stop.</summary>
    private delegate bool ListVisitor<TState>(ReadOnlySpan<byte> value, long position, TState state);

    private static byte[] ListChunkKey(in KeyRef k, ulong version, ulong chunk)
        => KeyEncoding.ListChunkKey(k.Slot, k.Pdb, k.UserKey, version, chunk);

    private static byte[] ListExternalKey(in KeyRef k, ulong version, ulong chunk, int offset)
        => KeyEncoding.ListExternalKey(k.Slot, k.Pdb, k.UserKey, version, chunk, offset);

    /// <summary>
    /// Visits positions [from, to] of a list (0 = head; reversed: from <paramref name="to"/> down),
    /// one point read per chunk, plus one per element stored outside its chunk.
    /// </summary>
    private void VisitList<TState>(in KeyRef k, in Metadata meta, long from, long to, bool reverse, TState state, ListVisitor<TState> visit)
    {
        if (from > to) return;
        ulong first = meta.Head + (ulong)from, last = meta.Head + (ulong)to;
        ulong firstChunk = ListChunk.ChunkOf(first), lastChunk = ListChunk.ChunkOf(last);
        Span<ListChunk.Entry> entries = stackalloc ListChunk.Entry[ListChunk.Slots];
        for (ulong step = 0; step <= lastChunk - firstChunk; step++)
        {
            ulong chunk = reverse ? lastChunk - step : firstChunk + step;
            var record = _engine.Get(ListChunkKey(k, meta.Version, chunk)) ?? throw MissingListChunk(k, chunk);
            int firstOffset = ListChunk.Parse(record, entries, out int count);
            ulong chunkStart = chunk << ListChunk.Shift;
            int lo = chunk == firstChunk ? ListChunk.OffsetOf(first) : 0;
            int hi = chunk == lastChunk ? ListChunk.OffsetOf(last) : ListChunk.Slots - 1;
            if (lo < firstOffset || hi >= firstOffset + count) throw MissingListChunk(k, chunk);
            for (int i = 0; i <= hi - lo; i++)
            {
                int offset = reverse ? hi - i : lo + i;
                var entry = entries[offset - firstOffset];
                long position = (long)(chunkStart + (ulong)offset - meta.Head);
                bool more = entry.External
                    ? visit(_engine.Get(ListExternalKey(k, meta.Version, chunk, offset)) ?? throw MissingListChunk(k, chunk), position, state)
                    : visit(record.AsSpan(entry.Start, entry.Length), position, state);
                if (!more) return;
            }
        }
    }

    private static InvalidDataException MissingListChunk(in KeyRef k, ulong chunk)
        => new($"list chunk {chunk} (or one of its long elements) is missing or incomplete in a list of slot {k.Slot}");

    /// <summary>
    /// One command's edits of one list. A chunk is read on first touch (only when the list held
    /// some of its indexes when the command began), edited in memory, and written once by
    /// <see cref="Flush"/>, which derives which offsets survive from the list's final head and tail.
    /// Elements are kept as slices of the records read, which are never modified.
    /// </summary>
    private sealed class ListEditor
    {
        private readonly Keyspace _owner;
        private readonly KeyRef _k;
        private readonly ulong _version, _head, _tail;
        // Most commands touch one chunk: the dictionary is made when a second one is loaded.
        private EditedChunk? _last;
        private Dictionary<ulong, EditedChunk>? _chunks;

        public ListEditor(Keyspace owner, in KeyRef k, in Metadata meta)
        {
            _owner = owner;
            _k = k;
            _version = meta.Version;
            _head = meta.Head;
            _tail = meta.Tail;
        }

        /// <summary>The element at list index <paramref name="index"/> as this command sees it.</summary>
        public ReadOnlyMemory<byte> Get(ulong index)
        {
            var chunk = Load(ListChunk.ChunkOf(index));
            int offset = ListChunk.OffsetOf(index);
            uint bit = 1u << offset;
            if ((chunk.Unfetched & bit) != 0)
            {
                chunk.Values[offset] = _owner._engine.Get(ListExternalKey(_k, _version, chunk.Number, offset)) ?? throw MissingListChunk(_k, chunk.Number);
                chunk.Unfetched &= ~bit;
            }
            if (((chunk.Stored | chunk.Modified) & bit) == 0) throw MissingListChunk(_k, chunk.Number);
            return chunk.Values[offset];
        }

        public void Set(ulong index, ReadOnlyMemory<byte> value)
        {
            var chunk = Load(ListChunk.ChunkOf(index));
            int offset = ListChunk.OffsetOf(index);
            uint bit = 1u << offset;
            chunk.Values[offset] = value;
            chunk.Modified |= bit;
            chunk.Unfetched &= ~bit;
            chunk.Dirty = true;
        }

        /// <summary>
        /// Indexes [from, to) leave the list (the caller moves head or tail past them): their chunks
        /// are rewritten, and chunks wholly inside go with one range delete, unread.
        /// </summary>
        public void Drop(ulong from, ulong to)
        {
            if (from >= to) return;
            ulong firstChunk = ListChunk.ChunkOf(from), lastChunk = ListChunk.ChunkOf(to - 1);
            Load(firstChunk).Dirty = true;
            if (lastChunk == firstChunk) return;
            Load(lastChunk).Dirty = true;
            if (lastChunk - firstChunk < 2) return;
            _owner._batch.DeleteRange(ListChunkKey(_k, _version, firstChunk + 1), ListChunkKey(_k, _version, lastChunk));
            // Chunks read earlier inside the deleted range must not be written back.
            foreach (var number in _chunks!.Keys.Where(n => n > firstChunk && n < lastChunk).ToList()) _chunks.Remove(number);
            if (!_chunks.ContainsKey(_last!.Number)) _last = null;
        }

        /// <summary>
        /// Writes every chunk this command changed, for a list whose final state is
        /// <paramref name="meta"/>; a chunk left with no element is deleted, so a list emptied
        /// by pops leaves nothing for the garbage sweep.
        /// </summary>
        public void Flush(in Metadata meta)
        {
            if (_chunks is not null)
                foreach (var chunk in _chunks.Values) Write(chunk, meta);
            else if (_last is not null) Write(_last, meta);
        }

        private void Write(EditedChunk chunk, in Metadata meta)
        {
            if (!chunk.Dirty) return;
            var batch = _owner._batch;
            uint live = ListChunk.LiveBits(chunk.Number, meta.Head, meta.Tail);
            if ((live & ~(chunk.Stored | chunk.Modified)) != 0)
                throw new InvalidOperationException($"a list edit left a hole in chunk {chunk.Number}");
            uint external = 0;
            for (int offset = 0; offset < ListChunk.Slots; offset++)
            {
                uint bit = 1u << offset;
                bool isLive = (live & bit) != 0;
                bool modified = (chunk.Modified & bit) != 0;
                bool wasExternal = (chunk.External & bit) != 0;
                if (isLive && modified && !ListChunk.IsInline(chunk.Values[offset].Length))
                {
                    external |= bit;
                    batch.Put(ListExternalKey(_k, _version, chunk.Number, offset), chunk.Values[offset].Span);
                }
                else if (isLive && !modified && wasExternal) external |= bit;
                else if (wasExternal) batch.Delete(ListExternalKey(_k, _version, chunk.Number, offset));
            }
            var key = ListChunkKey(_k, _version, chunk.Number);
            if (live == 0) batch.Delete(key);
            else batch.Put(key, ListChunk.Encode(chunk.Values, live, external));
            chunk.Dirty = false;
        }

        private EditedChunk Load(ulong number)
        {
            if (_last is not null && _last.Number == number) return _last;
            if (_last is not null && _chunks is null) _chunks = new() { [_last.Number] = _last };
            if (_chunks is null || !_chunks.TryGetValue(number, out var chunk))
            {
                chunk = new EditedChunk(number);
                uint expected = ListChunk.LiveBits(number, _head, _tail);
                if (expected != 0) chunk.Read(_owner._engine.Get(ListChunkKey(_k, _version, number)), expected, _k);
                _chunks?.Add(number, chunk);
            }
            return _last = chunk;
        }
    }

    /// <summary>A chunk as one command edits it: values by offset, and bit masks over the 32 offsets.</summary>
    private sealed class EditedChunk(ulong number)
    {
        public readonly ulong Number = number;
        public readonly ReadOnlyMemory<byte>[] Values = new ReadOnlyMemory<byte>[ListChunk.Slots];
        /// <summary>Offsets the record held when read.</summary>
        public uint Stored;
        /// <summary>Offsets whose element was stored in its own record when read.</summary>
        public uint External;
        /// <summary>External elements not read yet.</summary>
        public uint Unfetched;
        /// <summary>Offsets given a value by this command.</summary>
        public uint Modified;
        public bool Dirty;

        public void Read(byte[]? record, uint expected, in KeyRef k)
        {
            if (record is null) throw MissingListChunk(k, Number);
            Span<ListChunk.Entry> entries = stackalloc ListChunk.Entry[ListChunk.Slots];
            int first = ListChunk.Parse(record, entries, out int count);
            Stored = ListChunk.Bits(first, first + count - 1);
            if (Stored != expected) throw MissingListChunk(k, Number);
            for (int i = 0; i < count; i++)
            {
                if (entries[i].External)
                {
                    External |= 1u << (first + i);
                    continue;
                }
                Values[first + i] = record.AsMemory(entries[i].Start, entries[i].Length);
            }
            Unfetched = External;
        }
    }
}
