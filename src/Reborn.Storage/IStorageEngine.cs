namespace Reborn.Storage;

/// <summary>
/// An ordered map of byte keys to byte values: the only thing Reborn asks of a storage engine.
/// Keys compare as unsigned bytes, lexicographically (memcmp order, shorter prefix first).
/// Every engine passes the shared conformance suite in tests/Reborn.Storage.Tests.
/// </summary>
public interface IStorageEngine : IStorageReader, IDisposable
{
    /// <summary>Engine kind, for logs and INFO.</summary>
    EngineKind Kind { get; }

    /// <summary>The directory the engine owns; null for the in-memory engine.</summary>
    string? Path { get; }

    /// <summary>The durability every <see cref="Write"/> gets.</summary>
    Durability Durability { get; }

    /// <summary>A new, empty batch bound to this engine.</summary>
    IWriteBatch CreateBatch();

    /// <summary>
    /// Applies the batch atomically: a reader sees all of it or none of it. The batch may be
    /// cleared and reused afterwards. Thread-safe: concurrent writers are serialised by the engine.
    /// </summary>
    void Write(IWriteBatch batch);

    /// <summary>
    /// How many writes have begun: counted before a write changes anything, so two equal readings
    /// mean nothing was written in between (a caller may then trust what it read before).
    /// </summary>
    long WriteCount { get; }

    /// <summary>
    /// A bulk load into a key range no other write touches until it is done (<see cref="IBulkLoad"/>).
    /// Engines with no cheaper way write it in bounded batches.
    /// </summary>
    IBulkLoad CreateBulkLoad() => new BatchedBulkLoad(this);

    /// <summary>A consistent, read-only view of the engine as of now. Dispose it promptly.</summary>
    IStorageSnapshot CreateSnapshot();

    /// <summary>Approximate bytes (keys plus values) stored in [start, end). Cheap; may lag writes.</summary>
    long ApproximateSize(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end);

    /// <summary>Makes every write so far durable (fsync the log, or take a checkpoint).</summary>
    void Flush();
}

/// <summary>Reads shared by an engine and its snapshots.</summary>
public interface IStorageReader
{
    /// <summary>The value of the key copied into a new array, or null when absent.</summary>
    byte[]? Get(ReadOnlySpan<byte> key);

    /// <summary>
    /// Reads the value without an intermediate copy: <paramref name="reader"/> sees the stored bytes
    /// as a span that is valid only during the call. Returns false (and default) when absent.
    /// </summary>
    bool TryRead<TState, TResult>(ReadOnlySpan<byte> key, TState state, ValueReader<TState, TResult> reader, out TResult result)
        where TState : allows ref struct;

    /// <summary>
    /// An iterator over keys in [lowerBound, upperBound); an empty upper bound means no upper bound.
    /// The iterator starts unpositioned: call a Seek method first.
    /// </summary>
    IStorageIterator CreateIterator(ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound);
}

/// <summary>Reads a stored value in place; the span must not escape the call.</summary>
public delegate TResult ValueReader<TState, TResult>(ReadOnlySpan<byte> value, TState state)
    where TState : allows ref struct;

/// <summary>A point-in-time view; later writes to the engine are invisible through it.</summary>
public interface IStorageSnapshot : IStorageReader, IDisposable
{
}

/// <summary>Put, delete and delete-range operations applied atomically by <see cref="IStorageEngine.Write"/>.</summary>
public interface IWriteBatch : IDisposable
{
    void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);
    void Delete(ReadOnlySpan<byte> key);

    /// <summary>Deletes every key in [start, end).</summary>
    void DeleteRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end);

    /// <summary>Operations recorded since creation or the last <see cref="Clear"/>.</summary>
    int Count { get; }

    void Clear();
}

/// <summary>
/// A bounded, ordered cursor. Key and Value are valid only until the next move or Dispose.
/// Moving an invalid iterator is an error.
/// </summary>
public interface IStorageIterator : IDisposable
{
    bool Valid { get; }

    /// <summary>Positions at the first key &gt;= key (clamped to the bounds).</summary>
    void Seek(ReadOnlySpan<byte> key);

    /// <summary>Positions at the last key &lt;= key (clamped to the bounds).</summary>
    void SeekForPrev(ReadOnlySpan<byte> key);

    void SeekToFirst();
    void SeekToLast();
    void Next();
    void Prev();
    ReadOnlySpan<byte> Key { get; }
    ReadOnlySpan<byte> Value { get; }
}

/// <summary>The engines Reborn ships. Persisted in configuration: numbers are append-only.</summary>
public enum EngineKind
{
    RocksDb = 0,
    Faster = 1,
    Memory = 2,
}

/// <summary>When a write becomes durable. Persisted in configuration: numbers are append-only.</summary>
public enum Durability
{
    /// <summary>fsync before every write returns: an acknowledged write survives a machine crash.</summary>
    Always = 0,

    /// <summary>The log is synced about once a second: a process crash loses nothing, a machine crash up to a second.</summary>
    EverySecond = 1,

    /// <summary>The operating system decides; for caches and tests.</summary>
    Never = 2,
}

/// <summary>How to open an engine.</summary>
public sealed record EngineOptions
{
    public EngineKind Kind { get; init; } = EngineKind.RocksDb;

    /// <summary>The directory the engine owns. Required for durable engines.</summary>
    public string? Path { get; init; }

    public Durability Durability { get; init; } = Durability.EverySecond;

    /// <summary>Create the directory when it is missing. When false, a missing directory is an error.</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>Memory the engine may use for hot data (RocksDB block cache, FASTER in-memory log), in bytes.</summary>
    public long MemoryBudgetBytes { get; init; } = 256L << 20;
}

/// <summary>A storage failure that names the directory involved.</summary>
public sealed class StorageException : Exception
{
    public StorageException(string message, string? path, Exception? inner = null)
        : base(path is null ? message : $"{message} (path: {path})", inner) => Path = path;

    public string? Path { get; }
}
