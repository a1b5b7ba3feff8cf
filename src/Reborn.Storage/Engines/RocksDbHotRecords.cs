using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// The RocksDB engine's hot records (QDB's hot tier): the latest value (or absence) of keys recently
/// read (and written since), so a point read of a hot key costs a hash lookup instead of a RocksDB
/// read. They live in native memory (<see cref="HotRecordTable"/>), out of the garbage collector's way.
/// A record written inside a <see cref="GroupCommit"/> scope is dirty: it is not in RocksDB yet, and
/// reaches it with every other dirty record in one batch when a scope completes (<see cref="BeginApply"/>):
/// a pipelined batch of commands costs one RocksDB write, and a key written many times in it is
/// written once. Clean records are a cache of keys that were read, bounded by bytes: past the budget,
/// a clock hand walks their slots in a circle, a bounded step at a time; a record read since the hand
/// last passed gets a second chance, the others go (CLOCK). A record only ever written leaves once it is applied.
/// Every member runs under <see cref="Gate"/>, which is never held while RocksDB writes: the engine
/// writes one batch at a time under its own write gate, and readers only wait for bookkeeping.
/// <para>
/// Invariants: a record here is never older than RocksDB's value of its key. A dirty record stays,
/// in flight while the RocksDB write that contains it runs, until that write has returned, so a
/// reader finds a key either here or in RocksDB, never in neither. A write that bypasses the dirty
/// records (a range delete, a write outside any scope) first applies them, so writes reach RocksDB
/// in the order they were made; unless it is wide, every key of it takes its value here before
/// RocksDB writes it, in flight too, so readers see all of it or none, and no reader finds its value
/// in RocksDB while a later one finds the old value here (<see cref="BeginDirect"/>). A value read
/// from RocksDB outside the gate is remembered only if no direct write is in flight, none returned
/// and no record was dropped meanwhile (<see cref="Generation"/>), and no newer record arrived.
/// </para>
/// </summary>
internal sealed unsafe class RocksDbHotRecords : IDisposable
{
    /// <summary>Past this many bytes of dirty records they are applied at once, scope or not.</summary>
    private const long MaxDirtyBytes = 16L << 20;

    /// <summary>A direct write of more operations than this drops the clean records instead of updating them.</summary>
    private const int MaxAppliedToFollow = 64;

    /// <summary>The most slots one eviction step looks at: it holds the gate, so it must stay short.</summary>
    private const int EvictionStep = 2048;

    private readonly HotRecordTable _records = new();
    private List<int> _dirty = []; // slots
    private List<int> _applying = []; // the slots in flight: an apply's (BeginApply to EndApply) or a direct write's
    private int _hand; // the clock hand: the next slot an eviction step looks at
    private readonly WriteBatch _native = new();
    private readonly long _budgetBytes;
    private long _dirtyBytes;
    private int _directWrites; // direct writes in flight: nothing read from RocksDB is remembered meanwhile
    private volatile bool _anyDirty;
    private volatile bool _anyApplying;

