using System.Runtime.InteropServices;
using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// A RocksDB iterator on native read options that carry the bounds. The bound bytes are copied to
/// native memory that lives exactly as long as the iterator (RocksDB keeps pointers to them).
/// Key and Value are spans over RocksDB's buffers: no allocation per step. Per-step calls go
/// through <see cref="RocksDbDirectCalls"/> when the library is found: one P/Invoke per step.
/// </summary>
internal sealed unsafe class RocksDbIterator : IStorageIterator
{
    private readonly string _path;
    private nint _iterator;
    private nint _readOptions;
    private byte* _lower;
    private readonly int _lowerLength;
    private byte* _upper;
    private readonly int _upperLength;
    private bool _valid;

    public RocksDbIterator(nint db, nint snapshot, ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound, string path)
    {
        _path = path;
        RocksDbDirectCalls.DisablePerfCounters();
        _readOptions = RocksDbReads.CreateReadOptions(snapshot);
        if (!lowerBound.IsEmpty)
        {
            _lower = Copy(lowerBound);
            _lowerLength = lowerBound.Length;
            Native.Instance.rocksdb_readoptions_set_iterate_lower_bound(_readOptions, _lower, (nuint)_lowerLength);
        }

        if (!upperBound.IsEmpty)
        {
            _upper = Copy(upperBound);
            _upperLength = upperBound.Length;
            Native.Instance.rocksdb_readoptions_set_iterate_upper_bound(_readOptions, _upper, (nuint)_upperLength);
        }

        _iterator = Native.Instance.rocksdb_create_iterator(db, _readOptions);
    }

    public bool Valid => _valid;

    public ReadOnlySpan<byte> Key
    {
        get
        {
            EnsureValid();
            nuint length;
            if (RocksDbDirectCalls.Available)
                return new ReadOnlySpan<byte>(RocksDbDirectCalls.Key(_iterator, &length), (int)length);
            var key = Native.Instance.rocksdb_iter_key(_iterator, out length);
            return new ReadOnlySpan<byte>((void*)key, (int)length);
        }
    }

    public ReadOnlySpan<byte> Value
    {
        get
        {
            EnsureValid();
            nuint length;
            if (RocksDbDirectCalls.Available)
                return new ReadOnlySpan<byte>(RocksDbDirectCalls.Value(_iterator, &length), (int)length);
            var value = Native.Instance.rocksdb_iter_value(_iterator, out length);
            return new ReadOnlySpan<byte>((void*)value, (int)length);
        }
    }

    public void Seek(ReadOnlySpan<byte> key)
    {
        EnsureOpen();
        if (_lower != null && key.SequenceCompareTo(new ReadOnlySpan<byte>(_lower, _lowerLength)) < 0)
            key = new ReadOnlySpan<byte>(_lower, _lowerLength);
        fixed (byte* k = key)
        {
            if (RocksDbDirectCalls.Available)
                RocksDbDirectCalls.Seek(_iterator, k, (nuint)key.Length);
            else
                Native.Instance.rocksdb_iter_seek(_iterator, k, (nuint)key.Length);
        }

        Refresh();
    }

    public void SeekForPrev(ReadOnlySpan<byte> key)
    {
        EnsureOpen();
        if (_upper != null && key.SequenceCompareTo(new ReadOnlySpan<byte>(_upper, _upperLength)) >= 0)
        {
            SeekToLast();
            return;
        }

        if (_lower != null && key.SequenceCompareTo(new ReadOnlySpan<byte>(_lower, _lowerLength)) < 0)
        {
            _valid = false;
            return;
        }

        fixed (byte* k = key)
        {
            if (RocksDbDirectCalls.Available)
                RocksDbDirectCalls.SeekForPrev(_iterator, k, (nuint)key.Length);
            else
                Native.Instance.rocksdb_iter_seek_for_prev(_iterator, k, (nuint)key.Length);
        }

        Refresh();
    }

    public void SeekToFirst()
    {
        EnsureOpen();
        if (RocksDbDirectCalls.Available)
            RocksDbDirectCalls.SeekToFirst(_iterator);
        else
            Native.Instance.rocksdb_iter_seek_to_first(_iterator);
        Refresh();
    }

    public void SeekToLast()
    {
        EnsureOpen();
        if (RocksDbDirectCalls.Available)
            RocksDbDirectCalls.SeekToLast(_iterator);
        else
            Native.Instance.rocksdb_iter_seek_to_last(_iterator);
        Refresh();
    }

    public void Next()
    {
        EnsureValid();
        if (RocksDbDirectCalls.Available)
            RocksDbDirectCalls.Next(_iterator);
        else
            Native.Instance.rocksdb_iter_next(_iterator);
        Refresh();
    }

    public void Prev()
    {
        EnsureValid();
        if (RocksDbDirectCalls.Available)
            RocksDbDirectCalls.Prev(_iterator);
        else
            Native.Instance.rocksdb_iter_prev(_iterator);
        Refresh();
    }

    public void Dispose()
    {
        _valid = false;
        if (_iterator != 0)
        {
            Native.Instance.rocksdb_iter_destroy(_iterator);
            _iterator = 0;
        }

        // The read options point at the bounds: free them only after the iterator is gone.
        if (_readOptions != 0)
        {
            Native.Instance.rocksdb_readoptions_destroy(_readOptions);
            _readOptions = 0;
        }

        NativeMemory.Free(_lower);
        _lower = null;
        NativeMemory.Free(_upper);
        _upper = null;
    }

    private static byte* Copy(ReadOnlySpan<byte> bytes)
    {
        var copy = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(copy, bytes.Length));
        return copy;
    }

    private void Refresh()
    {
        _valid = (RocksDbDirectCalls.Available ? RocksDbDirectCalls.Valid(_iterator) : Native.Instance.rocksdb_iter_valid(_iterator)) != 0;
        if (!_valid)
        {
            Native.Instance.rocksdb_iter_get_error(_iterator, out nint error);
            if (error != 0)
                throw RocksDbReads.Failure("Iteration failed", error, _path);
        }
    }

    private void EnsureOpen() => ObjectDisposedException.ThrowIf(_iterator == 0, this);

    private void EnsureValid()
    {
        EnsureOpen();
        if (!_valid)
            throw new InvalidOperationException("The iterator is not positioned on a key");
    }
}
