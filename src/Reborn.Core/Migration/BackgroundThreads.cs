using Reborn.Storage;

namespace Reborn.Core.Migration;

/// <summary>
/// Threads for a migration's background work (a snapshot's raw copy and its journal replay, the
/// key-by-key mover) behind the foreground for the CPU (<see cref="BackgroundPriority"/>: SCHED_IDLE
/// on Linux for work that takes a gate, nice 10 for the raw copy, which takes none). A migration keeps both cores of a small machine busy; at normal priority, or even
/// niced, a command's thread then waited a scheduler tick (4 ms) or more for a core, and a command
/// preempted while holding a group's gate made every writer of that group wait with it: SET p99
/// during a snapshot move was milliseconds against 0.03 ms without one. At idle priority the work
/// gives way at once, and still runs at full speed when nothing else wants the CPU. Such a thread
/// may take a gate a command waits for only for a short, bounded step (a chunk of a replay, a batch
/// of 16 keys): a command that preempts it there blocks on the gate, which frees the core for it.
/// The raw copy takes no gate, so a command never waits for it, only competes with it for a core:
/// at SCHED_IDLE it lost about a tenth of its speed to every other thread of the process even with no
/// command running (198-210 MB/s against 217-219 at nice 10, one million keys) and halved SET p99
/// during the move (0.17-0.19 ms against 0.37-0.40); it runs at nice 10 (<c>idle: false</c>).
/// </summary>
internal static class BackgroundThreads
{
    /// <summary>Runs <paramref name="work"/> on a new low-priority thread (SCHED_IDLE, or nice 10 unless <paramref name="idle"/>); the task ends with it.</summary>
    public static Task Run(string name, Action work, bool idle = true)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            BackgroundPriority.LowerCurrentThread(idle);
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
