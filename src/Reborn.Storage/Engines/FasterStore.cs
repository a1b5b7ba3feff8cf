using System.Buffers;
using System.Collections.Concurrent;
using FASTER.core;

namespace Reborn.Storage.Engines;

/// <summary>
/// The FASTER side of the FASTER engine: a SpanByte hash store in one directory, a pool of
/// sessions (a session serves one caller at a time), point operations, checkpoints, and the log
/// scan that rebuilds the key index at recovery. Knows nothing of ordering or snapshots.
/// </summary>
internal sealed unsafe class FasterStore : IDisposable
{
    private const int InitialReadBuffer = 4096;
    private const int SegmentSizeBits = 28;
    private const string LogFileName = "hlog.log";

    private readonly string _path;
    private readonly FasterKVSettings<SpanByte, SpanByte> _settings;
    private readonly FasterKV<SpanByte, SpanByte> _kv;
    private readonly SpanByteFunctions<Empty> _functions = new();
    private readonly ConcurrentBag<ClientSession<SpanByte, SpanByte, SpanByte, SpanByteAndMemory, Empty, SpanByteFunctions<Empty>>> _sessions = [];

    public FasterStore(string path, long memoryBudgetBytes)
    {
        var budget = Math.Max(memoryBudgetBytes, 16L << 20);
        var pageSize = Math.Clamp(budget / 16, 1L << 20, 32L << 20);
        _path = path;
        _settings = new FasterKVSettings<SpanByte, SpanByte>(path, deleteDirOnDispose: false)
        {
            IndexSize = Math.Clamp(budget / 16, 1L << 20, 128L << 20),
            MemorySize = budget,
            PageSize = pageSize,
            SegmentSize = 1L << SegmentSizeBits,
            RemoveOutdatedCheckpoints = true,
            TryRecoverLatest = false, // it swallows recovery errors; Recover() is called explicitly
        };
        _kv = new FasterKV<SpanByte, SpanByte>(_settings);

        // A record (header, key and value with their length prefixes) must fit in one page.
        MaxRecordBytes = (int)Math.Min(pageSize - 64, int.MaxValue);
    }

    /// <summary>The largest key length plus value length a record may have.</summary>
    public int MaxRecordBytes { get; }

    /// <summary>True when the checkpoint folder holds no file: nothing to recover.</summary>
    public bool HasCheckpoint
        => Directory.Exists(_settings.CheckpointDir)
           && Directory.EnumerateFiles(_settings.CheckpointDir, "*", SearchOption.AllDirectories).Any();

    /// <summary>
    /// Restores the latest checkpoint and checks that the log files hold everything it covers;
    /// throws when no checkpoint is valid or a log segment is missing or short (FASTER itself
    /// would read the missing part as empty and silently lose records).
    /// </summary>
    public void Recover()
    {
        _kv.Recover();
        var begin = _kv.Log.BeginAddress;
        var tail = _kv.Log.TailAddress;
        if (tail <= begin)
            return;
        for (var segment = begin >> SegmentSizeBits; segment <= (tail - 1) >> SegmentSizeBits; segment++)
        {
            var start = segment << SegmentSizeBits;
            var needed = Math.Min(tail, (segment + 1) << SegmentSizeBits) - start;
            var file = new FileInfo(System.IO.Path.Combine(_path, $"{LogFileName}.{segment}"));
            var present = file.Exists ? file.Length : 0;
            if (present < needed)
                throw new StorageException($"The FASTER log segment {file.Name} holds {present} bytes but the checkpoint needs {needed}: the log is truncated", _path);
        }
    }

    /// <summary>
    /// A fold-over checkpoint: flushes the log up to its tail and writes checkpoint metadata, all
    /// through write-through files. The caller must keep writes out while it runs.
    /// </summary>
    public void Checkpoint()
    {
        var (success, _) = _kv.TakeHybridLogCheckpointAsync(CheckpointType.FoldOver).AsTask().GetAwaiter().GetResult();
        if (!success)
            throw new InvalidOperationException("FASTER did not start the checkpoint: another one is running");
    }

