using Reborn.Core.DataModel;
using Reborn.Storage;

namespace Reborn.Core.Cluster;

/// <summary>The in-process cluster: today one local group owning all 1024 slots.</summary>
public sealed class RebornCluster : IKeyValueCluster
{
    private readonly RebornClusterOptions _options;
    private readonly LocalGroup[] _groups;
    private readonly KeyValueDatabase[] _databases;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sweeps;

    private RebornCluster(RebornClusterOptions options, LocalGroup[] groups)
    {
        _options = options;
        _groups = groups;
        _databases = new KeyValueDatabase[Keyspace.DatabaseCount];
        for (int db = 0; db < _databases.Length; db++) _databases[db] = new KeyValueDatabase(this, db);
        foreach (var group in groups) group.Keyspace.KeyReady += (db, key) => KeyReady?.Invoke(db, key);
        _sweeps = options.BackgroundSweeps ? Task.Run(RunSweepsAsync) : Task.CompletedTask;
    }

    /// <summary>Opens (or creates) the cluster the options describe.</summary>
    public static ValueTask<IKeyValueCluster> OpenAsync(RebornClusterOptions? options = null)
    {
        options ??= new RebornClusterOptions();
        options.Validate();
        string? path = options.Engine == EngineKind.Memory ? null : Path.Combine(options.DataDirectory, "group-0");
        var engine = StorageEngines.Open(new EngineOptions
        {
            Kind = options.Engine,
            Path = path,
            Durability = options.Durability,
            MemoryBudgetBytes = options.MemoryBudgetBytes,
        });
        var group = new LocalGroup(0, engine, options.Time);
        return ValueTask.FromResult<IKeyValueCluster>(new RebornCluster(options, [group]));
    }

    public int DatabaseCount => Keyspace.DatabaseCount;

    public event Action<int, byte[]>? KeyReady;

    public KeyValueDatabase GetDatabase(int db = 0)
    {
        if ((uint)db >= (uint)_databases.Length) throw new RebornException(Errors.DbIndexOutOfRange);
        return _databases[db];
    }

    /// <summary>The keyspace holding a key's slot. With one group, always group 0.</summary>
    internal Keyspace Route(ReadOnlySpan<byte> key) => _groups[0].Keyspace;

    /// <summary>The keyspace that holds every one of the keys, for atomic multi-key commands.</summary>
    internal Keyspace RouteAll(ReadOnlySpan<byte[]> keys) => _groups[0].Keyspace;

    /// <summary>The engine of a group, for tests and tools that inspect records.</summary>
    internal IStorageEngine EngineOf(int group) => _groups[group].Engine;

    internal IEnumerable<Keyspace> AllKeyspaces => _groups.Select(g => g.Keyspace);

    public IDisposable BeginExclusive() => new ExclusiveScope(_groups);

    private sealed class ExclusiveScope : IDisposable
    {
        private readonly LocalGroup[] _groups;
        private bool _disposed;

        public ExclusiveScope(LocalGroup[] groups)
        {
            _groups = groups;
            foreach (var group in groups) group.Keyspace.Gate.Enter(); // always in group order: no deadlock
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            for (int i = _groups.Length - 1; i >= 0; i--) _groups[i].Keyspace.Gate.Exit();
        }
    }

    public WatchSet Watch(WatchSet? set, int db, params RebornKey[] keys)
    {
        set ??= new WatchSet();
        foreach (var key in keys)
        {
            var keyspace = Route(key.Span);
            keyspace.Watches.Add(keyspace.Physical(db), key.Span.ToArray(), set);
        }
        return set;
    }

    public void Unwatch(WatchSet set)
    {
        foreach (var group in _groups) group.Keyspace.Watches.Remove(set);
    }

    public ValueTask FlushAllAsync()
    {
        foreach (var group in _groups) group.Keyspace.FlushAll();
        return ValueTask.CompletedTask;
    }

    public ValueTask SwapDatabasesAsync(int first, int second)
    {
        if ((uint)first >= Keyspace.DatabaseCount || (uint)second >= Keyspace.DatabaseCount)
            throw new RebornException(Errors.DbIndexOutOfRange);
        foreach (var group in _groups) group.Keyspace.SwapDatabases(first, second);
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync()
    {
        foreach (var group in _groups) group.Engine.Flush();
        return ValueTask.CompletedTask;
    }

    public ClusterStatistics GetStatistics()
    {
        long a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0;
        foreach (var group in _groups)
        {
            var k = group.Keyspace;
            a += k.Expiry.ExpiredOnAccess; b += k.Expiry.ExpiredBySweep; c += k.Expiry.SweepRuns;
            d += k.Garbage.Queued; e += k.Garbage.Swept; f += k.Garbage.SweepRuns; g += k.GarbagePending();
        }
        return new ClusterStatistics(a, b, c, d, e, f, g);
    }

    public ValueTask<(long Expired, long Swept)> SweepAsync()
    {
        long expired = 0, swept = 0;
        foreach (var group in _groups)
        {
            expired += group.Keyspace.SweepExpired(TimeSpan.FromMinutes(1), int.MaxValue); // on demand: no CPU budget
            swept += group.Keyspace.SweepGarbage(int.MaxValue);
        }
        return ValueTask.FromResult((expired, swept));
    }

    private async Task RunSweepsAsync()
    {
        using var timer = new PeriodicTimer(_options.SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                foreach (var group in _groups)
                {
                    group.Keyspace.SweepExpired(_options.ExpiryBudget, 1000);
                    group.Keyspace.SweepGarbage(_options.GarbageVersionsPerSweep);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    private int _disposedOnce;

    /// <summary>Flushes and closes every group. Idempotent: a host may stop it and then dispose its container.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposedOnce, 1) == 1) return;
        _stop.Cancel();
        try { await _sweeps.ConfigureAwait(false); } catch (Exception) { /* the sweep never blocks shutdown */ }
        foreach (var group in _groups)
        {
            group.Engine.Flush();
            group.Dispose();
        }
        _stop.Dispose();
    }
}
