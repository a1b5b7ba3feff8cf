using System.Buffers;
using System.Collections.Immutable;

namespace Reborn.Storage.Engines;

/// <summary>
/// A FASTER engine snapshot: the key index as of its creation plus the prior values of every key
/// written since (null: the key was absent). A read checks the saved values first, then FASTER.
/// The saved map is written under the engine's write lock and read under its read lock.
/// </summary>
internal sealed class FasterSnapshot : IStorageSnapshot
{
    private readonly FasterEngine _engine;
    private readonly Dictionary<byte[], byte[]?> _saved = new(ByteKeyComparer.Instance);
    private int _disposed;

    public FasterSnapshot(FasterEngine engine, ImmutableSortedSet<IndexEntry> index)
    {
        _engine = engine;
        Index = index;
    }

    public ImmutableSortedSet<IndexEntry> Index { get; }

    public bool HasSaved(byte[] key) => _saved.ContainsKey(key);

    public void Save(byte[] key, byte[]? prior) => _saved[key] = prior;

    public bool TryGetSaved(ReadOnlySpan<byte> key, out byte[]? prior)
        => _saved.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out prior);

    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        EnsureOpen();
        if (!_engine.TryReadRented(this, key, out var rented, out var length))
            return null;
        var value = rented.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(rented);
        return value;
    }

    public bool TryRead<TState, TResult>(ReadOnlySpan<byte> key, TState state, ValueReader<TState, TResult> reader, out TResult result)
        where TState : allows ref struct
    {
        EnsureOpen();
        return _engine.TryReadWith(this, key, state, reader, out result);
    }

    public IStorageIterator CreateIterator(ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound)
    {
        EnsureOpen();
        return new FasterIterator(this, lowerBound, upperBound, ownsSnapshot: false);
    }

    /// <summary>Reads a value of this snapshot into a rented array (see FasterEngine.TryReadRented).</summary>
    public bool TryReadRented(ReadOnlySpan<byte> key, out byte[] rented, out int length)
    {
        EnsureOpen();
        return _engine.TryReadRented(this, key, out rented, out length);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _engine.Release(this);
    }

    private void EnsureOpen() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}

/// <summary>An iterator over a FASTER snapshot's index; values are read as the cursor lands on them.</summary>
internal sealed class FasterIterator(FasterSnapshot snapshot, ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound, bool ownsSnapshot)
    : SortedIndexIterator(snapshot.Index, lowerBound, upperBound)
{
    private byte[]? _value;
    private int _valueLength;

    public override void Dispose()
    {
        base.Dispose();
        ReturnValue();
        if (ownsSnapshot)
            snapshot.Dispose();
    }

    protected override ReadOnlySpan<byte> ValueOf(IndexEntry entry)
    {
        if (_value is null)
        {
            if (!snapshot.TryReadRented(entry.Key, out var rented, out _valueLength))
                throw new InvalidOperationException("A key of the snapshot index has no value");
            _value = rented;
        }

        return _value.AsSpan(0, _valueLength);
    }

    protected override void OnMoved() => ReturnValue();

    private void ReturnValue()
    {
        if (_value is null)
            return;
        ArrayPool<byte>.Shared.Return(_value);
        _value = null;
    }
}
