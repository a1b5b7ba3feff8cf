using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// A RocksDB write batch. Operations are recorded in a managed buffer, so the engine can either
/// hold them as pending writes of a <see cref="GroupCommit"/> scope (<see cref="RocksDbPendingWrites"/>)
/// or copy them into a native batch and write it at once (<see cref="ToNative"/>).
/// </summary>
internal sealed unsafe class RocksDbWriteBatch(RocksDbEngine owner) : IWriteBatch
{
    private readonly List<Operation> _operations = [];
    private readonly WriteBatch _native = new();
    private byte[] _bytes = new byte[256];
    private int _used;

    public RocksDbEngine Owner { get; } = owner;

    public int Count => _operations.Count;

    /// <summary>True when the batch holds a DeleteRange, which only RocksDB itself can apply in order.</summary>
    public bool HasRange { get; private set; }

    public IReadOnlyList<Operation> Operations => _operations;

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        => _operations.Add(new Operation(BatchOperationKind.Put, Append(key), key.Length, Append(value), value.Length));

    public void Delete(ReadOnlySpan<byte> key)
        => _operations.Add(new Operation(BatchOperationKind.Delete, Append(key), key.Length, 0, 0));

    /// <summary>Deletes [start, end); an empty or inverted range deletes nothing (RocksDB would reject it).</summary>
    public void DeleteRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        _operations.Add(new Operation(BatchOperationKind.DeleteRange, Append(start), start.Length, Append(end), end.Length));
        HasRange = true;
    }

    public ReadOnlySpan<byte> KeyOf(in Operation operation) => _bytes.AsSpan(operation.KeyStart, operation.KeyLength);

    public ReadOnlySpan<byte> ValueOf(in Operation operation) => _bytes.AsSpan(operation.ValueStart, operation.ValueLength);

    /// <summary>The operations copied, in order, into this batch's native batch; valid until the next call or Clear.</summary>
    public nint ToNative()
    {
        _native.Clear();
        nint handle = _native.Handle;
        fixed (byte* bytes = _bytes)
        {
            foreach (var op in _operations)
            {
                byte* key = bytes + op.KeyStart;
                byte* value = bytes + op.ValueStart;
                switch (op.Kind)
                {
                    case BatchOperationKind.Put:
                        Native.Instance.rocksdb_writebatch_put(handle, key, (nuint)op.KeyLength, value, (nuint)op.ValueLength);
                        break;
                    case BatchOperationKind.Delete:
                        Native.Instance.rocksdb_writebatch_delete(handle, key, (nuint)op.KeyLength);
                        break;
                    default:
                        if (KeyOf(op).SequenceCompareTo(ValueOf(op)) < 0)
                            Native.Instance.rocksdb_writebatch_delete_range(handle, key, (nuint)op.KeyLength, value, (nuint)op.ValueLength);
                        break;
                }
            }
        }

        return handle;
    }

    public void Clear()
    {
        _operations.Clear();
        _used = 0;
        HasRange = false;
        // A huge batch (a migration's raw copy) must not pin its buffer for the life of the batch.
        if (_bytes.Length > 1 << 20)
            _bytes = new byte[256];
    }

    public void Dispose()
    {
        _operations.Clear();
        _native.Dispose();
    }

    private int Append(ReadOnlySpan<byte> bytes)
    {
        int start = _used;
        if (_bytes.Length - _used < bytes.Length)
            Array.Resize(ref _bytes, Math.Max(checked(_used + bytes.Length), _bytes.Length * 2));
        bytes.CopyTo(_bytes.AsSpan(_used));
        _used += bytes.Length;
        return start;
    }

    /// <summary>One recorded operation; for DeleteRange the key is the start and the value the end.</summary>
    internal readonly record struct Operation(BatchOperationKind Kind, int KeyStart, int KeyLength, int ValueStart, int ValueLength);
}
