using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>A RocksDB snapshot plus native read options bound to it.</summary>
internal sealed class RocksDbSnapshot : IStorageSnapshot
{
    private readonly nint _db;
    private readonly string _path;
    private nint _snapshot;
    private nint _readOptions;

    public RocksDbSnapshot(nint db, string path)
    {
        _db = db;
        _path = path;
        _snapshot = Native.Instance.rocksdb_create_snapshot(db);
        _readOptions = RocksDbReads.CreateReadOptions(_snapshot);
    }

    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        EnsureOpen();
        return RocksDbReads.Get(_db, _readOptions, key, _path);
    }

    public bool TryRead<TState, TResult>(ReadOnlySpan<byte> key, TState state, ValueReader<TState, TResult> reader, out TResult result)
        where TState : allows ref struct
    {
        EnsureOpen();
        return RocksDbReads.TryRead(_db, _readOptions, key, state, reader, _path, out result);
    }

    /// <summary>Iterators must be disposed before the snapshot.</summary>
    public IStorageIterator CreateIterator(ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound)
    {
        EnsureOpen();
        return new RocksDbIterator(_db, _snapshot, lowerBound, upperBound, _path);
    }

    public void Dispose()
    {
        if (_snapshot == 0)
            return;
        Native.Instance.rocksdb_readoptions_destroy(_readOptions);
        Native.Instance.rocksdb_release_snapshot(_db, _snapshot);
        _readOptions = 0;
        _snapshot = 0;
    }

    private void EnsureOpen() => ObjectDisposedException.ThrowIf(_snapshot == 0, this);
}
