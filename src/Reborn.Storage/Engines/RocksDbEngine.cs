using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// The production engine: RocksDB through RocksDbSharp, with the hot paths on the C API directly
/// (pinned point reads, native iterators with span keys and values, native batches).
/// Durability: Always syncs the WAL on every write; EverySecond writes the WAL without sync and a
/// timer syncs it once a second; Never writes the WAL without sync and never syncs it. The WAL is
/// always on, so an acknowledged write survives a process crash in every mode. <see cref="Flush"/>
/// syncs the WAL, which is all durability needs; memtables reach SST files in the background.
/// Except with Always, WAL records are buffered in process and written to the OS before Write
/// returns. Point reads look among the hot records first (<see cref="RocksDbHotRecords"/>: recently
/// written or read values, within a share of the memory budget). Inside a <see cref="GroupCommit"/>
/// scope a write waits there as a dirty record until a scope completes, and then reaches RocksDB and
/// the OS in one batch with the rest. RocksDB writes one batch at a time under the write gate, in the
/// order writes were made, and never under the hot records' gate: a point read waits for no write.
/// </summary>
public sealed unsafe class RocksDbEngine : IStorageEngine
{
    private readonly RocksDb _db;
    private readonly nint _dbHandle;
    private readonly nint _defaultFamily;
    private readonly nint _readOptions;
    private readonly WriteOptions _writeOptions;
    private readonly nint _ingestOptions; // a bulk load's files are moved in, not copied
    private readonly RocksDbTuning _tuning;
    private readonly Timer? _walTimer;
    private readonly Lock _lifecycle = new();
    private readonly bool _bufferedWal;
    private bool _disposed;
    private int _closing;
    private readonly RocksDbHotRecords _hot;
    private readonly Lock _writeGate = new(); // one RocksDB write at a time: dirty records before the direct write after them
    private int _groupCommits; // GroupCommit.Complete calls inside CompleteGroup; Dispose waits for them
    private long _walAppended; // RocksDB writes made so far, counted just before each
    private long _walWritten; // of those, how many the WAL writes to the OS so far covered

    private RocksDbEngine(RocksDb db, string path, Durability durability, RocksDbTuning tuning)
    {
        _db = db;
        _dbHandle = db.Handle;
        _defaultFamily = Native.Instance.rocksdb_get_default_column_family_handle(_dbHandle);
        _tuning = tuning;
        _hot = new RocksDbHotRecords(tuning.HotRecordBytes);
        Path = path;
        Durability = durability;
        _readOptions = RocksDbReads.CreateReadOptions(0);
        _writeOptions = new WriteOptions().SetSync(durability == Durability.Always);
        _ingestOptions = Native.Instance.rocksdb_ingestexternalfileoptions_create();
        Native.Instance.rocksdb_ingestexternalfileoptions_set_move_files(_ingestOptions, 1);
        Native.Instance.rocksdb_ingestexternalfileoptions_set_allow_blocking_flush(_ingestOptions, 0); // see Ingest
        if (durability == Durability.EverySecond)
            _walTimer = new Timer(static state => ((RocksDbEngine)state!).SyncWalInBackground(), this, 1000, 1000);
        _bufferedWal = durability != Durability.Always;
        GroupCommit.Register(this);
    }

    public EngineKind Kind => EngineKind.RocksDb;

    public string Path { get; }

    public Durability Durability { get; }

    /// <summary>Opens or creates the engine in options.Path; every failure is a <see cref="StorageException"/>.</summary>
    public static RocksDbEngine Open(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = EngineDirectory.Claim(options, EngineKind.RocksDb, out var created);
        RocksDbBulkLoad.RemoveLeftovers(path);
        var tuning = new RocksDbTuning(options.MemoryBudgetBytes, createIfMissing: created, bufferWal: options.Durability != Durability.Always);
        try
        {
            var engine = new RocksDbEngine(RocksDb.Open(tuning.Options, path), path, options.Durability, tuning);
            // Flushes and compactions (the process-wide pools, named rocksdb:low and rocksdb:high) run at
            // nice 19: a migration's copy makes seconds of them, and at normal priority they took the
            // cores from commands, one holding its group's gate.
            BackgroundPriority.LowerThreadsNamed("rocksdb:");
            return engine;
        }
        catch (RocksDbSharpException e)
        {
            throw new StorageException($"Cannot open the RocksDB engine: {e.Message}", path, e);
        }
    }

