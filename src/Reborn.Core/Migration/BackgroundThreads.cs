using System.Runtime.InteropServices;

namespace Reborn.Core.Migration;

/// <summary>
/// Threads for a migration's bulk work (a snapshot's raw copy) at a lower CPU priority than the
/// foreground. A copy keeps both cores of a small machine busy, and a command's thread that wakes up
/// then waited a whole scheduler tick (4 ms) or more for a core: SET p99 during a snapshot move was
/// about 4 ms against 0.03 ms without one. At nice 10 the copy yields to it at once, and still runs
/// at full speed when nothing else wants the CPU. On Linux the nice value is the thread's own (.NET's
/// Thread.Priority does nothing there); elsewhere the thread runs at normal priority. Such a thread
/// must never hold a lock a command waits for, or the command would wait behind it.
/// </summary>
internal static partial class BackgroundThreads
{
    private const int Niceness = 10;

    /// <summary>Runs <paramref name="work"/> on a new low-priority thread; the task ends with it.</summary>
    public static Task Run(string name, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            Deprioritize();
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception error)
            {
                done.SetException(error);
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return done.Task;
    }

    private static void Deprioritize()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            SetPriority(0 /* PRIO_PROCESS: with a thread id, that thread alone */, (uint)GetThreadId(), Niceness);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc to ask: the copy runs at normal priority.
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, uint who, int priority);

    [LibraryImport("libc.so.6", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
