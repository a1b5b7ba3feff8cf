using System.Text;
using Reborn.Core;
using Reborn.Core.Cluster;

namespace Reborn.Resp.Server;

/// <summary>
/// Clients blocked on keys (BLPOP, BZPOPMIN ...), served strictly first come, first served, as Redis's
/// handleClientsBlockedOnKeys does: when a key becomes ready, its waiters are tried in arrival order
/// and each takes what it needs from that key until the key runs dry; a waiter that finds nothing
/// (the key is empty again, or holds another type) keeps its place in line.
/// <para>
/// Locks: <see cref="_gate"/> guards the waiter lines and every serve pass; a serve pass calls the
/// storage, so <see cref="_gate"/> is always taken before any storage lock, never after. KeyReady can
/// be raised while a storage lock is held (EXEC holds them all), so it only touches the leaf
/// <see cref="_readyGate"/> and never serves inline. Ready keys are served by the connection that
/// made them ready, right after its command (or EXEC) returns, through <see cref="ServeReadyKeys"/>;
/// a thread-pool pass covers writes that come from elsewhere (the in-process API).
/// </para>
/// </summary>
internal sealed class BlockingWaiters : IDisposable
{
    private readonly IKeyValueCluster _cluster;
    private readonly Dictionary<(int Db, string Key), LinkedList<Waiter>> _byKey = new();
    private readonly Lock _gate = new();
    private readonly Lock _readyGate = new();
    private readonly Queue<(int Db, byte[]? Key)> _ready = new();
    private readonly HashSet<(int Db, string? Key)> _queued = new();
    private int _pending;
    private int _scheduled;
    private int _count;

    public BlockingWaiters(IKeyValueCluster cluster)
    {
        _cluster = cluster;
        cluster.KeyReady += OnKeyReady;
    }

    /// <summary>Tries to serve a waiter from one ready key: true when it took what it waits for.</summary>
    /// <remarks>Runs under the waiters' lock on the serving thread; must complete synchronously. A
    /// <see cref="RebornException"/> ends the wait with that error (BLMOVE into a key of another type).</remarks>
    public delegate bool ServeFromKey(byte[] key);

    /// <summary>One blocked client, registered on each of its keys.</summary>
    public sealed class Waiter
    {
        internal Waiter(int db, byte[][] keys, string[] names, ServeFromKey serve)
        {
            Db = db;
            KeyBytes = keys;
            Names = names;
            Serve = serve;
        }

        public int Db { get; }
        internal byte[][] KeyBytes { get; }
        internal string[] Names { get; }
        internal ServeFromKey Serve { get; }
        internal bool Registered { get; set; }

        /// <summary>True once served; faults with the error a serve pass met.</summary>
        internal TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public static string KeyName(ReadOnlySpan<byte> key) => Encoding.Latin1.GetString(key);

    /// <summary>Clients blocked right now (INFO's blocked_clients).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The blocking command's first step. When nobody waits on any of <paramref name="keys"/>,
    /// <paramref name="tryNow"/> runs the non-blocking pop (its errors propagate) and, if it served
    /// the client, null is returned. Otherwise the client joins the end of each key's line and the
    /// returned waiter is awaited with <see cref="WaitAsync"/>.
    /// </summary>
    public Waiter? BlockOrServe(int db, byte[][] keys, Func<bool> tryNow, ServeFromKey serve)
    {
        var names = new string[keys.Length];
        for (int i = 0; i < keys.Length; i++) names[i] = KeyName(keys[i]);
        Waiter waiter;
        bool behindOthers = false;
        lock (_gate)
        {
            foreach (var name in names) behindOthers |= _byKey.ContainsKey((db, name));
            // Counted before trying, so a push that lands after the try sees a waiter and queues its key.
            Interlocked.Increment(ref _count);
            bool registered = false;
            try
            {
                if (!behindOthers && tryNow()) return null;
                waiter = new Waiter(db, keys, names, serve);
                foreach (var name in names.Distinct())
                {
                    if (!_byKey.TryGetValue((db, name), out var line)) _byKey[(db, name)] = line = new LinkedList<Waiter>();
                    line.AddLast(waiter);
                }
                waiter.Registered = registered = true;
            }
            finally
            {
                if (!registered) Interlocked.Decrement(ref _count);
            }
        }
        if (behindOthers)
        {
            // Earlier clients wait on one of these keys: if data is there they take it first, then this one.
            foreach (var key in keys) Enqueue(db, key);
            ServeReadyKeys();
        }
        return waiter;
    }

