using System.Collections.Immutable;

namespace Reborn.Storage.Engines;

public sealed partial class FasterEngine
{
    public long WriteCount => Volatile.Read(ref _writeCount);

    private long _writeCount;

    public void Write(IWriteBatch batch)
    {
        var recorded = RecordedBatch.Of(batch, this);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (var op in recorded.Operations)
        {
            if (op.Kind == BatchOperationKind.Put && (long)op.Key.Length + op.Value!.Length > _store.MaxRecordBytes)
                throw new StorageException($"A record of {op.Key.Length + op.Value.Length} bytes exceeds the FASTER page limit of {_store.MaxRecordBytes}", Path);
        }

        _lock.EnterWriteLock();
        Interlocked.Increment(ref _writeCount);
        var index = _index;
        var bytes = _totalBytes;
        try
        {
            var snapshots = _snapshots;
            foreach (var op in recorded.Operations)
            {
                switch (op.Kind)
                {
                    case BatchOperationKind.Put:
                        SaveForSnapshots(snapshots, index, op.Key);
                        _store.Upsert(op.Key, op.Value);
                        index = SortedIndex.Upsert(index, new IndexEntry(op.Key, null, op.Value!.Length), out var previous);
                        bytes += op.Key.Length + op.Value.Length - (previous?.Size ?? 0);
                        break;
                    case BatchOperationKind.Delete:
                        var existing = SortedIndex.Find(index, op.Key);
                        if (existing is null)
                            break;
                        SaveForSnapshots(snapshots, index, op.Key);
                        _store.Delete(op.Key);
                        index = index.Remove(existing);
                        bytes -= existing.Size;
                        break;
                    case BatchOperationKind.DeleteRange:
                        index = DeleteRange(snapshots, index, op.Key, op.Value!, ref bytes);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // FASTER failed part way: the index still matches what FASTER holds.
            throw new StorageException($"FASTER write failed part way through a batch: {e.Message}", Path, e);
        }
        finally
        {
            _index = index;
            _totalBytes = bytes;
            _dirty = true;
            _lock.ExitWriteLock();
        }

        if (Durability == Durability.Always)
            Checkpoint();
    }

    private ImmutableSortedSet<IndexEntry> DeleteRange(
        ImmutableArray<FasterSnapshot> snapshots, ImmutableSortedSet<IndexEntry> index, byte[] start, byte[] end, ref long bytes)
    {
        if (start.AsSpan().SequenceCompareTo(end) >= 0)
            return index;
        var (from, to) = SortedIndex.Range(index, start, end);
        if (from == to)
            return index;
        var builder = index.ToBuilder();
        for (var i = from; i < to; i++)
        {
            var entry = index[i];
            var key = entry.Key.ToArray();
            SaveForSnapshots(snapshots, index, key);
            _store.Delete(key);
            builder.Remove(entry);
            bytes -= entry.Size;
        }

        return builder.ToImmutable();
    }
}