    public RocksDbHotRecords(long budgetBytes) => _budgetBytes = budgetBytes;

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
    /// The record of a key: true with <paramref name="exists"/> and the value when it is known (false
    /// when the key is known to be absent), false when it is not here (read RocksDB). The value is
    /// valid only while the gate is held: it lives in the records' native memory.
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value, out bool exists)
    {
        int slot = _records.Find(key);
        if (slot < 0)
        {
            value = default;
            exists = false;
            return false;
        }

        ref var record = ref _records[slot];
        record.Read = true;
        record.Referenced = true;
        exists = !record.Absent;
        value = record.Value;
        return true;
    }

    /// <summary>Takes in a non-empty batch without range deletes as dirty records.</summary>
    public void AddDirty(RocksDbWriteBatch batch)
    {
        foreach (var op in batch.Operations)
        {
            int slot = Take(batch, op, overDirty: true);
            ref var record = ref _records[slot];
            if (!record.Dirty)
            {
                record.Dirty = true;
                _dirty.Add(slot);
                _dirtyBytes += record.KeyLength;
            }

            _dirtyBytes += record.Value.Length;
        }

        _anyDirty = true;
    }

    /// <summary>
    /// A direct write (outside any scope, or with a range delete; no apply is in flight then) runs
    /// without the gate held, between <see cref="BeginDirect"/> and <see cref="EndDirect"/>. Readers
    /// must see all of it or none of it, and never its value in RocksDB and then an older one here.
    /// So every key of it takes its new value here first, in flight as an apply's records are (a
    /// record made for it leaves at the end unless someone read it; a dirty one stays as it is: made
    /// after the dirty records were applied, it is the newer write), and nothing read from RocksDB is
    /// remembered until it returned (a value read before it landed could be older than one another
    /// reader already returned). Updating only the keys already here let a reader find one key's new
    /// value here and then another key's old value in RocksDB, half the batch. A wide write (a range
    /// delete, or more operations than <see cref="MaxAppliedToFollow"/>: a migration's copy) drops every
    /// clean record before and after it instead, and its readers read RocksDB, which applies a batch
    /// atomically.
    /// </summary>
    public void BeginDirect(RocksDbWriteBatch batch)
    {
        if (IsWide(batch))
        {
            BeginWide();
            return;
        }

        _directWrites++;
        foreach (var op in batch.Operations)
        {
            int slot = Take(batch, op, overDirty: false);
            if (slot < 0)
                continue;
            ref var record = ref _records[slot];
            if (!record.InFlight)
            {
                record.InFlight = true;
                _applying.Add(slot);
            }
        }

        _anyApplying = _applying.Count > 0;
    }

    /// <summary>
    /// The slot of the operation's key, holding its value (absent, for a delete) and made when
    /// missing; -1, with the record left as it is, when the record is dirty and not
    /// <paramref name="overDirty"/>.
    /// </summary>
    private int Take(RocksDbWriteBatch batch, in RocksDbWriteBatch.Operation op, bool overDirty)
    {
        var key = batch.KeyOf(op);
        int hash = HotRecordTable.HashOf(key);
        int slot = _records.Find(key, hash);
        bool delete = op.Kind == BatchOperationKind.Delete;
        if (slot < 0)
            return delete ? _records.Add(key, hash) : _records.Add(key, hash, batch.ValueOf(op));
        if (_records[slot].Dirty && !overDirty)
            return -1;
        if (delete)
            _records.SetAbsent(slot);
        else
            _records.SetValue(slot, batch.ValueOf(op));
        return slot;
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
        if (generation != Generation || _directWrites > 0 || value?.Length > HotRecordTable.MaxCachedValueLength)
            return;
        int hash = HotRecordTable.HashOf(key);
        if (_records.Find(key, hash) >= 0)
            return;
        if (_records.Bytes > _budgetBytes)
            Evict();
        int slot = value is null ? _records.Add(key, hash) : _records.Add(key, hash, value);
        _records[slot].Read = true;
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
        foreach (int slot in _dirty)
        {
            ref var dirty = ref _records[slot];
            if (dirty.Absent)
                Native.Instance.rocksdb_writebatch_delete(handle, dirty.KeyPointer, (nuint)dirty.KeyLength);
            else
                Native.Instance.rocksdb_writebatch_put(handle, dirty.KeyPointer, (nuint)dirty.KeyLength, dirty.ValuePointer, (nuint)dirty.Length);
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
        foreach (int slot in _applying)
        {
            ref var record = ref _records[slot]; // in flight, so never removed
            record.InFlight = false;
            if (record.Dirty)
                continue;
            if (!written && !direct)
            {
                record.Dirty = true;
                _dirty.Add(slot);
                _dirtyBytes += record.KeyLength + record.Value.Length;
                _anyDirty = true;
            }
            // Only records someone reads stay: a record only ever written (a list's new element) is not hot.
            else if (!written || !record.Read || record.Length > HotRecordTable.MaxCachedValueLength)
            {
                _records.Remove(slot);
                dropped = true;
            }
        }

        if (dropped)
            Generation++;
        _applying.Clear();
        _anyApplying = false;
        if (_records.Bytes > _budgetBytes)
            Evict();
    }

    /// <summary>Frees the records' memory: the engine disposes this after its last read and write.</summary>
    public void Dispose()
    {
        lock (Gate)
            _records.Dispose();
        _native.Dispose();
    }

    /// <summary>
    /// One step of the clock hand, when the records outgrow the budget: walking the slots in a circle, a
    /// record read since the hand last passed loses its mark, a dirty one or one in flight stays, the
    /// others go, until the records are a sixteenth under the budget or the step has looked at
    /// <see cref="EvictionStep"/> slots. Records made after an eviction take the slots it freed, just
    /// behind the hand: the newest are the last it reaches. Far over the budget with every record hot,
    /// every clean record goes.
    /// </summary>
    private void Evict()
    {
        long target = _budgetBytes - _budgetBytes / 16;
        bool dropped = false;
        for (int looked = 0; _records.Bytes > target && looked < EvictionStep && _records.SlotBound > 0; looked++)
        {
            if (_hand >= _records.SlotBound)
                _hand = 0;
            int slot = _hand++;
            ref var record = ref _records[slot];
            if (!record.Live)
                continue;
            if (record.Dirty || record.InFlight || record.Referenced)
            {
                record.Referenced = false;
                continue;
            }

            _records.Remove(slot);
            dropped = true;
        }

        if (dropped)
            Generation++;
        if (_records.Bytes > _budgetBytes + _budgetBytes / 4)
            DropClean();
    }

    /// <summary>Drops every clean record; the dirty ones and those in flight must stay until applied.</summary>
    private void DropClean()
    {
        if (_dirty.Count == 0 && _applying.Count == 0)
        {
            _records.Clear();
            _hand = 0;
        }
        else
        {
            for (int slot = 0; slot < _records.SlotBound; slot++)
            {
                ref var record = ref _records[slot];
                if (record.Live && !record.Dirty && !record.InFlight)
                    _records.Remove(slot);
            }
        }

        Generation++;
    }
}
