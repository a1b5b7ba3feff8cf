using Reborn.Storage;
using System.Numerics;

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

    // What the last push or pop left (a list's metadata and the last chunk record it wrote), with the
    // engine's write count just after: while the count is unchanged nothing was written since, and the
    // next push or pop of the same list skips reading both (a queue's producers and consumers hit it).
    private byte[]? _lastListKey;
    private Metadata _lastListMeta;
    private ChunkWrite? _lastChunk;
    private long _lastListStamp = -1;
    private bool _rememberedHit; // the running push or pop found the list remembered (RememberedList)
    private ChunkWrite? _writtenChunk; // the chunk record the running command wrote (or a pop left) last; RememberList keeps it once committed
    private readonly byte[][] _recordHolders = [[], []]; // spliced chunk records: one may be remembered while the other is written
    private readonly EditedChunk[] _entryHolders = [new(), new()]; // one may be remembered while the other is filled

    /// <summary>
    /// A chunk record a list command wrote (or a pop left unchanged): its key, the first
    /// <paramref name="Length"/> bytes of <paramref name="Record"/> (an array only this keyspace
    /// holds), and its parsed entries when the write only dropped entries (a pop), else null.
    /// </summary>
    private readonly record struct ChunkWrite(byte[] Key, byte[] Record, int Length, EditedChunk? Entries);

    /// <summary>Splices a chunk record into the record holder not remembered now (the remembered one stays exact even if this command fails).</summary>
    private (byte[] Record, int Length) SpliceChunk(ReadOnlySpan<ReadOnlyMemory<byte>> values, uint live, uint external, ReadOnlySpan<byte> keptEntries, uint kept)
    {
        int holder = NextRecordHolder();
        int length = ListChunk.Splice(values, live, external, keptEntries, kept, ref _recordHolders[holder]);
        return (_recordHolders[holder], length);
    }

    /// <summary>The record holder not remembered now: the remembered one stays exact even if this command fails.</summary>
    private int NextRecordHolder() => ReferenceEquals(_lastChunk?.Record, _recordHolders[0]) ? 1 : 0;

    /// <summary>A copy of a chunk record a command left unchanged, in the record holder not remembered now.</summary>
    private byte[] KeepRecord(ReadOnlySpan<byte> record)
    {
        int holder = NextRecordHolder();
        if (_recordHolders[holder].Length < record.Length) _recordHolders[holder] = new byte[Math.Max(record.Length, 256)];
        record.CopyTo(_recordHolders[holder]);
        return _recordHolders[holder];
    }

    /// <summary>The entry holder not remembered now: the remembered one stays exact even if this command fails.</summary>
    private EditedChunk NextEntryHolder() => ReferenceEquals(_lastChunk?.Entries, _entryHolders[0]) ? _entryHolders[1] : _entryHolders[0];

    /// <summary><paramref name="built"/> as an array: <paramref name="remembered"/> itself when it holds the same bytes.</summary>
    private static byte[] SameOrNew(ReadOnlySpan<byte> built, byte[] remembered) => built.SequenceEqual(remembered) ? remembered : built.ToArray();

    /// <summary><see cref="Ref"/> for a push or pop: the remembered list's key array when it is the same key (no allocation for a queue's commands).</summary>
    private KeyRef ListRef(int db, ReadOnlySpan<byte> key)
    {
        int pdb = _databaseMap[db];
        // The remembered metadata key is [slot u16][pdb][kind][user key]: the same user key has the same slot.
        if (_lastListKey is { } last && last[2] == pdb && last.AsSpan(KeyEncoding.PrefixLength).SequenceEqual(key))
            return new KeyRef(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(last), pdb, last);
        return Ref(db, key);
    }

    /// <summary>A chunk's record key: the remembered chunk's array when it is the same key.</summary>
    private byte[] ListChunkKeyOrRemembered(in KeyRef k, ulong version, ulong chunk)
    {
        int length = KeyEncoding.ElementPrefixLength(k.UserKey.Length) + 8;
        if (_lastChunk?.Key is not { } last || last.Length != length || length > 256) return ListChunkKey(k, version, chunk);
        Span<byte> key = stackalloc byte[length];
        KeyEncoding.WriteElementPrefix(key, k.Slot, k.Pdb, KeyEncoding.KindElement, k.UserKey, version);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(key[(length - 8)..], chunk);
        return SameOrNew(key, last);
    }

    /// <summary>The metadata of the list <paramref name="k"/> when the last push or pop left it and nothing was written since.</summary>
    private bool RememberedList(in KeyRef k, out Metadata meta)
    {
        EnsureServed(k.Slot);
        if (_lastListStamp == _engine.WriteCount && k.MetaKey.AsSpan().SequenceEqual(_lastListKey))
        {
            meta = _lastListMeta;
            return _rememberedHit = true;
        }
        meta = default;
        return _rememberedHit = false;
    }

    /// <summary>After a push or pop committed: remembers the list's metadata and the chunk it wrote last (not for a list with a TTL or one emptied).</summary>
    private void RememberList(in KeyRef k, in Metadata meta)
    {
        bool keep = meta.Count > 0 && !meta.HasExpiry;
        // Read-ahead records outlive a command only if nothing but the list's own pushes and pops wrote since they were read.
        if (!keep || !_rememberedHit || !ReferenceEquals(k.MetaKey, _lastListKey)) ClearReadAhead();
        _rememberedHit = false;
        _lastListKey = keep ? k.MetaKey : null;
        _lastListMeta = meta;
        _lastChunk = keep ? _writtenChunk : null;
        _lastListStamp = keep ? _engine.WriteCount : -1;
        _writtenChunk = null;
    }

    /// <summary>
    /// The record of chunk <paramref name="key"/> when the last push or pop wrote it and nothing was
    /// written since; with its parsed entries when that write only dropped entries (a pop), else null.
    /// </summary>
    private bool RememberedChunk(byte[] key, out ReadOnlySpan<byte> record, out EditedChunk? entries)
    {
        record = default;
        entries = null;
        if (_lastChunk is not { } last || _lastListStamp != _engine.WriteCount || !key.AsSpan().SequenceEqual(last.Key)) return false;
        record = last.Record.AsSpan(0, last.Length);
        entries = last.Entries;
        return true;
    }

    // Chunk records of the remembered list read ahead of its pops. A queue's consumers cross into a
    // chunk RocksDB holds every 32 pops, and a point read each time costs more than one iterator
    // reading the next ReadAheadChunks chunks toward the other end. They are exact while the
    // remembered state is (the same write-count stamp): the list's own pushes and pops are the only
    // writes meanwhile, and a chunk record this keyspace writes or deletes leaves them at once.
    private const int ReadAheadChunks = 16;
    private readonly Dictionary<ulong, (byte[] Record, int Length)> _readAhead = [];
    private readonly Stack<byte[]> _readAheadSpare = new();

    /// <summary>
    /// True while <paramref name="k"/> is the remembered list (the same array <see cref="ListRef"/> handed
    /// out) and nothing was written since it was remembered: its version and chunks are as remembered.
    /// </summary>
    private bool IsRememberedList(in KeyRef k) => ReferenceEquals(k.MetaKey, _lastListKey) && _lastListStamp == _engine.WriteCount;

    /// <summary>The read-ahead record of chunk <paramref name="number"/> of the list <paramref name="k"/> (taken: it leaves the read-ahead).</summary>
    private bool TakeReadAhead(in KeyRef k, ulong number, out byte[] record, out int length)
    {
        record = [];
        length = 0;
        if (_readAhead.Count == 0 || !IsRememberedList(k) || !_readAhead.Remove(number, out var found)) return false;
        (record, length) = found;
        return true;
    }

    /// <summary>Hands a record array taken from the read-ahead back for reuse.</summary>
    private void SpareReadAhead(byte[] record)
    {
        if (_readAheadSpare.Count < ReadAheadChunks) _readAheadSpare.Push(record);
    }

    /// <summary>A chunk record is written or deleted: its read-ahead copy (if any) is stale.</summary>
    private void ForgetReadAhead(ulong number)
    {
        if (_readAhead.Count > 0 && _readAhead.Remove(number, out var stale)) SpareReadAhead(stale.Record);
    }

    private void ClearReadAhead()
    {
        foreach (var (record, _) in _readAhead.Values) SpareReadAhead(record);
        _readAhead.Clear();
    }

    /// <summary>
    /// After chunk <paramref name="number"/> of the remembered list was read from the engine at one end of
    /// the list (head or tail, within [<paramref name="head"/>, <paramref name="tail"/>)): reads up to
    /// ReadAheadChunks of the chunks after it toward the other end with one iterator.
    /// </summary>
    private void ReadAhead(in KeyRef k, ulong version, ulong number, ulong head, ulong tail)
    {
        if (!IsRememberedList(k)) return;
        ulong first = ListChunk.ChunkOf(head), last = ListChunk.ChunkOf(tail - 1);
        bool down = number == last && number > first, up = number == first && number < last;
        if (!down && !up) return;
        ulong from = down ? Math.Max(first, number - Math.Min(number, (ulong)ReadAheadChunks)) : number + 1;
        ulong to = down ? number - 1 : Math.Min(last, number + ReadAheadChunks);
        ClearReadAhead();
        int chunkKeyLength = KeyEncoding.ElementPrefixLength(k.UserKey.Length) + 8; // a long element's own record is one byte longer
        using var it = _engine.CreateIterator(ListChunkKey(k, version, from), ListChunkKey(k, version, to + 1));
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            var key = it.Key;
            if (key.Length != chunkKeyLength) continue;
            var value = it.Value;
            if (!_readAheadSpare.TryPop(out var record) || record.Length < value.Length) record = new byte[Math.Max(value.Length, 256)];
            value.CopyTo(record);
            _readAhead[System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(key[^8..])] = (record, value.Length);
        }
    }

    // Spare editors: list commands run under Gate, one at a time, and use at most two editors.
    private readonly Stack<ListEditor> _spareListEditors = new();

    /// <summary>An editor for one command's edits of the list <paramref name="k"/>; its Flush hands it back.</summary>
    private ListEditor EditList(in KeyRef k, in Metadata meta)
    {
        _writtenChunk = null; // what RememberList keeps is this command's own write
        var editor = _spareListEditors.TryPop(out var spare) ? spare : new ListEditor(this);
        editor.Begin(k, meta);
        return editor;
    }

    /// <summary>
    /// One command's edits of one list. A chunk is read on first touch (only when the list held
    /// some of its indexes when the command began), edited in memory, and written once by
    /// <see cref="Flush"/>, which derives which offsets survive from the list's final head and tail.
    /// Elements are kept as slices of the records read, which are never modified. Editors and their
    /// chunks are reused from command to command (they are about a kilobyte each).
    /// </summary>
    private sealed class ListEditor(Keyspace owner)
    {
        private const int SpareChunks = 4;
        private readonly Keyspace _owner = owner;
        private readonly Stack<EditedChunk> _spareChunks = new();
        private KeyRef _k;
        private ulong _version, _head, _tail;
        private bool _popped; // elements left by Pop: their chunk records may keep stale entries (see Write)
        // Most commands touch one chunk: the dictionary holds them only once a second one is loaded.
        private EditedChunk? _last;
        private Dictionary<ulong, EditedChunk>? _chunks;

        public void Begin(in KeyRef k, in Metadata meta)
        {
            _k = k;
            _version = meta.Version;
            _head = meta.Head;
            _tail = meta.Tail;
            _popped = false;
        }

        /// <summary>The element at list index <paramref name="index"/> as this command sees it.</summary>
        public ReadOnlyMemory<byte> Get(ulong index)
        {
            var chunk = Load(ListChunk.ChunkOf(index));
            int offset = ListChunk.OffsetOf(index);
            uint bit = 1u << offset;
            if ((chunk.Modified & bit) != 0) return chunk.Values[offset];
            if ((chunk.Stored & bit) == 0) throw MissingListChunk(_k, chunk.Number);
            chunk.ReadEntries(_k);
            if ((chunk.External & bit) == 0) return chunk.StoredValue(offset);
            if ((chunk.Unfetched & bit) != 0)
            {
                chunk.Values[offset] = _owner._engine.Get(ListExternalKey(_k, _version, chunk.Number, offset)) ?? throw MissingListChunk(_k, chunk.Number);
                chunk.Unfetched &= ~bit;
            }
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
        /// As <see cref="Drop"/>, for a pop: a chunk that keeps elements and loses only inline ones
        /// is not rewritten (<see cref="Write"/>).
        /// </summary>
        public void Pop(ulong from, ulong to)
        {
            _popped = true;
            Drop(from, to);
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
            if (_chunks is { Count: > 0 })
            {
                foreach (var chunk in _chunks.Values) Write(chunk, meta);
                foreach (var chunk in _chunks.Values) Spare(chunk);
                _chunks.Clear();
            }
            else if (_last is not null)
            {
                Write(_last, meta);
                Spare(_last);
            }
            _last = null;
            _k = default;
            _owner._spareListEditors.Push(this);
        }

        private void Spare(EditedChunk chunk)
        {
            if (_spareChunks.Count >= SpareChunks) return;
            chunk.Reset();
            _spareChunks.Push(chunk);
        }

        private void Write(EditedChunk chunk, in Metadata meta)
        {
            if (!chunk.Dirty) return;
            chunk.Dirty = false;
            var batch = _owner._batch;
            var key = chunk.Key ??= ListChunkKey(_k, _version, chunk.Number);
            // Written below. Its read-ahead copy, if any, left when it was loaded; a chunk written unread
            // (nothing of it was live) is dropped from the read-ahead here, whatever emptied it.
            _owner.ForgetReadAhead(chunk.Number);
            uint live = ListChunk.LiveBits(chunk.Number, meta.Head, meta.Tail);
            if ((live & ~(chunk.Stored | chunk.Modified)) != 0)
                throw new InvalidOperationException($"a list edit left a hole in chunk {chunk.Number}");
            // The new elements' records, for those too long to sit in the chunk.
            uint put = 0;
            for (uint m = live & chunk.Modified; m != 0; m &= m - 1)
            {
                int offset = BitOperations.TrailingZeroCount(m);
                if (ListChunk.IsInline(chunk.Values[offset].Length)) continue;
                put |= 1u << offset;
                batch.Put(ListExternalKey(_k, _version, chunk.Number, offset), chunk.Values[offset].Span);
            }
            uint kept = live & chunk.Stored;
            if ((chunk.Modified & chunk.Stored) == 0 && kept != 0)
            {
                // No element the record held changed, some left, new ones came at either end: the
                // entries kept are copied as they are, and the new ones encoded around them. When
                // every entry stays (a push), the record's entries are copied whole, unread.
                if (kept == chunk.Stored)
                {
                    PutChunk(key, _owner.SpliceChunk(chunk.Values, live, put, chunk.Record[ListChunk.HeaderLength..], kept));
                    return;
                }
                chunk.ReadEntries(_k);
                if (_popped && live == kept && (chunk.Stored & ~live & chunk.External) == 0)
                {
                    // A pop of elements stored inline: the record stays as it is, its entries outside
                    // [head, tail) stale, and only the metadata is written. A queue's pops then write
                    // one record instead of two; the stale entries (at most 31 in each of the list's
                    // two end chunks) go when the chunk is next rewritten or deleted.
                    _owner._writtenChunk = chunk.FromRemembered ? _owner._lastChunk
                        : new ChunkWrite(key, _owner.KeepRecord(chunk.Record), chunk.Record.Length, chunk.KeptEntries(chunk.Stored, _owner.NextEntryHolder()));
                    return;
                }
                for (uint m = chunk.Stored & ~live & chunk.External; m != 0; m &= m - 1)
                    batch.Delete(ListExternalKey(_k, _version, chunk.Number, BitOperations.TrailingZeroCount(m)));
                PutChunk(key, _owner.SpliceChunk(chunk.Values, live, put, chunk.EntryBytes(kept), kept));
                // A pop (entries only left): the new record's entries are the kept ones, moved by the bytes dropped before them.
                if (live == kept) _owner._writtenChunk = _owner._writtenChunk!.Value with { Entries = chunk.KeptEntries(kept, _owner.NextEntryHolder()) };
                return;
            }
            chunk.Parse(_k);
            uint external = put | (live & ~chunk.Modified & chunk.External);
            for (uint m = chunk.External & ~external; m != 0; m &= m - 1)
                batch.Delete(ListExternalKey(_k, _version, chunk.Number, BitOperations.TrailingZeroCount(m)));
            if (live == 0)
            {
                batch.Delete(key);
                _owner._writtenChunk = null;
            }
            else
            {
                var encoded = ListChunk.Encode(chunk.Values, live, external);
                PutChunk(key, (encoded, encoded.Length));
            }
        }

        /// <summary>Writes a chunk record made for this write (the list remembers it: nobody else holds the array).</summary>
        private void PutChunk(byte[] key, (byte[] Array, int Length) record)
        {
            _owner._batch.Put(key, record.Array.AsSpan(0, record.Length));
            _owner._writtenChunk = new ChunkWrite(key, record.Array, record.Length, null);
        }

        private EditedChunk Load(ulong number)
        {
            if (_last is not null && _last.Number == number) return _last;
            if (_last is not null && _chunks is not { Count: > 0 }) (_chunks ??= []).Add(_last.Number, _last);
            if (_chunks is not { Count: > 0 } || !_chunks.TryGetValue(number, out var chunk))
            {
                chunk = _spareChunks.TryPop(out var spare) ? spare : new EditedChunk();
                chunk.Number = number;
                uint expected = ListChunk.LiveBits(number, _head, _tail);
                if (expected != 0 && chunk.Read(_owner, chunk.Key = _owner.ListChunkKeyOrRemembered(_k, _version, number), expected, _k))
                    _owner.ReadAhead(_k, _version, number, _head, _tail);
                if (_chunks is { Count: > 0 }) _chunks.Add(number, chunk);
            }
            return _last = chunk;
        }
    }

    /// <summary>
    /// A chunk as one command edits it: bit masks over the 32 offsets, the values this command gave,
    /// and the record read. The record's entry headers are read only when an element it holds is
    /// read or dropped, and its values are copied into <see cref="Values"/> only when one of them
    /// changes (<see cref="Parse"/>); otherwise the entries kept are copied as bytes.
    /// </summary>
    private sealed class EditedChunk
    {
        public ulong Number;
        /// <summary>The chunk's record key, once made (the read and the write share it).</summary>
        public byte[]? Key;
        /// <summary>Values by offset: those this command gave, external ones fetched, and all once parsed.</summary>
        public readonly ReadOnlyMemory<byte>[] Values = new ReadOnlyMemory<byte>[ListChunk.Slots];
        // The record read, copied into a buffer the chunk keeps from command to command; -1: none (the chunk held nothing).
        private byte[] _buffer = [];
        private int _recordLength = -1;
        /// <summary>Offsets the record held when read.</summary>
        public uint Stored;
        /// <summary>Offsets whose element was stored in its own record when read (known once the entries are read).</summary>
        public uint External;
        /// <summary>External elements not read yet.</summary>
        public uint Unfetched;
        /// <summary>Offsets given a value by this command.</summary>
        public uint Modified;
        public bool Dirty;
        /// <summary>The record and its entries are those the last push or pop left (RememberedChunk, with entries).</summary>
        public bool FromRemembered;
        private EntryArray _entries; // by entry; entry i holds offset _first + i
        private int _first;
        private int _entryCount; // in a holder of KeptEntries
        private bool _entriesRead, _parsed;

        /// <summary>Forgets everything, for reuse by another command.</summary>
        public void Reset()
        {
            Array.Clear(Values);
            _recordLength = -1;
            if (_buffer.Length > 4 * 1024) _buffer = []; // after a chunk of long elements
            Key = null;
            Stored = External = Unfetched = Modified = 0;
            Dirty = FromRemembered = _entriesRead = _parsed = false;
        }

        /// <summary>The record read (valid while the chunk is in use): its entries' slices point into it.</summary>
        public ReadOnlySpan<byte> Record => _buffer.AsSpan(0, _recordLength);

        private bool HasRecord => _recordLength >= 0;

        private static readonly ValueReader<EditedChunk, bool> CopyRecord = static (record, chunk) =>
        {
            if (chunk._buffer.Length < record.Length) chunk._buffer = new byte[Math.Max(record.Length, 256)];
            record.CopyTo(chunk._buffer);
            chunk._recordLength = record.Length;
            return true;
        };

        /// <summary>Reads the chunk's record (as the last push or pop left it, when nothing was written since), which must hold at least the offsets <paramref name="expected"/> (a pop may have left stale entries beside them).</summary>
        public bool Read(Keyspace owner, byte[] key, uint expected, in KeyRef k)
        {
            bool fromEngine = false;
            if (owner.RememberedChunk(key, out var remembered, out var entries))
            {
                CopyRecord(remembered, this);
                if (entries is not null) TakeEntries(entries);
                FromRemembered = entries is not null;
            }
            else if (owner.TakeReadAhead(k, Number, out var ahead, out int length))
            {
                CopyRecord(ahead.AsSpan(0, length), this);
                owner.SpareReadAhead(ahead);
            }
            else if (owner._engine.TryRead(key, this, CopyRecord, out _)) fromEngine = true;
            else throw MissingListChunk(k, Number);
            Stored = ListChunk.ReadHeader(Record);
            if ((Stored & expected) != expected) throw MissingListChunk(k, Number);
            return fromEngine;
        }

        public void ReadEntries(in KeyRef k)
        {
            if (_entriesRead || !HasRecord) return;
            _entriesRead = true;
            _first = ListChunk.Parse(Record, _entries, out int count);
            for (int i = 0; i < count; i++)
                if (_entries[i].External) External |= 1u << (_first + i);
            Unfetched = External;
        }

        /// <summary>
        /// Into <paramref name="holder"/>: the entries of the record a pure drop of this chunk's entries
        /// makes (only <paramref name="kept"/> stay; entries read): the same entries, moved back by the
        /// bytes of those dropped before them.
        /// </summary>
        public EditedChunk KeptEntries(uint kept, EditedChunk holder)
        {
            int from = BitOperations.TrailingZeroCount(kept) - _first, to = 31 - BitOperations.LeadingZeroCount(kept) - _first;
            int shift = (from == 0 ? ListChunk.HeaderLength : End(from - 1)) - ListChunk.HeaderLength;
            for (int i = from; i <= to; i++)
                holder._entries[i - from] = _entries[i] with { Start = _entries[i].Start - shift };
            holder._first = _first + from;
            holder._entryCount = to - from + 1;
            return holder;
        }

        /// <summary>Takes the entries <see cref="KeptEntries"/> derived for the record just read, instead of parsing it.</summary>
        private void TakeEntries(EditedChunk source)
        {
            _first = source._first;
            for (int i = 0; i < source._entryCount; i++)
            {
                _entries[i] = source._entries[i];
                if (_entries[i].External) External |= 1u << (_first + i);
            }
            Unfetched = External;
            _entriesRead = true;
        }

        /// <summary>The inline element the record holds at <paramref name="offset"/> (entries read).</summary>
        public ReadOnlyMemory<byte> StoredValue(int offset)
        {
            var entry = _entries[offset - _first];
            return _buffer.AsMemory(entry.Start, entry.Length);
        }

        /// <summary>The record's bytes of the entries of <paramref name="offsets"/> (contiguous, held, entries read).</summary>
        public ReadOnlySpan<byte> EntryBytes(uint offsets)
        {
            int from = BitOperations.TrailingZeroCount(offsets) - _first, to = 31 - BitOperations.LeadingZeroCount(offsets) - _first;
            int start = from == 0 ? ListChunk.HeaderLength : End(from - 1);
            return _buffer.AsSpan(start, End(to) - start);
        }

        private int End(int entry) => _entries[entry].Start + Math.Max(_entries[entry].Length, 0);

        /// <summary>Copies every value the record holds into <see cref="Values"/>, except those this command replaced.</summary>
        public void Parse(in KeyRef k)
        {
            if (_parsed) return;
            _parsed = true;
            if (!HasRecord) return;
            ReadEntries(k);
            for (uint m = Stored & ~External & ~Modified; m != 0; m &= m - 1)
            {
                int offset = BitOperations.TrailingZeroCount(m);
                Values[offset] = StoredValue(offset);
            }
        }

        [System.Runtime.CompilerServices.InlineArray(ListChunk.Slots)]
        private struct EntryArray
        {
            private ListChunk.Entry _entry;
        }
    }
}
