using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reborn.Core.DataModel;
using Reborn.Core.Migration;
using Reborn.Core.Slots;
using Reborn.Storage;

namespace Reborn.Core.Cluster;

/// <summary>
/// The in-process cluster: local groups, each an engine in its own directory, and the slot table
/// that maps the 1024 slots to them. Routing is in RebornCluster.Routing.cs, administration and
/// migration in RebornCluster.Admin.cs.
/// </summary>
public sealed partial class RebornCluster : IKeyValueCluster
{
    private readonly RebornClusterOptions _options;
    private readonly VersionSource _versions = new();
    private readonly KeyValueDatabase[] _databases;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _topologyGate = new();
    private readonly ClusterCatalog _catalog;
    private Task _sweeps = Task.CompletedTask;
    private volatile LocalGroup?[] _groups = new LocalGroup?[MaxGroups];
    private volatile SlotTable _table;
    private int _disposedOnce;

    /// <summary>Group ids are 0..MaxGroups-1.</summary>
    public const int MaxGroups = 1024;

    private RebornCluster(RebornClusterOptions options, LocalGroup home, SlotTable table)
    {
        _options = options;
        Logger = options.Logger ?? NullLogger.Instance;
        _databases = new KeyValueDatabase[Keyspace.DatabaseCount];
        for (int db = 0; db < _databases.Length; db++) _databases[db] = new KeyValueDatabase(this, db);
        _catalog = new ClusterCatalog(home.Engine);
        _table = table;
        Attach(home);
        Migrations = new MigrationCoordinator(this);
    }

    internal ILogger Logger { get; }
    internal RebornClusterOptions Options => _options;
    internal MigrationCoordinator Migrations { get; }

    /// <summary>Opens (or creates) the cluster the options describe, recovering any migration a crash interrupted.</summary>
    public static ValueTask<IKeyValueCluster> OpenAsync(RebornClusterOptions? options = null)
    {
        options ??= new RebornClusterOptions();
        options.Validate();
        var versions = new VersionSource();
        var home = OpenGroup(options, 0, null, versions);
        RebornCluster? cluster = null;
        try
        {
            var catalog = new ClusterCatalog(home.Engine);
            var table = catalog.LoadSlotTable() ?? SlotTable.AllIn(0);
            cluster = new RebornCluster(options, home, table);
            foreach (var record in catalog.LoadGroups().Where(g => g.Id != 0))
                cluster.Attach(OpenGroup(options, record.Id, record.Path, cluster._versions));
            cluster.ApplyTable(table);
            cluster.Migrations.Recover();
            cluster._sweeps = options.BackgroundSweeps ? Task.Run(cluster.RunSweepsAsync) : Task.CompletedTask;
            return ValueTask.FromResult<IKeyValueCluster>(cluster);
        }
        catch
        {
            if (cluster is not null) foreach (var group in cluster.Groups) group.Dispose();
            else home.Dispose();
            throw;
        }
    }

    internal static string? GroupPath(RebornClusterOptions options, int id, string? path) =>
        options.Engine == EngineKind.Memory ? null : path ?? Path.Combine(options.DataDirectory, $"group-{id}");

    private static LocalGroup OpenGroup(RebornClusterOptions options, int id, string? customPath, VersionSource versions)
    {
        string? path = GroupPath(options, id, customPath);
        var engine = StorageEngines.Open(new EngineOptions
        {
            Kind = options.Engine,
            Path = path,
            Durability = options.Durability,
            MemoryBudgetBytes = options.MemoryBudgetBytes,
        });
        try
        {
            return new LocalGroup(id, customPath, engine, options.Time, versions);
        }
        catch
        {
            engine.Dispose(); // a refused engine (another layout, unreadable counters) must not keep its lock
            throw;
        }
    }

    private void Attach(LocalGroup group)
    {
        var groups = (LocalGroup?[])_groups.Clone();
        groups[group.Id] = group;
        _groups = groups;
        RefreshSingleGroup();
        group.Keyspace.KeyReady += (db, key) => KeyReady?.Invoke(db, key);
    }

    internal IEnumerable<LocalGroup> Groups => _groups.Where(g => g is not null)!;

    internal LocalGroup Group(int id) => _groups[id] ?? throw new InvalidOperationException($"group {id} does not exist");

    internal SlotTable Table => _table;

    /// <summary>
    /// Installs a slot table: persists it with the group list, then tells every keyspace which slots
    /// it serves. Callers hold <see cref="_topologyGate"/>. Without <paramref name="flush"/> the table
    /// reaches the OS but not the disk: the caller calls <see cref="FlushCatalog"/> before it drops
    /// anything the old table needs.
    /// </summary>
    internal void CommitTable(SlotTable table, bool flush = true)
    {
        _catalog.Save(table, Groups.Select(g => new ClusterCatalog.GroupRecord(g.Id, g.Path)), flush);
        ApplyTable(table);
    }

    /// <summary>Syncs the catalog: the last table installed survives a machine crash.</summary>
    internal void FlushCatalog() => _catalog.Flush();

