using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

[assembly: InternalsVisibleTo("Reborn.Core")]

namespace Reborn.Storage;

/// <summary>
/// Puts background threads (a migration's copy, RocksDB's flushes and compactions) behind the
/// foreground for the CPU. On Linux a thread goes to SCHED_IDLE: the scheduler then runs it only
/// when no normal thread wants its core, and a normal thread that becomes runnable takes the core
/// from it at once. A nice value is weaker: under EEVDF a niced thread that got a core keeps it for
/// its slice, up to a scheduler tick (4 ms), while a command's thread waits runnable; a command
/// holding a keyspace's gate then makes every writer of that group wait as long.
/// Where SCHED_IDLE is refused the thread gets nice 10; elsewhere than Linux nothing changes.
/// Hazards, both only while normal threads (of this process or another) keep every core busy: an
/// idle thread can starve then, so it must never hold a lock a command waits for for longer than a
/// short, bounded step; and a garbage collection waits for every thread running managed code to
/// reach a safe point, a starved idle one included, so the whole process can pause as long. With
/// the cores saturated the migration also crawls: throttle it, or give the machine headroom.
/// RocksDB's thread pools are process-wide: lowering them lowers them for every RocksDB database
/// in the process, Reborn's or not.
/// </summary>
internal static partial class BackgroundPriority
{
    private const int SchedIdle = 5;
    private const int Niceness = 10;

    /// <summary>Lowers the calling thread.</summary>
    public static void LowerCurrentThread()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            Lower(GetThreadId());
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to ask: the thread runs at normal priority.
        }
    }

    /// <summary>
    /// Lowers every thread of this process whose name starts with <paramref name="prefix"/> (Linux
    /// names threads in /proc/self/task/*/comm); already lowered ones are lowered again, harmlessly.
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
                if (name.StartsWith(prefix, StringComparison.Ordinal)) Lower(tid);
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
