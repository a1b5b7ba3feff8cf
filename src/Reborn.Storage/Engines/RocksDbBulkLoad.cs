using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// RocksDB's bulk load: the records go into an SST file built in process, with the database's own
/// table options, in a folder of the engine's directory; a commit ingests the file, which RocksDB
/// links into its tree with one manifest write. No log record, no memtable insert, no flush to follow:
/// a snapshot migration's copy costs a sequential file write instead of the whole write path.
/// An ingestion stops the engine's writes for its manifest write (and needs the memtable flushed
/// first if that holds keys of the file's range: see <see cref="RocksDbEngine.Ingest"/>); a file holds
/// up to <see cref="FileBytes"/>, so a copy makes few such stops. A file left by a crash is removed
/// when the engine opens (<see cref="RemoveLeftovers"/>).
/// </summary>
internal sealed unsafe class RocksDbBulkLoad(RocksDbEngine engine, nint tableOptions, long fileBytes) : IBulkLoad
{
    /// <summary>Bytes of records per file by default: each ingestion briefly stops the engine's writes, so few and big.</summary>
    public const long FileBytes = 64L << 20;

    private const string FolderName = "bulk-load";

    private static long s_files;

    private nint _writer;
    private string? _file;
    private long _bytes;

    public long Commits { get; private set; }

    /// <summary>Deletes the files of loads a crash interrupted: RocksDB never took them in.</summary>
    public static void RemoveLeftovers(string enginePath)
    {
        var folder = Path.Combine(enginePath, FolderName);
        try
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException("Cannot remove the files of an interrupted bulk load", folder, e);
        }
    }

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (_writer == 0)
            Open();
        nint error = 0; // RocksDB frees a non-null error it is handed
        fixed (byte* k = key, v = value)
            Native.Instance.rocksdb_sstfilewriter_put(_writer, k, (nuint)key.Length, v, (nuint)value.Length, out error);
        if (error != 0)
            throw RocksDbReads.Failure("Bulk load put failed", error, engine.Path);
        _bytes += key.Length + value.Length;
        if (_bytes >= fileBytes)
            Commit();
    }

    public void Commit()
    {
        if (_writer == 0)
            return;
        var file = _file!;
        try
        {
            Native.Instance.rocksdb_sstfilewriter_finish(_writer, out nint error); // syncs the file
            if (error != 0)
                throw RocksDbReads.Failure("Bulk load file failed", error, engine.Path);
            CloseWriter();
            engine.Ingest(file);
            Commits++;
        }
        finally
        {
            CloseWriter();
            File.Delete(file); // ingested: RocksDB has its own link to the data
        }
    }

    public void Dispose()
    {
        if (_writer == 0)
            return;
        var file = _file!;
        CloseWriter();
        File.Delete(file);
    }

    private void Open()
    {
        var folder = Path.Combine(engine.Path, FolderName);
        Directory.CreateDirectory(folder);
        _file = Path.Combine(folder, $"load-{Interlocked.Increment(ref s_files)}.sst");
        var envOptions = Native.Instance.rocksdb_envoptions_create();
        _writer = Native.Instance.rocksdb_sstfilewriter_create(envOptions, tableOptions);
        Native.Instance.rocksdb_envoptions_destroy(envOptions);
        Native.Instance.rocksdb_sstfilewriter_open(_writer, _file, out nint error);
        if (error != 0)
        {
            CloseWriter();
            throw RocksDbReads.Failure("Bulk load cannot create its file", error, engine.Path);
        }

        _bytes = 0;
    }

    private void CloseWriter()
    {
        if (_writer == 0)
            return;
        Native.Instance.rocksdb_sstfilewriter_destroy(_writer);
        _writer = 0;
    }
}
