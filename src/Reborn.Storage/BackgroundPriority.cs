using System.Runtime.InteropServices;

namespace Reborn.Storage;

/// <summary>
/// Puts background threads behind the foreground for the CPU. A migration's own threads (its copy,
/// replay and mover) go to SCHED_IDLE on Linux: the scheduler then runs them only when no normal
/// thread wants their core, and a normal thread that becomes runnable takes the core from them at
/// once. A nice value is weaker: under EEVDF a niced thread that got a core keeps it for its slice,
/// up to a scheduler tick (4 ms), while a command's thread waits runnable; a command holding a
/// keyspace's gate then makes every writer of that group wait as long. Where SCHED_IDLE is refused
/// such a thread gets nice 10; elsewhere than Linux nothing changes.
/// RocksDB's flush and compaction threads get nice 19 instead (<see cref="LowerThreadsNamed"/>): they
/// take no lock a command waits for, a migration's copy must not starve them (its writes would stall
/// on full memtables), and foreground writes stall if they starve.
/// Hazards of SCHED_IDLE, both only while normal threads (of this process or another) keep every core
/// busy: an idle thread can starve then, so it must never hold a lock a command waits for for longer
/// than a short, bounded step; and a garbage collection waits for every thread running managed code
/// to reach a safe point, a starved idle one included, so the whole process can pause as long. With
/// the cores saturated the migration also crawls: throttle it, or give the machine headroom.
/// </summary>
internal static partial class BackgroundPriority
{
    private const int SchedIdle = 5;
    private const int Niceness = 10;
    private const int NativePoolNiceness = 19;

    /// <summary>Puts the calling thread at SCHED_IDLE (or nice 10), or with <paramref name="idle"/> false at nice 10.</summary>
    public static void LowerCurrentThread(bool idle = true)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (idle) Lower(GetThreadId());
            else SetPriority(0 /* PRIO_PROCESS: with a thread id, that thread alone */, (uint)GetThreadId(), Niceness);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to ask: the thread runs at normal priority.
        }
    }

    /// <summary>
    /// Gives nice 19 to every thread of this process whose name starts with <paramref name="prefix"/>
    /// (Linux names threads in /proc/self/task/*/comm); already lowered ones are set again, harmlessly.
    /// For threads of a native library's own pools, which are process-wide: every user of that library
    /// in the process is lowered with them.
    /// </summary>
    public static void LowerThreadsNamed(string prefix)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                if (!int.TryParse(Path.GetFileName(task), out int tid)) continue;
                string name;
                try { name = File.ReadAllText(Path.Combine(task, "comm")); }
                catch (IOException) { continue; } // the thread ended meanwhile
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                    SetPriority(0 /* PRIO_PROCESS: with a thread id, that thread alone */, (uint)tid, NativePoolNiceness);
            }
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException or IOException or UnauthorizedAccessException)
        {
            // No /proc or no libc: those threads run at normal priority.
        }
    }

    private static void Lower(int tid)
    {
        var param = new SchedParam();
        if (SetScheduler(tid, SchedIdle, ref param) != 0)
            SetPriority(0 /* PRIO_PROCESS: with a thread id, that thread alone */, (uint)tid, Niceness);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority; // must be 0 for SCHED_IDLE
    }

    [LibraryImport("libc.so.6", EntryPoint = "sched_setscheduler")]
    private static partial int SetScheduler(int pid, int policy, ref SchedParam param);

    [LibraryImport("libc.so.6", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, uint who, int priority);

    [LibraryImport("libc.so.6", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
