using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// Options for fast point reads within a memory budget: three quarters of the budget is an LRU
/// block cache holding data, index and filter blocks (L0's pinned); whole-key bloom filters in
/// SSTs and memtables; hash-indexed data blocks; LZ4, dynamic level sizes. The rest of the budget
/// goes to memtables. With <c>bufferWal</c> (every durability but Always) RocksDB's manual WAL
/// flush is on: a write appends its WAL record to a buffer and the engine writes the buffer to the
/// OS itself, once per write or once per group (<see cref="GroupCommit"/>). The engine keeps this object alive as long as the database; the wrappers
/// release their native handles in their finalizers (the database holds its own references).
/// </summary>
internal sealed class RocksDbTuning
{
    public RocksDbTuning(long memoryBudgetBytes, bool createIfMissing, bool bufferWal)
    {
        var budget = Math.Max(memoryBudgetBytes, 16L << 20);
        var writeBuffer = Math.Clamp(budget / 8, 4L << 20, 64L << 20);
        Cache = Cache.CreateLru((ulong)(budget * 3 / 4));
        HotRecordBytes = budget / 8;
        Filter = BloomFilterPolicy.Create(10, false);
        Table = new BlockBasedTableOptions()
            .SetBlockCache(Cache)
            .SetFilterPolicy(Filter)
            .SetWholeKeyFiltering(true)
            .SetFormatVersion(5)
            .SetCacheIndexAndFilterBlocks(true)
            .SetPinL0FilterAndIndexBlocksInCache(true);
        Native.Instance.rocksdb_block_based_options_set_data_block_index_type(Table.Handle, (int)BlockBasedTableDataBlockIndexType.BinarySearchAndHash);
        Native.Instance.rocksdb_block_based_options_set_data_block_hash_ratio(Table.Handle, 0.75);

        Options = new DbOptions()
            .SetCreateIfMissing(createIfMissing)
            .SetParanoidChecks(true)
            .IncreaseParallelism(Math.Max(2, Environment.ProcessorCount))
            .SetLevelCompactionDynamicLevelBytes(true)
            .SetWriteBufferSize((ulong)writeBuffer)
            .SetMaxWriteBufferNumber(3)
            .SetCompression(Compression.Lz4)
            .SetMemtablePrefixBloomSizeRatio(0.02)
            .SetKeepLogFileNum(4)
            // WAL files are reused, overwritten in place: an append then neither grows the file nor dirties
            // its inode, so it never waits for the file system's journal, which a flush or compaction
            // writing many megabytes keeps busy (SET p99 during a snapshot copy fell by half on ext4).
            // Point-in-time recovery handles recycled logs since RocksDB 9.
            .SetRecycleLogFileNum(4)
            .SetBlockBasedTableFactory(Table);
        Native.Instance.rocksdb_options_set_memtable_whole_key_filtering(Options.Handle, 1);
        if (bufferWal)
            Native.Instance.rocksdb_options_set_manual_wal_flush(Options.Handle, 1);
    }

    public DbOptions Options { get; }

    public Cache Cache { get; }

    /// <summary>What the engine's hot records (recent point reads and writes, in native memory) may hold: an eighth of the budget.</summary>
    public long HotRecordBytes { get; }

    public BloomFilterPolicy Filter { get; }

    public BlockBasedTableOptions Table { get; }
}
