using System.Runtime.InteropServices;

namespace Reborn.Storage.Engines;

/// <summary>
/// The records of <see cref="RocksDbHotRecords"/>: a hash table whose keys and values live in native
/// memory, one block per record (its key, then room for its value), indexed by arrays that hold no
/// managed reference. However many records it holds, the garbage collector neither scans nor moves
/// them: with a byte array per key and per value, a cache refilling after a migration's wide write
/// promoted hundreds of thousands of young arrays, and every young collection scanned the cards of a
/// dictionary that pointed at them (gen1 pauses of 20-45 ms under load).
/// A record is named by its slot, an index that stays its own until it is removed; a removed record's
/// slot is reused. Not thread-safe: its owner's gate guards every member, and a value's span is valid
/// only until the next call that changes the table.
/// </summary>
internal sealed unsafe class HotRecordTable : IDisposable
{
    /// <summary>Bookkeeping per record on top of its key and value: the slot, its bucket, the allocator's header.</summary>
    public const int RecordOverhead = 64;

    /// <summary>
    /// A record whose value changes length gets room this much larger, rounded, and keeps it while the
    /// value stays within it: a list's chunk changes length with every push and pop.
    /// </summary>
    private const int ResizeSlack = 64;

    /// <summary>Values longer than this are not kept once they are in RocksDB, so they get blocks of their exact length.</summary>
    public const int MaxCachedValueLength = 16 * 1024;

    private const int InitialSlots = 1024;

    private int[] _buckets = new int[InitialSlots]; // a bucket's first slot plus one, 0 for none
    private Slot[] _slots = new Slot[InitialSlots];
    private int _used; // slots ever taken, live or free; the clock walks [0, _used)
    private int _free; // the first free slot below _used, plus one (0: none), chained through Next
    private int _count;
    private bool _disposed;

    /// <summary>Live records.</summary>
    public int Count => _count;

    /// <summary>Slots are numbered from 0 to this bound (exclusive); some are free.</summary>
    public int SlotBound => _used;

    /// <summary>The records' keys, values and bookkeeping (<see cref="RecordOverhead"/> each), in bytes.</summary>
    public long Bytes { get; private set; }

    /// <summary>A record's slot; check <see cref="Slot.Live"/> when walking the slots.</summary>
    public ref Slot this[int slot] => ref _slots[slot];

    /// <summary>The hash <see cref="Find(ReadOnlySpan{byte}, int)"/> and <see cref="Add(ReadOnlySpan{byte}, int)"/> take, so a miss that adds hashes once.</summary>
    public static int HashOf(ReadOnlySpan<byte> key) => ByteKeyComparer.HashOf(key);

    /// <summary>The slot of the key's record, or -1.</summary>
    public int Find(ReadOnlySpan<byte> key) => Find(key, HashOf(key));

    /// <summary>The slot of the key's record, or -1; <paramref name="hash"/> is <see cref="HashOf"/>'s.</summary>
    public int Find(ReadOnlySpan<byte> key, int hash)
    {
        for (int slot = _buckets[hash & (_buckets.Length - 1)] - 1; slot >= 0; slot = _slots[slot].Next - 1)
        {
            ref var entry = ref _slots[slot];
            if (entry.Hash == hash && entry.Key.SequenceEqual(key))
                return slot;
        }

        return -1;
    }

    /// <summary>Adds a record for a key that has none: clean, absent, no flag set. Returns its slot.</summary>
    public int Add(ReadOnlySpan<byte> key, int hash) => Add(key, hash, default, absent: true);

    /// <summary>Adds a record for a key that has none, holding a copy of the value in a block of its exact length: clean, no flag set. Returns its slot.</summary>
    public int Add(ReadOnlySpan<byte> key, int hash, ReadOnlySpan<byte> value) => Add(key, hash, value, absent: false);

    private int Add(ReadOnlySpan<byte> key, int hash, ReadOnlySpan<byte> value, bool absent)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int slot;
        if (_free > 0)
        {
            slot = _free - 1;
            _free = _slots[slot].Next;
        }
        else
        {
            if (_used == _slots.Length)
                Grow();
            slot = _used++;
        }

