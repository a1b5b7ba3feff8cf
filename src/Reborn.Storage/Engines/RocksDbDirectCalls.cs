using System.Runtime.InteropServices;
using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// Function pointers into the librocksdb that RocksDbSharp loaded, for the calls an iterator makes
/// per element and for point reads. RocksDbSharp's bindings go through a generated wrapper and a marshalling stub with a
/// full GC transition on every call; a range read of n elements made 3n of them. Here a step is one
/// plain P/Invoke (next/prev, which may read a block from disk, keep the GC transition) and the
/// accessors (valid, key, value) suppress it: they only return a pointer the iterator holds, so they
/// neither block nor call back into the runtime.
/// <para>
/// The library is found by its soname with RTLD_NOLOAD: it is the copy already in the process or
/// nothing, never a second copy (handles of one copy passed to another would corrupt both). When it
/// is not found (another platform, another package version) <see cref="Available"/> is false and the
/// iterator keeps RocksDbSharp's bindings.
/// </para>
/// </summary>
internal static unsafe partial class RocksDbDirectCalls
{
    /// <summary>The soname of the RocksDB package's Linux library; bump it with the package.</summary>
    internal const string LinuxSoname = "librocksdb.so.11.12";

    public static readonly bool Available;

    // Accessors: they return what the iterator or slice holds.
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, byte> Valid;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint*, byte*> Key;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint*, byte*> Value;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint*, byte*> PinnedValue;

    // Moves and reads: they may read a block from disk, or wait on a block cache shard's mutex.
    public static readonly delegate* unmanaged<nint, void> Next;
    public static readonly delegate* unmanaged<nint, void> Prev;
    public static readonly delegate* unmanaged<nint, byte*, nuint, void> Seek;
    public static readonly delegate* unmanaged<nint, byte*, nuint, void> SeekForPrev;
    public static readonly delegate* unmanaged<nint, void> SeekToFirst;
    public static readonly delegate* unmanaged<nint, void> SeekToLast;
    public static readonly delegate* unmanaged<nint, nint, byte*, nuint, nint*, nint> GetPinned;
    public static readonly delegate* unmanaged<nint, void> DestroyPinned;

    private static readonly delegate* unmanaged[SuppressGCTransition]<int, void> s_setPerfLevel;

    // RocksDB's PerfLevel::kDisable.
    private const int PerfLevelDisable = 1;

    [ThreadStatic]
    private static bool t_perfCountersOff;

    static RocksDbDirectCalls()
    {
        var library = FindLoadedLibrary();
        if (library == 0)
            return;
        bool found = true;
        nint Export(string name)
        {
            found &= NativeLibrary.TryGetExport(library, name, out var address);
            return address;
        }

        Valid = (delegate* unmanaged[SuppressGCTransition]<nint, byte>)Export("rocksdb_iter_valid");
        Key = (delegate* unmanaged[SuppressGCTransition]<nint, nuint*, byte*>)Export("rocksdb_iter_key");
        Value = (delegate* unmanaged[SuppressGCTransition]<nint, nuint*, byte*>)Export("rocksdb_iter_value");
        PinnedValue = (delegate* unmanaged[SuppressGCTransition]<nint, nuint*, byte*>)Export("rocksdb_pinnableslice_value");
        Next = (delegate* unmanaged<nint, void>)Export("rocksdb_iter_next");
        Prev = (delegate* unmanaged<nint, void>)Export("rocksdb_iter_prev");
        Seek = (delegate* unmanaged<nint, byte*, nuint, void>)Export("rocksdb_iter_seek");
        SeekForPrev = (delegate* unmanaged<nint, byte*, nuint, void>)Export("rocksdb_iter_seek_for_prev");
        SeekToFirst = (delegate* unmanaged<nint, void>)Export("rocksdb_iter_seek_to_first");
        SeekToLast = (delegate* unmanaged<nint, void>)Export("rocksdb_iter_seek_to_last");
        GetPinned = (delegate* unmanaged<nint, nint, byte*, nuint, nint*, nint>)Export("rocksdb_get_pinned");
        DestroyPinned = (delegate* unmanaged<nint, void>)Export("rocksdb_pinnableslice_destroy");
        s_setPerfLevel = (delegate* unmanaged[SuppressGCTransition]<int, void>)Export("rocksdb_set_perf_level");
        Available = found;
    }

    /// <summary>
    /// Turns off RocksDB's perf counters on the calling thread. By default RocksDB counts into a
    /// thread-local perf context at every iterator step and point read (several TLS lookups each,
    /// about a tenth of an LRANGE's CPU); nothing in Reborn reads them. The level is per thread,
    /// so every thread that reads calls this; after the first call it is one thread-static test.
    /// </summary>
    public static void DisablePerfCounters()
    {
        if (t_perfCountersOff || !Available)
            return;
        s_setPerfLevel(PerfLevelDisable);
        t_perfCountersOff = true;
    }

    private static nint FindLoadedLibrary()
    {
        if (!OperatingSystem.IsLinux())
            return 0;
        _ = Native.Instance; // RocksDbSharp loads its library in Native's static constructor
        try
        {
            return dlopen(LinuxSoname, RtldLazy | RtldNoLoad);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 0; // not glibc: keep RocksDbSharp's bindings
        }
    }

    private const int RtldLazy = 0x1;
    private const int RtldNoLoad = 0x4;

    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string file, int mode);
}
