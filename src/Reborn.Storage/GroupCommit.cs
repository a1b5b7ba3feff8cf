namespace Reborn.Storage;

/// <summary>
/// Group commit for a server that answers a batch of pipelined commands at once. Between
/// <see cref="Begin"/> and <see cref="Complete"/> on one thread, a RocksDB write applies at once
/// for every reader (it waits among the engine's pending writes, which reads consult first), but
/// reaches RocksDB only when a scope completes: Complete writes every engine's pending writes as one
/// RocksDB batch and its WAL records to the OS with one write call (synced, with Always). A batch of
/// commands then costs one engine write and one WAL write, not one of each per command.
/// <para>
/// Invariants: a reply must never leave the process before Complete has returned on the path that
/// sends it, because until then an applied write is lost by a process kill. Complete applies every
/// engine's pending writes, not only this thread's: a reply may carry what another client wrote (a read
/// of its key, a pop served to a blocked client) while that client's batch is still open.
/// The scope is per thread: it must be completed before the thread yields (an await that does not
/// complete synchronously), or unrelated work on that thread would defer its writes too.
/// Writes made outside a scope (the in-process API, background jobs) reach the OS before Write returns.
/// </para>
/// </summary>
public static class GroupCommit
{
    [ThreadStatic]
    private static bool t_deferring;

    private static readonly Lock s_enginesGate = new();
    private static Engines.RocksDbEngine[] s_engines = [];

    /// <summary>True while writes on this thread may wait among the pending writes.</summary>
    internal static bool Deferring => t_deferring;

    /// <summary>Writes on this thread wait among the engines' pending writes until <see cref="Complete"/>.</summary>
    public static void Begin() => t_deferring = true;

    /// <summary>True inside a scope on this thread.</summary>
    public static bool Active => t_deferring;

    /// <summary>
    /// Ends this thread's scope without completing it: its writes stay among the engines' pending
    /// writes until a scope completes on any thread, or the engine applies them for a direct write, an
    /// iterator, a snapshot or a flush. Only for writes nobody waits on (a slot migration's deletes of
    /// keys it already wrote elsewhere): a process kill meanwhile loses them.
    /// </summary>
    public static void Leave() => t_deferring = false;

    /// <summary>
    /// Ends this thread's scope, applies every open engine's pending writes and writes their WAL
    /// records to the OS. Cheap when nothing waits (no system call). Throws <see cref="StorageException"/>
    /// when the writes fail: the caller must then not acknowledge anything.
    /// </summary>
    public static void Complete()
    {
        t_deferring = false;
        foreach (var engine in Volatile.Read(ref s_engines))
            engine.CompleteGroup();
    }

    internal static void Register(Engines.RocksDbEngine engine)
    {
        lock (s_enginesGate)
            s_engines = [.. s_engines, engine];
    }

    internal static void Unregister(Engines.RocksDbEngine engine)
    {
        lock (s_enginesGate)
            s_engines = Array.FindAll(s_engines, e => e != engine);
    }
}
