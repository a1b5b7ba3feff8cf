namespace Reborn.Storage;

/// <summary>
/// Group commit for a server that answers a batch of pipelined commands at once. Between
/// <see cref="Begin"/> and <see cref="Complete"/> on one thread, a RocksDB write (durability other
/// than Always) applies at once — later reads see it — but leaves its WAL record in the engine's
/// buffer instead of writing it to the OS; Complete writes the buffered records of every open
/// engine with one write call each. A batch of writes then costs one WAL write, not one per command.
/// <para>
/// Invariants: a reply must never leave the process before Complete has returned on the path that
/// sends it, because until then an applied write is lost by a process kill. Complete flushes every
/// engine, not only those this thread wrote: a reply may carry what another client wrote (a read
/// of its key, a pop served to a blocked client) while that client's batch is still open.
/// The scope is per thread: it must be completed before the thread yields (an await that does not
/// complete synchronously), or unrelated work on that thread would defer its writes too.
/// Writes made outside a scope (the in-process API, background jobs) reach the OS before Write returns.
/// </para>
/// </summary>
public static class WalGroupCommit
{
    [ThreadStatic]
    private static bool t_deferring;

    private static readonly Lock s_enginesGate = new();
    private static Engines.RocksDbEngine[] s_engines = [];

    /// <summary>True while writes on this thread may leave their WAL records buffered.</summary>
    internal static bool Deferring => t_deferring;

    /// <summary>Writes on this thread buffer their WAL records until <see cref="Complete"/>.</summary>
    public static void Begin() => t_deferring = true;

    /// <summary>
    /// Ends this thread's scope and writes every buffered WAL record of every open engine to the OS.
    /// Cheap when nothing is buffered (no system call). Throws <see cref="StorageException"/> when the
    /// WAL cannot be written: the caller must then not acknowledge anything.
    /// </summary>
    public static void Complete()
    {
        t_deferring = false;
        foreach (var engine in Volatile.Read(ref s_engines))
            engine.WriteBufferedWal();
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
