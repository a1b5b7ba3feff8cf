using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// The RocksDB engine's hot records (QDB's hot tier): the latest value (or absence) of keys recently
/// read (and written since), so a point read of a hot key costs a dictionary lookup instead of a
/// RocksDB read.
/// A record written inside a <see cref="GroupCommit"/> scope is dirty: it is not in RocksDB yet, and
/// reaches it with every other dirty record in one batch when a scope completes (<see cref="BeginApply"/>):
/// a pipelined batch of commands costs one RocksDB write, and a key written many times in it is
/// written once. Clean records are a cache of keys that were read, bounded by bytes: past the budget,
/// a clock hand walks them oldest first, a bounded step at a time; a record read since the hand last
/// passed gets a second chance, the others go (CLOCK). A record only ever written leaves once it is applied.
/// Every member runs under <see cref="Gate"/>, which is never held while RocksDB writes: the engine
/// writes one batch at a time under its own write gate, and readers only wait for bookkeeping.
/// <para>
/// Invariants: a record here is never older than RocksDB's value of its key. A dirty record stays,
/// in flight while the RocksDB write that contains it runs, until that write has returned, so a
/// reader finds a key either here or in RocksDB, never in neither. A write that bypasses the dirty
/// records (a range delete, a write outside any scope) first applies them, so writes reach RocksDB
/// in the order they were made; the records of its keys here take its values before RocksDB writes
/// it, in flight too, so no reader finds its value in RocksDB while a later one finds the old value
/// here (<see cref="BeginDirect"/>). A value read from RocksDB outside the gate is remembered only if
/// no direct write is in flight, none returned and no record was dropped meanwhile
/// (<see cref="Generation"/>), and no newer record arrived. (An apply in flight needs no such care:
/// its keys are all here.)
/// </para>
/// </summary>
internal sealed unsafe class RocksDbHotRecords : IDisposable
{
    /// <summary>Past this many bytes of dirty records they are applied at once, scope or not.</summary>
    private const long MaxDirtyBytes = 16L << 20;

    /// <summary>Values longer than this are not kept once they are in RocksDB.</summary>
    private const int MaxCachedValueLength = 16 * 1024;

    /// <summary>A direct write of more operations than this drops the clean records instead of updating them.</summary>
    private const int MaxAppliedToFollow = 64;

    /// <summary>Bookkeeping per record on top of its key and value: the dictionary entry, the arrays' headers, the clock's slot.</summary>
    private const int RecordOverhead = 72;

    /// <summary>
    /// A record whose value changes length gets an array this much larger, rounded, and keeps it while
    /// the value stays within it: a list's chunk changes length with every push and pop.
    /// </summary>
    private const int ResizeSlack = 64;

    /// <summary>The most records one eviction step looks at: it holds the gate, so it must stay short.</summary>
    private const int EvictionStep = 2048;

