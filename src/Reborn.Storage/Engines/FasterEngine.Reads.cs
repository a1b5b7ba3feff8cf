using System.Buffers;
using System.Collections.Immutable;

namespace Reborn.Storage.Engines;

public sealed partial class FasterEngine
{
    /// <summary>
    /// Reads a value as of <paramref name="snapshot"/> (null: now) into an array rented from the
    /// shared pool, which the caller returns. The value is copied out under the read lock, so
    /// reader callbacks run with no lock held.
    /// </summary>
    internal bool TryReadRented(FasterSnapshot? snapshot, ReadOnlySpan<byte> key, out byte[] rented, out int length)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _lock.EnterReadLock();
        try
        {
            if (snapshot is not null && snapshot.TryGetSaved(key, out var saved))
            {
                if (saved is null)
                {
                    rented = [];
                    length = 0;
                    return false;
                }

                rented = ArrayPool<byte>.Shared.Rent(saved.Length);
                saved.CopyTo(rented, 0);
                length = saved.Length;
                return true;
            }

            return _store.TryReadCopy(key, out rented, out length);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            throw new StorageException($"FASTER read failed: {e.Message}", Path, e);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    internal bool TryReadWith<TState, TResult>(FasterSnapshot? snapshot, ReadOnlySpan<byte> key, TState state, ValueReader<TState, TResult> reader, out TResult result)
        where TState : allows ref struct
    {
        if (!TryReadRented(snapshot, key, out var rented, out var length))
        {
            result = default!;
            return false;
        }

        try
        {
            result = reader(rented.AsSpan(0, length), state);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    internal void Release(FasterSnapshot snapshot)
    {
        lock (_snapshotsLock)
            _snapshots = _snapshots.Remove(snapshot);
    }

    private FasterSnapshot OpenSnapshot()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _lock.EnterReadLock();
        try
        {
            // Under the read lock no batch is in flight: the index and the registration agree.
            var snapshot = new FasterSnapshot(this, _index);
            lock (_snapshotsLock)
                _snapshots = _snapshots.Add(snapshot);
            return snapshot;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Saves the current value of <paramref name="key"/> into every live snapshot that has not saved it. Write lock held.</summary>
    private void SaveForSnapshots(ImmutableArray<FasterSnapshot> snapshots, ImmutableSortedSet<IndexEntry> index, byte[] key)
    {
        byte[]? prior = null;
        var loaded = false;
        foreach (var snapshot in snapshots)
        {
            if (snapshot.HasSaved(key))
                continue;
            if (!loaded)
            {
                prior = SortedIndex.Find(index, key) is null ? null : ReadExisting(key);
                loaded = true;
            }

            snapshot.Save(key, prior);
        }
    }

    private byte[] ReadExisting(ReadOnlySpan<byte> key)
    {
        if (!_store.TryReadCopy(key, out var rented, out var length))
            throw new InvalidOperationException("The key index holds a key FASTER does not have");
        var value = rented.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(rented);
        return value;
    }
}
