using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// Point reads through RocksDB's C API: rocksdb_get_pinned hands back a pinnable slice that points
/// into the block cache or memtable, so a reader sees the stored bytes with no managed copy. The
/// calls go through <see cref="RocksDbDirectCalls"/> when the library is found.
/// </summary>
internal static unsafe class RocksDbReads
{
    private static readonly ValueReader<byte, byte[]> s_copy = static (value, _) => value.ToArray();

    public static byte[]? Get(nint db, nint readOptions, ReadOnlySpan<byte> key, string path)
        => TryRead(db, readOptions, key, (byte)0, s_copy, path, out var value) ? value : null;

    public static bool TryRead<TState, TResult>(
        nint db, nint readOptions, ReadOnlySpan<byte> key, TState state, ValueReader<TState, TResult> reader, string path, out TResult result)
        where TState : allows ref struct
    {
        nint slice;
        nint error;
        RocksDbDirectCalls.DisablePerfCounters();
        fixed (byte* k = key)
        {
            if (RocksDbDirectCalls.Available)
            {
                error = 0;
                slice = RocksDbDirectCalls.GetPinned(db, readOptions, k, (nuint)key.Length, &error);
            }
            else
                slice = Native.Instance.rocksdb_get_pinned(db, readOptions, k, (nuint)key.Length, out error);
        }

        if (error != 0)
            throw Failure("Point read failed", error, path);
        if (slice == 0)
        {
            result = default!;
            return false;
        }

        try
        {
            nuint length;
            byte* value = RocksDbDirectCalls.Available
                ? RocksDbDirectCalls.PinnedValue(slice, &length)
                : (byte*)Native.Instance.rocksdb_pinnableslice_value(slice, out length);
            result = reader(new ReadOnlySpan<byte>(value, checked((int)length)), state);
            return true;
        }
        finally
        {
            if (RocksDbDirectCalls.Available)
                RocksDbDirectCalls.DestroyPinned(slice);
            else
                Native.Instance.rocksdb_pinnableslice_destroy(slice);
        }
    }

    /// <summary>Native read options, optionally reading from a snapshot. Destroy with rocksdb_readoptions_destroy.</summary>
    public static nint CreateReadOptions(nint snapshot)
    {
        var options = Native.Instance.rocksdb_readoptions_create();
        if (snapshot != 0)
            Native.Instance.rocksdb_readoptions_set_snapshot(options, snapshot);
        return options;
    }

    /// <summary>
    /// RocksDB's error text. Frees the native string: RocksDbSharp's marshalling frees what it reads,
    /// and a second free aborts the process.
    /// </summary>
    public static string Message(nint error) => Native.MarshalNullTermAsciiStr(error) ?? "unknown error";

    /// <summary>A StorageException carrying RocksDB's error text; frees the native string (<see cref="Message"/>).</summary>
    public static StorageException Failure(string what, nint error, string path)
    {
        var text = Message(error);
        return new StorageException($"{what}: {text}", path);
    }
}
