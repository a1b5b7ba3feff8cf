using System.Text;
using Reborn.Core.Cluster;

namespace Reborn.Resp.Server;

/// <summary>
/// Clients blocked on keys (BLPOP, BZPOPMIN ...), first come, first served. A waiter registers on
/// its keys; when the cluster reports a key ready, waiters on it are woken in arrival order and
/// each retries its pop; one that finds nothing waits again at the head of the line.
/// </summary>
internal sealed class BlockingWaiters : IDisposable
{
    private readonly IKeyValueCluster _cluster;
    private readonly Dictionary<(int Db, string Key), LinkedList<Waiter>> _byKey = new();
    private readonly Lock _gate = new();

    public BlockingWaiters(IKeyValueCluster cluster)
    {
        _cluster = cluster;
        cluster.KeyReady += OnKeyReady;
    }

    /// <summary>One blocked client. <see cref="Signal"/> completes when one of its keys may have data.</summary>
    public sealed class Waiter
    {
        internal Waiter(int db, string[] keys) { Db = db; Keys = keys; }
        public int Db { get; }
        internal string[] Keys { get; }
        internal TaskCompletionSource Signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Ready => Signal.Task;
        internal void Rearm() => Signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public static string KeyName(ReadOnlySpan<byte> key) => Encoding.Latin1.GetString(key);

    public Waiter Register(int db, IEnumerable<byte[]> keys)
    {
        var waiter = new Waiter(db, keys.Select(k => KeyName(k)).Distinct().ToArray());
        lock (_gate)
        {
            foreach (var key in waiter.Keys)
            {
                if (!_byKey.TryGetValue((db, key), out var line)) _byKey[(db, key)] = line = new LinkedList<Waiter>();
                line.AddLast(waiter);
            }
        }
        return waiter;
    }

    /// <summary>Re-arms a waiter that was woken but found nothing, keeping its place in line.</summary>
    public Task Rearm(Waiter waiter)
    {
        lock (_gate) waiter.Rearm();
        return waiter.Ready;
    }

    public void Unregister(Waiter waiter)
    {
        lock (_gate)
        {
            foreach (var key in waiter.Keys)
            {
                if (!_byKey.TryGetValue((waiter.Db, key), out var line)) continue;
                line.Remove(waiter);
                if (line.Count == 0) _byKey.Remove((waiter.Db, key));
            }
        }
    }

    /// <summary>The first waiter in line for a key, so first-come-first-served holds across wake-ups.</summary>
    public bool IsFirstInLine(Waiter waiter, string key)
    {
        lock (_gate) return _byKey.TryGetValue((waiter.Db, key), out var line) && line.First?.Value == waiter;
    }

    private void OnKeyReady(int db, byte[] key)
    {
        lock (_gate)
        {
            if (key.Length == 0)
            {
                // SWAPDB: every waiter of the database may now find data.
                foreach (var ((waiterDb, _), line) in _byKey)
                    if (waiterDb == db) foreach (var waiter in line) waiter.Signal.TrySetResult();
                return;
            }
            if (_byKey.TryGetValue((db, KeyName(key)), out var waiters))
                foreach (var waiter in waiters) waiter.Signal.TrySetResult();
        }
    }

    public void Dispose() => _cluster.KeyReady -= OnKeyReady;
}