    /// <summary>The durability of the groups' engines.</summary>
    internal Durability Durability => _options.Durability;

    /// <summary>
    /// Installs the table's ownership in the groups, then the table itself for routers. A group whose
    /// served slots change gets them under its gate (gates taken in group-id order, after the topology
    /// lock): an operation that passed its ownership check finishes first, so a key-by-key source never
    /// gains a key once its slot moves, and a multi-key operation sees one ownership throughout.
    /// </summary>
    private void ApplyTable(SlotTable table)
    {
        var changed = new List<(Keyspace Keyspace, bool[] Serves, bool[] Holds)>();
        foreach (var group in Groups)
        {
            var serves = new bool[SlotHash.SlotCount];
            var holds = new bool[SlotHash.SlotCount];
            bool differs = false;
            for (int slot = 0; slot < SlotHash.SlotCount; slot++)
            {
                var a = table[slot];
                serves[slot] = a.ServingGroup == group.Id;
                holds[slot] = serves[slot] || (a.State == SlotState.MigratingKeys && a.Group == group.Id);
                differs |= serves[slot] != group.Keyspace.Serves(slot) || holds[slot] != group.Keyspace.Holds(slot);
            }
            if (differs) changed.Add((group.Keyspace, serves, holds));
        }
        int entered = 0;
        try
        {
            for (; entered < changed.Count; entered++) changed[entered].Keyspace.Gate.Enter();
            foreach (var (keyspace, serves, holds) in changed) keyspace.SetServedSlots(serves, holds);
            _table = table;
        }
        finally
        {
            while (entered > 0) changed[--entered].Keyspace.Gate.Exit();
        }
        RefreshSingleGroup();
    }

    /// <summary>
    /// The topology lock. Whoever holds it with keyspace gates takes it first (a snapshot switch does),
    /// since installing a table takes the gates of the groups it changes.
    /// </summary>
    internal Lock TopologyGate => _topologyGate;

    public int DatabaseCount => Keyspace.DatabaseCount;

    public event Action<int, byte[]>? KeyReady;

    public KeyValueDatabase GetDatabase(int db = 0)
    {
        if ((uint)db >= (uint)_databases.Length) throw new RebornException(Errors.DbIndexOutOfRange);
        return _databases[db];
    }

    /// <summary>The engine of a group, for tests and tools that inspect records.</summary>
    internal IStorageEngine EngineOf(int group) => Group(group).Engine;

    internal IEnumerable<Keyspace> AllKeyspaces => Groups.Select(g => g.Keyspace);

    public IDisposable BeginExclusive() => new ExclusiveScope(Groups.ToArray());

    private sealed class ExclusiveScope : IDisposable
    {
        private readonly LocalGroup[] _groups;
        private bool _disposed;

        public ExclusiveScope(LocalGroup[] groups)
        {
            _groups = groups;
            foreach (var group in groups) group.Keyspace.Gate.Enter(); // always in group-id order: no deadlock
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
            foreach (var group in Groups)
                group.Keyspace.Watches.Add(group.Keyspace.Physical(db), key.Span.ToArray(), set);
        return set;
    }

    public void Unwatch(WatchSet set)
    {
        foreach (var group in Groups) group.Keyspace.Watches.Remove(set);
    }

    public ValueTask FlushAllAsync()
    {
        foreach (var group in Groups) group.Keyspace.FlushAll();
        return ValueTask.CompletedTask;
    }

    public ValueTask SwapDatabasesAsync(int first, int second)
    {
        if ((uint)first >= Keyspace.DatabaseCount || (uint)second >= Keyspace.DatabaseCount)
            throw new RebornException(Errors.DbIndexOutOfRange);
        foreach (var group in Groups) group.Keyspace.SwapDatabases(first, second);
        return ValueTask.CompletedTask;
    }

    public ValueTask FlushAsync()
    {
        foreach (var group in Groups) group.Engine.Flush();
        return ValueTask.CompletedTask;
    }

    public ClusterStatistics GetStatistics()
    {
        long a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0;
        foreach (var group in Groups)
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
        foreach (var group in Groups)
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
                foreach (var group in Groups)
                {
                    try
                    {
                        group.Keyspace.SweepExpired(_options.ExpiryBudget, 1000);
                        group.Keyspace.SweepGarbage(_options.GarbageVersionsPerSweep);
                    }
                    catch (Exception error) when (error is not OperationCanceledException and not ObjectDisposedException)
                    {
                        Logger.LogError(error, "Background sweep of group {Group} failed; it runs again next tick", group.Id);
                    }
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Flushes and closes every group. Idempotent: a host may stop it and then dispose its container.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposedOnce, 1) == 1) return;
        _stop.Cancel();
        await Migrations.StopAsync().ConfigureAwait(false);
        try { await _sweeps.ConfigureAwait(false); } catch (Exception) { /* the sweep never blocks shutdown */ }
        foreach (var group in Groups)
        {
            group.Engine.Flush();
            group.Dispose();
        }
        _stop.Dispose();
    }
}
