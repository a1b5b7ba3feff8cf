using System.Runtime.InteropServices;
using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// Function pointers into the librocksdb that RocksDbSharp loaded, for the calls an iterator makes
/// per element. RocksDbSharp's bindings go through a generated wrapper and a marshalling stub with a
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
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, byte> Valid;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint*, byte*> Key;
    public static readonly delegate* unmanaged[SuppressGCTransition]<nint, nuint*, byte*> Value;
    public static readonly delegate* unmanaged<nint, void> Next;
    public static readonly delegate* unmanaged<nint, void> Prev;
    public static readonly delegate* unmanaged<nint, byte*, nuint, void> Seek;
    private static readonly delegate* unmanaged[SuppressGCTransition]<int, void> s_setPerfLevel;

    // RocksDB's PerfLevel::kDisable.
    private const int PerfLevelDisable = 1;

    [ThreadStatic]
    private static bool t_perfCountersOff;

    static RocksDbDirectCalls()
    {
        var library = FindLoadedLibrary();
        if (library == 0
            || !NativeLibrary.TryGetExport(library, "rocksdb_iter_valid", out var valid)
            || !NativeLibrary.TryGetExport(library, "rocksdb_iter_key", out var key)
            || !NativeLibrary.TryGetExport(library, "rocksdb_iter_value", out var value)
            || !NativeLibrary.TryGetExport(library, "rocksdb_iter_next", out var next)
            || !NativeLibrary.TryGetExport(library, "rocksdb_iter_prev", out var prev)
            || !NativeLibrary.TryGetExport(library, "rocksdb_iter_seek", out var seek)
            || !NativeLibrary.TryGetExport(library, "rocksdb_set_perf_level", out var setPerfLevel))
            return;
        Valid = (delegate* unmanaged[SuppressGCTransition]<nint, byte>)valid;
        Key = (delegate* unmanaged[SuppressGCTransition]<nint, nuint*, byte*>)key;
        Value = (delegate* unmanaged[SuppressGCTransition]<nint, nuint*, byte*>)value;
        Next = (delegate* unmanaged<nint, void>)next;
        Prev = (delegate* unmanaged<nint, void>)prev;
        Seek = (delegate* unmanaged<nint, byte*, nuint, void>)seek;
        s_setPerfLevel = (delegate* unmanaged[SuppressGCTransition]<int, void>)setPerfLevel;
        Available = true;
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
