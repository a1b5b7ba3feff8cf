using System.Runtime.InteropServices;
using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// Writes made inside <see cref="GroupCommit"/> scopes, held in memory until a scope completes and
/// then applied to RocksDB as one batch: a pipelined batch of commands costs one RocksDB write, and a
/// key written many times in it (a counter, a list's metadata) is written once. Only the latest value
/// of each key is kept (null: deleted); reads look here first. Every member runs under <see cref="Gate"/>.
/// <para>
/// Invariants: an entry leaves only after the RocksDB write that contains it has returned, so a
/// reader finds a key either here or in RocksDB, never in neither; a write that bypasses the
/// pending entries (a range delete, a write outside any scope) first applies them, so writes reach
/// RocksDB in the order they were made.
/// </para>
/// </summary>
internal sealed unsafe class RocksDbPendingWrites : IDisposable
{
    /// <summary>Past this many bytes of keys and values the pending writes are applied at once, scope or not.</summary>
    private const long MaxPendingBytes = 16L << 20;

    private readonly Dictionary<byte[], byte[]?> _latest = new(ByteKeyComparer.Instance);
    private readonly Dictionary<byte[], byte[]?>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly WriteBatch _native = new();
    private long _bytes;
    private volatile bool _any;

    public RocksDbPendingWrites() => _bySpan = _latest.GetAlternateLookup<ReadOnlySpan<byte>>();

    public readonly Lock Gate = new();

    /// <summary>True while entries wait; readable without the gate (a stale false only means the read goes to RocksDB).</summary>
    public bool Any => _any;

    /// <summary>True when the pending writes grew past their bound and should be applied now.</summary>
    public bool Full => _bytes > MaxPendingBytes;

    /// <summary>Takes in a batch without range deletes.</summary>
    public void Add(RocksDbWriteBatch batch)
    {
        foreach (var op in batch.Operations)
        {
            var key = batch.KeyOf(op);
            ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_bySpan, key, out bool existed);
            if (!existed) _bytes += key.Length;
            if (op.Kind == BatchOperationKind.Delete)
            {
                slot = null;
                continue;
            }
            var value = batch.ValueOf(op);
            if (slot is not null && slot.Length == value.Length)
                value.CopyTo(slot); // values never leave the gate, so one array can be rewritten in place
            else
            {
                slot = value.ToArray();
                _bytes += value.Length;
            }
        }
        if (batch.Count > 0) _any = true;
    }

    /// <summary>
    /// The pending state of a key: true with the value when it was written, true with a null value
    /// when it was deleted, false when it is not pending (read RocksDB).
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value) => _bySpan.TryGetValue(key, out value);

    /// <summary>Writes every pending entry to RocksDB in one batch, then forgets them. On failure they stay.</summary>
    public void Apply(nint db, nint writeOptions, string path)
    {
        if (!_any) return;
        nint handle = _native.Handle;
        foreach (var (key, value) in _latest)
        {
            fixed (byte* k = key, v = value)
            {
                if (value is null) Native.Instance.rocksdb_writebatch_delete(handle, k, (nuint)key.Length);
                else Native.Instance.rocksdb_writebatch_put(handle, k, (nuint)key.Length, v, (nuint)value.Length);
            }
        }
        Native.Instance.rocksdb_write(db, writeOptions, handle, out nint error);
        _native.Clear();
        if (error != 0)
            throw RocksDbReads.Failure("Write failed", error, path);
        _latest.Clear();
        if (_latest.EnsureCapacity(0) > 4096) _latest.TrimExcess(1024); // a one-off burst must not keep a huge table
        _bytes = 0;
        _any = false;
    }

    public void Dispose() => _native.Dispose();
}
