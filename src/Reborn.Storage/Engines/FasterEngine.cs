using System.Collections.Immutable;

namespace Reborn.Storage.Engines;

/// <summary>
/// The pure-managed engine: values live in FASTER's hybrid log (hot records in memory, cold ones
/// on disk); ordering comes from an in-memory index of the live keys.
///
/// What it costs in memory: besides FASTER's own budget (hash index and in-memory log, sized from
/// MemoryBudgetBytes), every live key is held in the ordered index: about 120 bytes of objects and
/// tree node plus the key bytes, per key. A billion keys do not fit; tens of millions do.
///
/// What a crash can lose: FASTER has no write-ahead log. Durability comes from fold-over
/// checkpoints taken with writes held off, so a checkpoint never holds half a batch, and the
/// files are written through. Always: every Write takes a checkpoint before it returns, so an
/// acknowledged write survives a machine crash (and costs a checkpoint each).
/// EverySecond: a timer checkpoints once a second when something changed; a crash of the process
/// or the machine loses at most the last second of writes. Never: checkpoints only on Flush()
/// and Dispose(); a crash loses everything since the last one. At Open the latest checkpoint is
/// recovered and the key index is rebuilt by scanning the log.
///
/// Concurrency: one reader-writer lock. Writes apply a batch to FASTER and the index under the
/// write lock, so readers (under the read lock) never see half a batch. Snapshots share the
/// immutable index as of their creation and keep an undo map: before a write changes a key, it
/// saves the key's prior value (or its absence) into each live snapshot that has not saved it yet,
/// so a snapshot costs memory in proportion to what changes while it lives. A live iterator is an
/// iterator on a private snapshot. Values larger than about a log page are refused.
/// </summary>
public sealed partial class FasterEngine : IStorageEngine
{
    private const string LockFileName = "LOCK";

    private readonly FasterStore _store;
    private readonly FileStream _lockFile;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Lock _checkpointLock = new();
    private readonly Lock _snapshotsLock = new();
    private readonly Timer? _checkpointTimer;
    private ImmutableSortedSet<IndexEntry> _index;
    private ImmutableArray<FasterSnapshot> _snapshots = [];
    private long _totalBytes;
    private bool _dirty;
    private int _disposed;

    private FasterEngine(string path, Durability durability, FasterStore store, FileStream lockFile, Dictionary<byte[], int> liveKeys)
    {
        Path = path;
        Durability = durability;
        _store = store;
        _lockFile = lockFile;
        _index = ImmutableSortedSet.CreateRange(IndexEntryComparer.Instance, liveKeys.Select(pair => new IndexEntry(pair.Key, null, pair.Value)));
        foreach (var entry in _index)
            _totalBytes += entry.Size;
        if (durability == Durability.EverySecond)
            _checkpointTimer = new Timer(static state => ((FasterEngine)state!).CheckpointInBackground(), this, 1000, 1000);
    }

    public EngineKind Kind => EngineKind.Faster;

    public string Path { get; }

    string? IStorageEngine.Path => Path;

    public Durability Durability { get; }

    /// <summary>The last failure of a background checkpoint, if any; the next Flush retries it.</summary>
    public Exception? BackgroundError { get; private set; }

    /// <summary>Opens or creates the engine in options.Path; every failure is a <see cref="StorageException"/>.</summary>
    public static FasterEngine Open(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = EngineDirectory.Claim(options, EngineKind.Faster, out var created);
        var lockFile = AcquireLock(path);
        FasterStore? store = null;
        try
        {
            store = new FasterStore(path, options.MemoryBudgetBytes);
            if (store.HasCheckpoint)
                store.Recover();
            else if (!created && HasLogFiles(path))
                throw new StorageException("The FASTER log has no checkpoint to recover from", path);
            else
                store.Checkpoint(); // a new store: from now on the directory always has a checkpoint
            return new FasterEngine(path, options.Durability, store, lockFile, store.ScanLiveKeys());
        }
        catch (Exception e)
        {
            store?.Dispose();
            lockFile.Dispose();
            if (e is StorageException)
                throw;
            throw new StorageException($"Cannot open the FASTER engine: {e.Message}", path, e);
        }
    }

    public IWriteBatch CreateBatch() => new RecordedBatch(this);

    public IStorageSnapshot CreateSnapshot() => OpenSnapshot();

    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        if (!TryReadRented(null, key, out var rented, out var length))
            return null;
        try
        {
            return rented.AsSpan(0, length).ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public bool TryRead<TState, TResult>(ReadOnlySpan<byte> key, TState state, ValueReader<TState, TResult> reader, out TResult result)
        where TState : allows ref struct
        => TryReadWith(null, key, state, reader, out result);

    public IStorageIterator CreateIterator(ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound)
        => new FasterIterator(OpenSnapshot(), lowerBound, upperBound, ownsSnapshot: true);

    /// <summary>Keys in range times the average entry size: O(log n), exact when sizes are uniform.</summary>
    public long ApproximateSize(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        ImmutableSortedSet<IndexEntry> index;
        long total;
        _lock.EnterReadLock();
        try
        {
            index = _index;
            total = _totalBytes;
        }
        finally
        {
            _lock.ExitReadLock();
        }

        if (index.Count == 0 || end.IsEmpty || start.SequenceCompareTo(end) >= 0)
            return 0;
        var (from, to) = SortedIndex.Range(index, start, end);
        return total * (to - from) / index.Count;
    }

    /// <summary>Takes a checkpoint when anything changed since the last one.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Checkpoint();
        BackgroundError = null;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_checkpointTimer is not null)
        {
            using var stopped = new ManualResetEvent(false);
            if (_checkpointTimer.Dispose(stopped))
                stopped.WaitOne();
        }

        try
        {
            Checkpoint();
        }
        finally
        {
            foreach (var snapshot in _snapshots)
                snapshot.Dispose();
            _store.Dispose();
            _lockFile.Dispose();
            _lock.Dispose();
        }
    }

    private static FileStream AcquireLock(string path)
    {
        try
        {
            return new FileStream(System.IO.Path.Combine(path, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StorageException("The directory is already open by another engine instance", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException("Cannot create the engine lock file", path, e);
        }
    }

    private static bool HasLogFiles(string path)
        => Directory.EnumerateFiles(path, "hlog.log*").Any(file => new FileInfo(file).Length > 0);

    private void Checkpoint()
    {
        lock (_checkpointLock)
        {
            _lock.EnterWriteLock();
            try
            {
                if (!_dirty)
                    return;
                _store.Checkpoint();
                _dirty = false;
            }
            catch (Exception e) when (e is not StorageException)
            {
                throw new StorageException($"FASTER checkpoint failed: {e.Message}", Path, e);
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
    }

    private void CheckpointInBackground()
    {
        if (Volatile.Read(ref _disposed) != 0)
            return;
        try
        {
            Checkpoint();
        }
        catch (StorageException e)
        {
            BackgroundError = e;
        }
    }
}
