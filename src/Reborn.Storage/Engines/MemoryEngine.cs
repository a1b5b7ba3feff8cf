using System.Collections.Immutable;

namespace Reborn.Storage.Engines;

/// <summary>
/// The in-memory engine: ordered, not durable, for tests and caches. The whole map is one
/// immutable ordered set; a writer builds the next version under a lock and publishes it with one
/// reference store, so readers never lock, never see half a batch, and a snapshot is the current
/// reference (O(1)). Each write allocates O(log n) tree nodes per operation.
/// </summary>
public sealed class MemoryEngine : IStorageEngine
{
    private readonly Lock _writeLock = new();
    private ImmutableSortedSet<IndexEntry> _entries = IndexEntryComparer.EmptySet;
    private long _totalBytes;

    public MemoryEngine(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Kind != EngineKind.Memory)
            throw new ArgumentException($"Options are for a {options.Kind} engine", nameof(options));
        Durability = options.Durability;
    }

    public EngineKind Kind => EngineKind.Memory;

    public string? Path => null;

    /// <summary>As configured; the memory engine keeps nothing across a restart whatever it says.</summary>
    public Durability Durability { get; }

    public IWriteBatch CreateBatch() => new RecordedBatch(this);

    public long WriteCount => Volatile.Read(ref _writeCount);

    private long _writeCount;

    public void Write(IWriteBatch batch)
    {
        var recorded = RecordedBatch.Of(batch, this);
        lock (_writeLock)
        {
            Interlocked.Increment(ref _writeCount);
            var set = _entries;
            var bytes = _totalBytes;
            foreach (var op in recorded.Operations)
            {
                switch (op.Kind)
                {
                    case BatchOperationKind.Put:
                        set = SortedIndex.Upsert(set, new IndexEntry(op.Key, op.Value, op.Value!.Length), out var previous);
                        bytes += op.Key.Length + op.Value.Length - (previous?.Size ?? 0);
                        break;
                    case BatchOperationKind.Delete:
                        var existing = SortedIndex.Find(set, op.Key);
                        if (existing is not null)
                        {
                            set = set.Remove(existing);
                            bytes -= existing.Size;
                        }

                        break;
                    case BatchOperationKind.DeleteRange:
                        set = DeleteRange(set, op.Key, op.Value!, ref bytes);
                        break;
                }
            }

            _totalBytes = bytes;
            Volatile.Write(ref _entries, set);
        }
    }

    public IStorageSnapshot CreateSnapshot() => new Snapshot(Volatile.Read(ref _entries));

    public byte[]? Get(ReadOnlySpan<byte> key) => SortedIndex.Find(Volatile.Read(ref _entries), key)?.Value!.ToArray();

    public bool TryRead<TState, TResult>(ReadOnlySpan<byte> key, TState state, ValueReader<TState, TResult> reader, out TResult result)
        where TState : allows ref struct
        => Read(Volatile.Read(ref _entries), key, state, reader, out result);

    public IStorageIterator CreateIterator(ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound)
        => new Iterator(Volatile.Read(ref _entries), lowerBound, upperBound);

    /// <summary>Keys in range times the average entry size: O(log n), exact when sizes are uniform.</summary>
    public long ApproximateSize(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        ImmutableSortedSet<IndexEntry> set;
        long total;
        lock (_writeLock)
        {
            set = _entries;
            total = _totalBytes;
        }

        if (set.Count == 0 || end.IsEmpty || start.SequenceCompareTo(end) >= 0)
            return 0;
        var (from, to) = SortedIndex.Range(set, start, end);
        return total * (to - from) / set.Count;
    }

    /// <summary>Nothing to make durable.</summary>
    public void Flush()
    {
    }

    public void Dispose()
    {
        Volatile.Write(ref _entries, IndexEntryComparer.EmptySet);
    }

    private static ImmutableSortedSet<IndexEntry> DeleteRange(ImmutableSortedSet<IndexEntry> set, byte[] start, byte[] end, ref long bytes)
    {
        if (start.AsSpan().SequenceCompareTo(end) >= 0)
            return set;
        var (from, to) = SortedIndex.Range(set, start, end);
        if (from == to)
            return set;
        var builder = set.ToBuilder();
        for (var i = from; i < to; i++)
        {
            var entry = set[i];
            builder.Remove(entry);
            bytes -= entry.Size;
        }

        return builder.ToImmutable();
    }

    private static bool Read<TState, TResult>(ImmutableSortedSet<IndexEntry> set, ReadOnlySpan<byte> key, TState state, ValueReader<TState, TResult> reader, out TResult result)
        where TState : allows ref struct
    {
        var entry = SortedIndex.Find(set, key);
        if (entry is null)
        {
            result = default!;
            return false;
        }

        result = reader(entry.Value, state);
        return true;
    }

    private sealed class Snapshot(ImmutableSortedSet<IndexEntry> entries) : IStorageSnapshot
    {
        public byte[]? Get(ReadOnlySpan<byte> key) => SortedIndex.Find(entries, key)?.Value!.ToArray();

        public bool TryRead<TState, TResult>(ReadOnlySpan<byte> key, TState state, ValueReader<TState, TResult> reader, out TResult result)
            where TState : allows ref struct
            => Read(entries, key, state, reader, out result);

        public IStorageIterator CreateIterator(ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound)
            => new Iterator(entries, lowerBound, upperBound);

        public void Dispose()
        {
        }
    }

    private sealed class Iterator(ImmutableSortedSet<IndexEntry> set, ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound)
        : SortedIndexIterator(set, lowerBound, upperBound)
    {
        protected override ReadOnlySpan<byte> ValueOf(IndexEntry entry) => entry.Value;
    }
}