    string? IStorageEngine.Path => Path;

    public IWriteBatch CreateBatch() => new RocksDbWriteBatch(this);

    public long WriteCount => Volatile.Read(ref _writeCount);

    private long _writeCount;

    public void Write(IWriteBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch is not RocksDbWriteBatch recorded || recorded.Owner != this)
            throw new ArgumentException("The batch was not created by this engine", nameof(batch));
        if (recorded.Count == 0)
            return;
        if (GroupCommit.Deferring && !recorded.HasRange)
        {
            bool full;
            lock (_hot.Gate)
            {
                Volatile.Write(ref _writeCount, _writeCount + 1); // under the gate, before anything changes
                _hot.AddDirty(recorded);
                full = _hot.Full;
            }

            if (full)
                ApplyPending();
            return;
        }

        lock (_writeGate)
        {
            // Writes reach RocksDB in the order they were made: the dirty records go first.
            ApplyDirty();
            lock (_hot.Gate)
            {
                Volatile.Write(ref _writeCount, _writeCount + 1);
                _hot.BeginDirect(recorded);
            }

            bool written = false;
            try
            {
                Interlocked.Increment(ref _walAppended);
                WriteNative(recorded);
                written = true;
            }
            finally
            {
                lock (_hot.Gate)
                    _hot.EndDirect(recorded, written);
            }
        }