    /// <summary>
    /// Every live key with its value length, from a scan of the whole log in address order: the
    /// last record of a key wins and a tombstone removes it. (session.Iterate() is not used: it
    /// can return phantom keys for SpanByte keys over 8 bytes with several versions, FASTER #962.)
    /// </summary>
    public Dictionary<byte[], int> ScanLiveKeys()
    {
        var live = new Dictionary<byte[], int>(ByteKeyComparer.Instance);
        using var iterator = _kv.Log.Scan(_kv.Log.BeginAddress, _kv.Log.TailAddress);
        var lookup = live.GetAlternateLookup<ReadOnlySpan<byte>>();
        while (iterator.GetNext(out var info))
        {
            var key = iterator.GetKey().AsReadOnlySpan();
            if (info.Tombstone)
                lookup.Remove(key);
            else
                lookup[key] = iterator.GetValue().Length;
        }

        return live;
    }

    /// <summary>
    /// Copies the value of <paramref name="key"/> into an array rented from the shared pool; the
    /// caller returns it. False (and no array) when the key is absent.
    /// </summary>
    public bool TryReadCopy(ReadOnlySpan<byte> key, out byte[] rented, out int length)
    {
        var session = RentSession();
        var buffer = ArrayPool<byte>.Shared.Rent(InitialReadBuffer);
        try
        {
            fixed (byte* k = key, b = buffer)
            {
                var keyBytes = SpanByte.FromPointer(k, key.Length);
                var output = new SpanByteAndMemory(b, buffer.Length);
                var status = session.Read(ref keyBytes, ref output);
                if (status.IsPending)
                {
                    session.CompletePendingWithOutputs(out var completed, wait: true);
                    using (completed)
                    {
                        if (!completed.Next())
                            throw new InvalidOperationException("FASTER completed a pending read without output");
                        status = completed.Current.Status;
                        output = completed.Current.Output;
                    }
                }

                if (status.IsFaulted)
                    throw new IOException("FASTER failed to read a record");
                if (!status.Found)
                {
                    output.Memory?.Dispose();
                    ArrayPool<byte>.Shared.Return(buffer);
                    rented = [];
                    length = 0;
                    return false;
                }

                length = output.Length;
                if (!output.IsSpanByte)
                {
                    // Larger than the first buffer: FASTER put it in pooled memory.
                    using var memory = output.Memory;
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                    memory.Memory.Span[..length].CopyTo(buffer);
                }

                rented = buffer;
                return true;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        finally
        {
            _sessions.Add(session);
        }
    }

    public void Upsert(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var session = RentSession();
        try
        {
            fixed (byte* k = key, v = value)
            {
                var keyBytes = SpanByte.FromPointer(k, key.Length);
                var valueBytes = SpanByte.FromPointer(v, value.Length);
                var status = session.Upsert(ref keyBytes, ref valueBytes);
                if (status.IsPending)
                    session.CompletePending(wait: true);
                else if (status.IsFaulted)
                    throw new IOException("FASTER failed to write a record");
            }
        }
        finally
        {
            _sessions.Add(session);
        }
    }

    public void Delete(ReadOnlySpan<byte> key)
    {
        var session = RentSession();
        try
        {
            fixed (byte* k = key)
            {
                var keyBytes = SpanByte.FromPointer(k, key.Length);
                var status = session.Delete(ref keyBytes);
                if (status.IsPending)
                    session.CompletePending(wait: true);
                else if (status.IsFaulted)
                    throw new IOException("FASTER failed to delete a record");
            }
        }
        finally
        {
            _sessions.Add(session);
        }
    }

    public void Dispose()
    {
        while (_sessions.TryTake(out var session))
            session.Dispose();
        _kv.Dispose();
        _settings.Dispose();
    }

    private ClientSession<SpanByte, SpanByte, SpanByte, SpanByteAndMemory, Empty, SpanByteFunctions<Empty>> RentSession()
        => _sessions.TryTake(out var session) ? session : _kv.For(_functions).NewSession(_functions);
}
