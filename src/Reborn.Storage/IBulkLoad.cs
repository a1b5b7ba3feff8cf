namespace Reborn.Storage;

/// <summary>
/// Records loaded in bulk into a key range no other write touches meanwhile (a snapshot migration's
/// copy into a group that does not serve those slots yet): an engine may take them its own cheapest
/// way, RocksDB as SST files it builds and ingests instead of batches through its log and memtable.
/// Not thread-safe: one caller at a time. Disposing drops the records not yet committed.
/// </summary>
public interface IBulkLoad : IDisposable
{
    /// <summary>
    /// Adds a record. Keys must ascend strictly between two commits. The load may commit by itself
    /// when the records since the last commit grow past what the engine takes at once.
    /// </summary>
    void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>
    /// Makes every record put so far readable (with the durability of the engine's writes); nothing
    /// happens when none was put since the last commit.
    /// </summary>
    void Commit();

    /// <summary>Commits so far, each one write of the engine's <see cref="IStorageEngine.WriteCount"/>.</summary>
    long Commits { get; }
}

/// <summary>A bulk load through the engine's batches, a bounded batch at a time: for engines with no cheaper way.</summary>
internal sealed class BatchedBulkLoad(IStorageEngine engine) : IBulkLoad
{
    /// <summary>Bytes of records per batch: big enough to amortise a write, small enough not to hold the engine for long.</summary>
    private const long BatchBytes = 4 << 20;

    private readonly IWriteBatch _batch = engine.CreateBatch();
    private long _bytes;

    public long Commits { get; private set; }

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        _batch.Put(key, value);
        _bytes += key.Length + value.Length;
        if (_bytes >= BatchBytes)
            Commit();
    }

    public void Commit()
    {
        if (_batch.Count == 0)
            return;
        engine.Write(_batch);
        _batch.Clear();
        _bytes = 0;
        Commits++;
    }

    public void Dispose() => _batch.Dispose();
}