        if (_bufferedWal)
            WriteWalBuffer();
    }

    /// <summary>
    /// A bulk load into a range no other write touches (<see cref="IBulkLoad"/>): SST files built in
    /// process and ingested (<see cref="RocksDbBulkLoad"/>).
    /// </summary>
    public IBulkLoad CreateBulkLoad() => CreateBulkLoad(RocksDbBulkLoad.FileBytes);

    /// <summary>A bulk load whose files are committed past <paramref name="fileBytes"/> bytes of records.</summary>
    internal IBulkLoad CreateBulkLoad(long fileBytes) => new RocksDbBulkLoad(this, _tuning.Options.Handle, fileBytes);

    /// <summary>
    /// Ingests a finished SST file of keys no other write touches: RocksDB moves it into its tree.
    /// Writes made before it reach RocksDB first (a dirty record of one of its keys would otherwise
    /// land on top of it); it then needs no write gate, as no later write is of its keys. The hot
    /// records drop what they hold around it, as for a wide batch. Durable once it returns: the file
    /// and the manifest are synced.
    /// </summary>
    internal void Ingest(string file)
    {
        ApplyPending();
        lock (_hot.Gate)
        {
            Volatile.Write(ref _writeCount, _writeCount + 1);
            _hot.BeginWide();
        }

        try
        {
            Native.Instance.rocksdb_ingest_external_file(_dbHandle, [file], 1, _ingestOptions, out nint error);
            if (error != 0)
            {
                var message = RocksDbReads.Message(error);
                if (!message.Contains("requires flush", StringComparison.Ordinal))
                    throw new StorageException($"Bulk load ingestion failed: {message}", Path);
                // The memtable holds keys of the file's range (a range delete of it): RocksDB would flush
                // it with the engine's writes stopped. Flushed here, commands keep writing meanwhile.
                FlushMemtable();
                error = 0; // RocksDB frees a non-null error it is handed, and this one is freed already
                Native.Instance.rocksdb_ingest_external_file(_dbHandle, [file], 1, _ingestOptions, out error);
            }

            if (error != 0)
                throw RocksDbReads.Failure("Bulk load ingestion failed", error, Path);
        }
        finally
        {
            lock (_hot.Gate)
                _hot.EndWide();
        }
    }

    /// <summary>Writes the memtables to SST files and waits for it; writes go on meanwhile.</summary>
    private void FlushMemtable()
    {
        var options = Native.Instance.rocksdb_flushoptions_create();
        try
        {
            Native.Instance.rocksdb_flushoptions_set_wait(options, 1);
            Native.Instance.rocksdb_flush(_dbHandle, options, out nint error);
            if (error != 0)
                throw RocksDbReads.Failure("Memtable flush failed", error, Path);
        }
        finally
        {
            Native.Instance.rocksdb_flushoptions_destroy(options);
        }
    }

    private void WriteNative(RocksDbWriteBatch batch)
    {
        Native.Instance.rocksdb_write(_dbHandle, _writeOptions.Handle, batch.Handle, out nint error);
        if (error != 0)
            throw RocksDbReads.Failure("Write failed", error, Path);
    }

    /// <summary>
    /// Applies the dirty records, if any, and waits for a write in flight, so a reader that bypasses
    /// the hot records (iterator, snapshot) sees every write a point read may have seen.
    /// </summary>
    private void ApplyPending()
    {
        if (!_hot.AnyUnwritten)
            return;
        lock (_writeGate)
            ApplyDirty();
    }

    /// <summary>
    /// Under the write gate: writes the dirty records to RocksDB (their WAL records then wait in its
    /// buffer). Readers meanwhile find them among the hot records, in flight.
    /// </summary>
    private void ApplyDirty()
    {
        lock (_hot.Gate)
        {
            if (!_hot.BeginApply())
                return;
        }

        bool written = false;
        try
        {
            Interlocked.Increment(ref _walAppended); // before the write: a WAL record is never newer than the count
            Native.Instance.rocksdb_write(_dbHandle, _writeOptions.Handle, _hot.Applying, out nint error);
            if (error != 0)
                throw RocksDbReads.Failure("Write failed", error, Path);
            written = true;
        }
        finally
        {
            lock (_hot.Gate)
                _hot.EndApply(written);
        }
    }

    /// <summary>
    /// Writes the buffered WAL records to the OS (no sync). Nothing at all when no write happened since
    /// the last one (a batch of reads), and no system call when RocksDB's buffer is empty.
    /// </summary>
    private void WriteWalBuffer()
    {
        long appended = Volatile.Read(ref _walAppended); // every write counted so far is in the buffer this call empties
        if (Volatile.Read(ref _walWritten) >= appended)
            return;
        Native.Instance.rocksdb_flush_wal(_dbHandle, 0, out nint error);
        if (error != 0)
            throw RocksDbReads.Failure("WAL write failed", error, Path);
        long written;
        while ((written = Volatile.Read(ref _walWritten)) < appended && Interlocked.CompareExchange(ref _walWritten, appended, written) != written)
        {
        }
    }

    /// <summary>GroupCommit.Complete: any thread, any time, even while the engine is being disposed.</summary>
    internal void CompleteGroup()
    {
        Interlocked.Increment(ref _groupCommits);
        try
        {
            if (Volatile.Read(ref _closing) != 0)
                return;
            ApplyPending();
            if (_bufferedWal)
                WriteWalBuffer();
        }
        finally
        {
            Interlocked.Decrement(ref _groupCommits);
        }
    }

    public IStorageSnapshot CreateSnapshot()
    {
        ApplyPending();
        return new RocksDbSnapshot(_dbHandle, Path);
    }

    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        long generation;
        lock (_hot.Gate)
        {
            if (_hot.TryGet(key, out var value, out bool exists))
                return exists ? value.ToArray() : null;
            generation = _hot.Generation;
        }

        return ReadAndRemember(key, generation);
    }

    public bool TryRead<TState, TResult>(ReadOnlySpan<byte> key, TState state, ValueReader<TState, TResult> reader, out TResult result)
        where TState : allows ref struct
    {
        long generation;
        byte[]? value;
        lock (_hot.Gate)
        {
            if (_hot.TryGet(key, out var hot, out bool exists))
            {
                result = exists ? reader(hot, state) : default!; // under the gate: the value lives in the records' memory
                return exists;
            }

            generation = _hot.Generation;
        }

        value = ReadAndRemember(key, generation);
        result = value is null ? default! : reader(value, state);
        return value is not null;
    }

    /// <summary>A point read that missed the hot records: reads RocksDB, then remembers the answer unless a write raced it.</summary>
    private byte[]? ReadAndRemember(ReadOnlySpan<byte> key, long generation)
    {
        var read = RocksDbReads.Get(_dbHandle, _readOptions, key, Path);
        lock (_hot.Gate)
            _hot.Remember(key, read, generation);
        return read;
    }

    public IStorageIterator CreateIterator(ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound)
    {
        ApplyPending();
        return new RocksDbIterator(_dbHandle, 0, lowerBound, upperBound, Path);
    }

    /// <summary>SST files plus RocksDB's memtable estimate for [start, end); 0 for an empty range.</summary>
    public long ApproximateSize(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        if (end.IsEmpty || start.SequenceCompareTo(end) >= 0)
            return 0;
        ulong size = 0;
        fixed (byte* s = start, e = end)
        {
            var startKey = (nint)s;
            var endKey = (nint)e;
            var startLength = (nuint)start.Length;
            var endLength = (nuint)end.Length;
            const byte flags = (byte)(SizeApproximationFlags.IncludeMemtable | SizeApproximationFlags.IncludeFiles);
            Native.Instance.rocksdb_approximate_sizes_cf_with_flags(
                _dbHandle, _defaultFamily, 1, (nint)(&startKey), (nint)(&startLength), (nint)(&endKey), (nint)(&endLength), flags, (nint)(&size), out nint error);
            if (error != 0)
                throw RocksDbReads.Failure("Size estimate failed", error, Path);
        }

        return (long)size;
    }

    /// <summary>Syncs the WAL: every write so far survives a machine crash.</summary>
    public void Flush()
    {
        ApplyPending();
        Native.Instance.rocksdb_flush_wal(_dbHandle, 1, out nint error);
        if (error != 0)
            throw RocksDbReads.Failure("WAL sync failed", error, Path);
    }

    public void Dispose()
    {
        lock (_lifecycle)
        {
            if (_disposed)
                return;
            _disposed = true;
        }

        GroupCommit.Unregister(this);
        Interlocked.Exchange(ref _closing, 1);
        SpinWait.SpinUntil(() => Volatile.Read(ref _groupCommits) == 0);
        lock (_writeGate)
            ApplyDirty();

        _walTimer?.Dispose();
        lock (_lifecycle)
        {
            // A timer callback that already started holds the lock; taking it again waits for it.
            // Never still writes the buffered records: a clean close loses nothing.
            Native.Instance.rocksdb_flush_wal(_dbHandle, Durability == Durability.Never ? (byte)0 : (byte)1, out nint ignored);
            Native.Instance.rocksdb_readoptions_destroy(_readOptions);
            Native.Instance.rocksdb_ingestexternalfileoptions_destroy(_ingestOptions);
            Native.Instance.rocksdb_column_family_handle_destroy(_defaultFamily);
            _db.Dispose();
            _hot.Dispose();
            GC.KeepAlive(_tuning);
        }
    }

    private void SyncWalInBackground()
    {
        lock (_lifecycle)
        {
            if (_disposed)
                return;
            Native.Instance.rocksdb_flush_wal(_dbHandle, 1, out nint error);
            if (error != 0)
                Native.Instance.rocksdb_free(error); // the next write or Flush reports a broken WAL
        }
    }
}
