using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>A native RocksDB write batch; operations are copied into it as they are recorded.</summary>
internal sealed unsafe class RocksDbWriteBatch(RocksDbEngine owner) : IWriteBatch
{
    private readonly WriteBatch _batch = new();

    public RocksDbEngine Owner { get; } = owner;

    public nint Handle => _batch.Handle;

    public int Count { get; private set; }

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key, v = value)
            Native.Instance.rocksdb_writebatch_put(_batch.Handle, k, (nuint)key.Length, v, (nuint)value.Length);
        Count++;
    }

    public void Delete(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
            Native.Instance.rocksdb_writebatch_delete(_batch.Handle, k, (nuint)key.Length);
        Count++;
    }

    /// <summary>Deletes [start, end); an empty or inverted range deletes nothing (RocksDB would reject it).</summary>
    public void DeleteRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        if (start.SequenceCompareTo(end) < 0)
        {
            fixed (byte* s = start, e = end)
                Native.Instance.rocksdb_writebatch_delete_range(_batch.Handle, s, (nuint)start.Length, e, (nuint)end.Length);
        }

        Count++;
    }

    public void Clear()
    {
        _batch.Clear();
        Count = 0;
    }

    public void Dispose() => _batch.Dispose();
}