        var block = (byte*)NativeMemory.Alloc((nuint)Math.Max(key.Length + value.Length, 1));
        key.CopyTo(new Span<byte>(block, key.Length));
        value.CopyTo(new Span<byte>(block + key.Length, value.Length));
        ref int bucket = ref _buckets[hash & (_buckets.Length - 1)];
        _slots[slot] = new Slot { Block = block, Hash = hash, Next = bucket, KeyLength = key.Length, Length = absent ? -1 : value.Length, Capacity = value.Length };
        bucket = slot + 1;
        _count++;
        Bytes += key.Length + value.Length + RecordOverhead;
        return slot;
    }

    /// <summary>
    /// Stores a copy of the value, in place when it fits without wasting more than twice
    /// <see cref="ResizeSlack"/>. A record's first value gets room of its exact length; once a value of
    /// another length replaces it, blocks get room to change again.
    /// </summary>
    public void SetValue(int slot, ReadOnlySpan<byte> value)
    {
        ref var entry = ref _slots[slot];
        if (entry.Capacity >= value.Length && entry.Capacity - value.Length < 2 * ResizeSlack)
        {
            value.CopyTo(new Span<byte>(entry.Block + entry.KeyLength, value.Length));
            entry.Length = value.Length;
            return;
        }

        int capacity = value.Length;
        if (!entry.Absent && value.Length <= MaxCachedValueLength)
            capacity = (value.Length + ResizeSlack) / ResizeSlack * ResizeSlack;
        var block = (byte*)NativeMemory.Alloc((nuint)Math.Max(entry.KeyLength + capacity, 1));
        new ReadOnlySpan<byte>(entry.Block, entry.KeyLength).CopyTo(new Span<byte>(block, entry.KeyLength));
        value.CopyTo(new Span<byte>(block + entry.KeyLength, value.Length));
        NativeMemory.Free(entry.Block);
        Bytes += capacity - entry.Capacity;
        entry.Block = block;
        entry.Capacity = capacity;
        entry.Length = value.Length;
    }

    /// <summary>Records that the key is absent; the block keeps its room for a later value.</summary>
    public void SetAbsent(int slot) => _slots[slot].Length = -1;

    /// <summary>Removes a record and frees its block; its slot goes to the next <see cref="Add"/>.</summary>
    public void Remove(int slot)
    {
        ref var entry = ref _slots[slot];
        ref int link = ref _buckets[entry.Hash & (_buckets.Length - 1)];
        while (link - 1 != slot)
            link = ref _slots[link - 1].Next;
        link = entry.Next;
        NativeMemory.Free(entry.Block);
        Bytes -= entry.KeyLength + entry.Capacity + RecordOverhead;
        entry = new Slot { Next = _free };
        _free = slot + 1;
        _count--;
    }

    /// <summary>
    /// Removes every record at once: the index starts again small, and a thread-pool thread frees the
    /// old blocks, so the caller's gate is held only for the swap.
    /// </summary>
    public void Clear()
    {
        if (_used == 0)
            return;
        var old = _slots;
        int used = _used;
        _slots = new Slot[InitialSlots];
        _buckets = new int[InitialSlots];
        _used = 0;
        _free = 0;
        _count = 0;
        Bytes = 0;
        ThreadPool.UnsafeQueueUserWorkItem(static state => FreeBlocks(state.Slots, state.Used), (Slots: old, Used: used), preferLocal: false);
    }

    /// <summary>Frees every block; the table is empty and refuses new records after.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        FreeBlocks(_slots, _used);
        _slots = new Slot[1];
        _buckets = new int[1];
        _used = 0;
        _free = 0;
        _count = 0;
        Bytes = 0;
        GC.SuppressFinalize(this);
    }

    ~HotRecordTable() => FreeBlocks(_slots, _used);

    private static void FreeBlocks(Slot[] slots, int used)
    {
        for (int i = 0; i < used; i++)
            if (slots[i].Block != null)
                NativeMemory.Free(slots[i].Block);
    }

    /// <summary>Doubles the slots and the buckets; every slot is live (the free chain is empty).</summary>
    private void Grow()
    {
        Array.Resize(ref _slots, _slots.Length * 2);
        _buckets = new int[_slots.Length];
        int mask = _buckets.Length - 1;
        for (int slot = 0; slot < _used; slot++)
        {
            ref int bucket = ref _buckets[_slots[slot].Hash & mask];
            _slots[slot].Next = bucket;
            bucket = slot + 1;
        }
    }

    /// <summary>A record: its block (key, then value room) and the flags its owner keeps.</summary>
    public struct Slot
    {
        internal byte* Block; // null while the slot is free
        internal int Hash;
        internal int Next; // the next slot in the bucket, or in the free chain, plus one; 0 ends either
        public int KeyLength;
        /// <summary>The value's length; -1 when the key is known to be absent.</summary>
        public int Length;
        /// <summary>Value bytes the block has room for.</summary>
        public int Capacity;
        public bool Dirty;
        /// <summary>In the RocksDB write in flight (an apply or a direct write): not in RocksDB for sure until it returns.</summary>
        public bool InFlight;
        /// <summary>Read at least once: a record only ever written is not kept once applied.</summary>
        public bool Read;
        /// <summary>Read since the clock hand last passed it.</summary>
        public bool Referenced;

        public readonly bool Live => Block != null;

        public readonly bool Absent => Length < 0;

        public readonly ReadOnlySpan<byte> Key => new(Block, KeyLength);

        /// <summary>The value; empty when absent.</summary>
        public readonly ReadOnlySpan<byte> Value => new(Block + KeyLength, Math.Max(Length, 0));

        /// <summary>The key's bytes, for a native call.</summary>
        internal readonly byte* KeyPointer => Block;

        /// <summary>The value's bytes, for a native call.</summary>
        internal readonly byte* ValuePointer => Block + KeyLength;
    }
}