    /// <summary>
    /// Waits until the waiter is served (true), the timeout passes (false; null waits forever) or
    /// <paramref name="aborted"/> fires (OperationCanceledException). Always leaves the lines; a waiter
    /// served while timing out still returns true, so no popped element is lost.
    /// </summary>
    public async Task<bool> WaitAsync(Waiter waiter, TimeSpan? timeout, CancellationToken aborted)
    {
        try
        {
            if (timeout is null) await waiter.Done.Task.WaitAsync(aborted).ConfigureAwait(false);
            else
            {
                // Task.WaitAsync takes at most ~49 days at once: wait in slices towards the deadline.
                long deadline = Environment.TickCount64 + (long)timeout.Value.TotalMilliseconds;
                while (true)
                {
                    long left = deadline - Environment.TickCount64;
                    if (left <= 0) throw new TimeoutException();
                    try
                    {
                        await waiter.Done.Task.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(left, (long)TimeSpan.FromDays(1).TotalMilliseconds)), aborted).ConfigureAwait(false);
                        break;
                    }
                    catch (TimeoutException) when (deadline - Environment.TickCount64 > 0) { }
                }
            }
        }
        catch (TimeoutException)
        {
            if (Leave(waiter)) return false;
        }
        catch (OperationCanceledException)
        {
            if (Leave(waiter)) throw;
        }
        catch (Exception) when (Leave(waiter))
        {
            throw;
        }
        return await waiter.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Takes the waiter out of its lines; false when a serve pass already finished it.</summary>
    private bool Leave(Waiter waiter)
    {
        lock (_gate)
        {
            if (!waiter.Registered) return false;
            Unregister(waiter);
            return true;
        }
    }

    private void Unregister(Waiter waiter)
    {
        waiter.Registered = false;
        Interlocked.Decrement(ref _count);
        foreach (var name in waiter.Names)
        {
            if (!_byKey.TryGetValue((waiter.Db, name), out var line)) continue;
            line.Remove(waiter);
            if (line.Count == 0) _byKey.Remove((waiter.Db, name));
        }
    }

    /// <summary>
    /// Serves every key made ready so far, in the order they became ready, each to its waiters in
    /// arrival order. Cheap when nothing is pending; called after every command a connection runs.
    /// </summary>
    public void ServeReadyKeys()
    {
        if (Volatile.Read(ref _pending) == 0) return;
        lock (_gate)
        {
            while (TryDequeue(out int db, out byte[]? key))
            {
                if (key is not null)
                {
                    ServeKey(db, KeyName(key), key);
                    continue;
                }
                // SWAPDB: every key of the database that someone waits on may hold data now.
                var waited = new List<(string Name, byte[] Key)>();
                foreach (var ((waiterDb, name), line) in _byKey)
                    if (waiterDb == db) waited.Add((name, Encoding.Latin1.GetBytes(name)));
                foreach (var (name, bytes) in waited) ServeKey(db, name, bytes);
            }
        }
    }

    /// <summary>Runs under <see cref="_gate"/>.</summary>
    private void ServeKey(int db, string name, byte[] key)
    {
        if (!_byKey.TryGetValue((db, name), out var line)) return;
        for (var node = line.First; node is not null;)
        {
            var next = node.Next;
            var waiter = node.Value;
            try
            {
                if (waiter.Serve(key))
                {
                    Unregister(waiter);
                    waiter.Done.TrySetResult(true);
                }
            }
            catch (Exception error)
            {
                Unregister(waiter);
                waiter.Done.TrySetException(error);
            }
            node = next;
        }
    }

    private void OnKeyReady(int db, byte[] key)
    {
        if (Volatile.Read(ref _count) == 0) return; // nobody blocked: nothing to serve
        Enqueue(db, key.Length == 0 ? null : key);
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static self => self.RunScheduled(), this, preferLocal: false);
    }

    private void RunScheduled()
    {
        Volatile.Write(ref _scheduled, 0);
        ServeReadyKeys();
    }

    private void Enqueue(int db, byte[]? key)
    {
        lock (_readyGate)
        {
            if (!_queued.Add((db, key is null ? null : KeyName(key)))) return;
            _ready.Enqueue((db, key));
            Volatile.Write(ref _pending, _ready.Count);
        }
    }

    private bool TryDequeue(out int db, out byte[]? key)
    {
        lock (_readyGate)
        {
            if (!_ready.TryDequeue(out var item))
            {
                db = 0;
                key = null;
                return false;
            }
            _queued.Remove((item.Db, item.Key is null ? null : KeyName(item.Key)));
            Volatile.Write(ref _pending, _ready.Count);
            (db, key) = item;
            return true;
        }
    }

    public void Dispose() => _cluster.KeyReady -= OnKeyReady;
}
