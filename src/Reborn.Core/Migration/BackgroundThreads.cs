using Reborn.Storage;

namespace Reborn.Core.Migration;

/// <summary>
/// Threads for a migration's background work (a snapshot's raw copy and its journal replay, the
/// key-by-key mover) behind the foreground for the CPU (<see cref="BackgroundPriority"/>: SCHED_IDLE
/// on Linux). A migration keeps both cores of a small machine busy; at normal priority, or even
/// niced, a command's thread then waited a scheduler tick (4 ms) or more for a core, and a command
/// preempted while holding a group's gate made every writer of that group wait with it: SET p99
/// during a snapshot move was milliseconds against 0.03 ms without one. At idle priority the work
/// gives way at once, and still runs at full speed when nothing else wants the CPU. Such a thread
/// may take a gate a command waits for only for a short, bounded step (a chunk of a replay, a batch
/// of 16 keys): a command that preempts it there blocks on the gate, which frees the core for it.
/// </summary>
internal static class BackgroundThreads
{
    /// <summary>Runs <paramref name="work"/> on a new low-priority thread; the task ends with it.</summary>
    public static Task Run(string name, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            BackgroundPriority.LowerCurrentThread();
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
}