    private readonly Dictionary<byte[], Record> _records = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], Record>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private List<byte[]> _dirty = [];
    private List<byte[]> _applying = []; // the records in flight: an apply's (BeginApply to EndApply) or a direct write's
    // The clock: every record's key array, oldest first. An entry whose array is no longer its
    // record's (the record left, or was made again) is stale and skipped.
    private readonly Queue<byte[]> _clock = new();
    private readonly WriteBatch _native = new();
    private readonly long _budgetBytes;
    private long _bytes;
    private long _dirtyBytes;
    private int _directWrites; // direct writes in flight: nothing read from RocksDB is remembered meanwhile
    private volatile bool _anyDirty;
    private volatile bool _anyApplying;

    public RocksDbHotRecords(long budgetBytes)
    {
        _budgetBytes = budgetBytes;
        _bySpan = _records.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public readonly Lock Gate = new();

    /// <summary>
    /// True while dirty records wait or a write is in flight, so RocksDB may lack a value a point read
    /// returned; readable without the gate (a write that made records dirty set it before it returned).
    /// </summary>
    public bool AnyUnwritten => _anyDirty || _anyApplying;

    /// <summary>True when the dirty records grew past their bound and should be applied now.</summary>
    public bool Full => _dirtyBytes > MaxDirtyBytes;

    /// <summary>Bumped whenever records are dropped: a value read from RocksDB before a drop may be stale.</summary>
    public long Generation { get; private set; }

    /// <summary>
    /// The record of a key: true with the value (the first <paramref name="length"/> bytes of the array)
    /// when it is known, true with a null array when the key is known to be absent, false when it is
    /// not here (read RocksDB). The array may be rewritten in place once the gate is released.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value, out int length)
    {
        ref var record = ref CollectionsMarshal.GetValueRefOrNullRef(_bySpan, key);
        if (Unsafe.IsNullRef(ref record))
        {
            value = null;
            length = 0;
            return false;
        }

        record.Read = true;
        record.Referenced = true;
        value = record.Value;
        length = record.Length;
        return true;
    }

    /// <summary>Takes in a non-empty batch without range deletes as dirty records.</summary>
    public void AddDirty(RocksDbWriteBatch batch)
    {
        foreach (var op in batch.Operations)
        {
            ref var record = ref Find(batch.KeyOf(op));
            if (!record.Dirty)
            {
                record.Dirty = true;
                _dirty.Add(record.Key);
                _dirtyBytes += record.Key.Length;
            }

            if (op.Kind == BatchOperationKind.Delete)
                SetAbsent(ref record);
            else
            {
                SetValue(ref record, batch.ValueOf(op));
                _dirtyBytes += record.Length;
            }
        }

        _anyDirty = true;
    }

    /// <summary>
    /// A direct write (outside any scope, or with a range delete; no apply is in flight then) runs
    /// without the gate held, between <see cref="BeginDirect"/> and <see cref="EndDirect"/>. One reader
    /// must never find its value in RocksDB while a later one finds the old value here. So the records
    /// of its keys that are here take the new values first, in flight as an apply's records are (a
    /// dirty one stays: made after the dirty records were applied, it is the newer write); its other
    /// keys are read from RocksDB, which applies a batch atomically, and nothing read from RocksDB is
    /// remembered until it returned (a value read before it landed could be older than one another
    /// reader already returned). A wide write (a range delete, or more operations than
    /// <see cref="MaxAppliedToFollow"/>: a migration's copy) drops every clean record before and after
    /// it instead.
    /// </summary>
    public void BeginDirect(RocksDbWriteBatch batch)
    {
        if (IsWide(batch))
        {
            BeginWide();
            return;
        }

        _directWrites++;
        if (_records.Count == 0)
            return;
        foreach (var op in batch.Operations)
        {
            ref var record = ref CollectionsMarshal.GetValueRefOrNullRef(_bySpan, batch.KeyOf(op));
            if (Unsafe.IsNullRef(ref record) || record.Dirty)
                continue;
            if (op.Kind == BatchOperationKind.Delete)
                SetAbsent(ref record);
            else
                SetValue(ref record, batch.ValueOf(op));
            if (!record.InFlight)
            {
                record.InFlight = true;
                _applying.Add(record.Key);
            }
        }

        _anyApplying = _applying.Count > 0;
    }

    /// <summary>After <see cref="BeginDirect"/>, once RocksDB returned (<paramref name="written"/>: it applied the batch; otherwise it applied nothing).</summary>
    public void EndDirect(RocksDbWriteBatch batch, bool written)
    {
        if (IsWide(batch))
        {
            EndWide();
            return;
        }

        _directWrites--;
        Generation++; // a value read from RocksDB before it landed must not be remembered now
        EndFlight(written, direct: true);
    }

    /// <summary>
    /// A write of keys this cannot follow (a wide batch, an ingested file) runs between this and
    /// <see cref="EndWide"/>: every clean record goes before and after it, and nothing read from RocksDB
    /// meanwhile is remembered.
    /// </summary>
    public void BeginWide()
    {
        _directWrites++;
        DropClean();
    }

    /// <summary>After <see cref="BeginWide"/>, once RocksDB returned.</summary>
    public void EndWide()
    {
        _directWrites--;
        DropClean(); // bumps the generation: a value read before the write landed is not remembered
    }

    private static bool IsWide(RocksDbWriteBatch batch) => batch.HasRange || batch.Count > MaxAppliedToFollow;

    /// <summary>Remembers a value (null: absent) read from RocksDB at <paramref name="generation"/>, if it is still the latest.</summary>
    public void Remember(ReadOnlySpan<byte> key, byte[]? value, long generation)
    {
        if (generation != Generation || _directWrites > 0 || value?.Length > MaxCachedValueLength || _bySpan.ContainsKey(key))
            return;
        if (_bytes > _budgetBytes)
            Evict();
        var stored = key.ToArray();
        value = value?.ToArray(); // the caller keeps its array; this one may be rewritten in place
        _records.Add(stored, new Record { Key = stored, Value = value, Length = value?.Length ?? 0, Read = true });
        _clock.Enqueue(stored);
        _bytes += Size(stored, value);
    }

    /// <summary>
    /// Puts every dirty record into <see cref="Applying"/>, the batch the engine then writes to RocksDB
    /// without the gate held; the records stay, in flight, until <see cref="EndApply"/>. False when
    /// none is dirty. One apply at a time (the engine's write gate).
    /// </summary>
    public bool BeginApply()
    {
        if (!_anyDirty)
            return false;
        nint handle = _native.Handle;
        foreach (var key in _dirty)
        {
            ref var dirty = ref CollectionsMarshal.GetValueRefOrNullRef(_records, key);
            var value = dirty.Value;
            fixed (byte* k = key, v = value)
            {
                if (value is null)
                    Native.Instance.rocksdb_writebatch_delete(handle, k, (nuint)key.Length);
                else
                    Native.Instance.rocksdb_writebatch_put(handle, k, (nuint)key.Length, v, (nuint)dirty.Length);
            }

            dirty.Dirty = false;
            dirty.InFlight = true;
        }

        (_applying, _dirty) = (_dirty, _applying);
        _dirtyBytes = 0;
        _anyApplying = true; // before dirty goes false: AnyUnwritten never reads false meanwhile
        _anyDirty = false;
        return true;
    }

    /// <summary>The batch of the apply in flight; only the thread holding the engine's write gate touches it.</summary>
    public nint Applying => _native.Handle;

    /// <summary>
    /// After <see cref="BeginApply"/>, once RocksDB returned. Written: the records become clean, and a
    /// record only ever written leaves. Not written (RocksDB applied nothing): they are dirty again. A
    /// record written again meanwhile is dirty already and waits for the next apply.
    /// </summary>
    public void EndApply(bool written)
    {
        _native.Clear();
        EndFlight(written, direct: false);
    }

    /// <summary>
    /// The end of an apply or a direct write: the records in flight become clean, or, when RocksDB
    /// applied nothing, dirty again (an apply's: they are writes still to make) or gone (a direct
    /// write's: its caller learns that it failed).
    /// </summary>
    private void EndFlight(bool written, bool direct)
    {
        bool dropped = false;
        foreach (var key in _applying)
        {
            ref var record = ref CollectionsMarshal.GetValueRefOrNullRef(_records, key); // in flight, so never removed
            record.InFlight = false;
            if (record.Dirty)
                continue;
            if (!written && !direct)
            {
                record.Dirty = true;
                _dirty.Add(key);
                _dirtyBytes += key.Length + record.Length;
                _anyDirty = true;
            }
            // Only records someone reads stay: a record only ever written (a list's new element) is not hot.
            else if (!written || !record.Read || record.Length > MaxCachedValueLength)
            {
                _bytes -= Size(key, record.Value);
                _records.Remove(key);
                dropped = true;
            }
        }

        if (dropped)
            Generation++;
        _applying.Clear();
        _anyApplying = false;
        if (_bytes > _budgetBytes)
            Evict();
    }

    public void Dispose() => _native.Dispose();

    /// <summary>The record of a key, created (absent, clean) when missing.</summary>
    private ref Record Find(ReadOnlySpan<byte> key)
    {
        ref var record = ref CollectionsMarshal.GetValueRefOrAddDefault(_bySpan, key, out bool existed);
        if (!existed)
        {
            _bySpan.TryGetValue(key, out var stored, out _); // the array the dictionary made for the key
            record.Key = stored!;
            _bytes += Size(record.Key, null);
            _clock.Enqueue(record.Key);
        }

        return ref record;
    }

    /// <summary>
    /// Stores a copy of the value, rewriting the record's array in place when it fits without wasting
    /// more than twice <see cref="ResizeSlack"/> (arrays never leave the gate). A record's first value gets
    /// an array of its exact length; once its length changes, arrays get room to change again.
    /// </summary>
    private void SetValue(ref Record record, ReadOnlySpan<byte> value)
    {
        int capacity = value.Length;
        if (record.Value is { } current)
        {
            if (current.Length >= value.Length && current.Length - value.Length < 2 * ResizeSlack)
            {
                value.CopyTo(current);
                record.Length = value.Length;
                return;
            }
            if (value.Length <= MaxCachedValueLength)
                capacity = (value.Length + ResizeSlack) / ResizeSlack * ResizeSlack;
        }

        var stored = new byte[capacity];
        value.CopyTo(stored);
        _bytes += stored.Length - (record.Value?.Length ?? 0);
        record.Value = stored;
        record.Length = value.Length;
    }

    private void SetAbsent(ref Record record)
    {
        _bytes -= record.Value?.Length ?? 0;
        record.Value = null;
        record.Length = 0;
    }

    /// <summary>
    /// One step of the clock hand, when the records outgrow the budget: from the oldest, a record read
    /// since the hand last passed loses its mark and goes to the back, a dirty one goes to the back, the
    /// others go, until the records are a sixteenth under the budget or the step has looked at
    /// <see cref="EvictionStep"/> records. Far over the budget with every record hot, every clean record goes.
    /// </summary>
    private void Evict()
    {
        long target = _budgetBytes - _budgetBytes / 16;
        bool dropped = false;
        for (int looked = 0; _bytes > target && looked < EvictionStep && _clock.TryDequeue(out var key); looked++)
        {
            ref var record = ref CollectionsMarshal.GetValueRefOrNullRef(_records, key);
            if (Unsafe.IsNullRef(ref record) || !ReferenceEquals(record.Key, key))
                continue;
            if (record.Dirty || record.InFlight || record.Referenced)
            {
                record.Referenced = false;
                _clock.Enqueue(key);
                continue;
            }

            _bytes -= Size(key, record.Value); // before the removal clears the slot the ref points at
            _records.Remove(key);
            dropped = true;
        }

        if (dropped)
            Generation++;
        if (_bytes > _budgetBytes + _budgetBytes / 4)
            DropClean();
        else if (_clock.Count > 2 * _records.Count + 1024)
            RebuildClock();
    }

    /// <summary>Forgets the stale entries the clock gathered (records written once and applied leave them).</summary>
    private void RebuildClock()
    {
        _clock.Clear();
        foreach (var key in _records.Keys)
            _clock.Enqueue(key);
    }

    /// <summary>Drops every clean record; the dirty ones and those in flight must stay until applied.</summary>
    private void DropClean()
    {
        if (_dirty.Count == 0 && _applying.Count == 0)
        {
            _records.Clear();
            _records.TrimExcess();
            _bytes = 0;
        }
        else
        {
            foreach (var (key, record) in _records)
            {
                if (!record.Dirty && !record.InFlight)
                {
                    _records.Remove(key);
                    _bytes -= Size(key, record.Value);
                }
            }
        }

        RebuildClock();
        Generation++;
    }

    private static long Size(byte[] key, byte[]? value) => key.Length + (value?.Length ?? 0) + RecordOverhead;

    private struct Record
    {
        public byte[] Key;
        /// <summary>The value's bytes are its first <see cref="Length"/> bytes (null: the key is absent).</summary>
        public byte[]? Value;
        public int Length;
        public bool Dirty;
        /// <summary>In the RocksDB write in flight (an apply or a direct write): not in RocksDB for sure until it returns.</summary>
        public bool InFlight;
        /// <summary>Read at least once: a record only ever written is not kept once applied.</summary>
        public bool Read;
        /// <summary>Read since the last eviction (<see cref="Evict"/>).</summary>
        public bool Referenced;
    }
}
