namespace Reborn.Core.Cluster;

/// <summary>
/// The entry point: Redis's data model on an LSM engine, sharded into 1024 slots owned by groups.
/// Safe to use from many threads. Open one with <see cref="RebornCluster.OpenAsync"/>.
/// </summary>
public interface IKeyValueCluster : IAsyncDisposable
{
    /// <summary>Numbered databases, as SELECT sees them: 0..DatabaseCount-1.</summary>
    int DatabaseCount { get; }

    /// <summary>The typed operations of one numbered database. Cheap; the same object each time.</summary>
    KeyValueDatabase GetDatabase(int db = 0);

    /// <summary>FLUSHALL.</summary>
    ValueTask FlushAllAsync();

    /// <summary>SWAPDB.</summary>
    ValueTask SwapDatabasesAsync(int first, int second);

    /// <summary>Makes every write so far durable on every group.</summary>
    ValueTask FlushAsync();

    /// <summary>Counters of expiry and of the garbage sweep, summed over groups.</summary>
    ClusterStatistics GetStatistics();

    /// <summary>Runs one expiry sweep and one garbage sweep on every group now (tests, SAVE, DEBUG).</summary>
    ValueTask<(long Expired, long Swept)> SweepAsync();

    /// <summary>
    /// Runs the caller alone against every group until the scope is disposed: MULTI/EXEC's
    /// atomicity. Operations inside must complete synchronously on the calling thread.
    /// </summary>
    IDisposable BeginExclusive();

    /// <summary>WATCH: adds keys of a database to <paramref name="set"/> (a new set when null) and returns it.</summary>
    WatchSet Watch(WatchSet? set, int db, params RebornKey[] keys);

    /// <summary>UNWATCH: forgets every key of the set.</summary>
    void Unwatch(WatchSet set);

    // ---- administration: groups, slots, migration ------------------------------------------

    /// <summary>The slot table: each slot's group and state, with its version.</summary>
    Slots.SlotTable Topology { get; }

    /// <summary>Adds a local group with its own engine (default folder: group-&lt;id&gt; under the data directory).</summary>
    ValueTask<GroupInfo> AddGroupAsync(int id, string? path = null);

    /// <summary>Removes a group that owns no slots. Its directory stays on disk.</summary>
    ValueTask RemoveGroupAsync(int id);

    IReadOnlyList<GroupInfo> ListGroups();

    /// <summary>Assigns empty slots to a group (initial layout).</summary>
    ValueTask AssignSlotsAsync(int firstSlot, int lastSlot, int group);

    SlotStatistics GetSlotStatistics(int slot);

    /// <summary>Starts moving a slot range to a group in the background; one migration runs at a time.</summary>
    Migration.MigrationProgress StartMigration(int firstSlot, int lastSlot, int group, Migration.MigrationMode mode = Migration.MigrationMode.Snapshot, Migration.MigrationOptions? options = null);

    /// <summary>Moves a slot range and waits for the outcome; cancelling the token cancels the migration.</summary>
    Task<Migration.MigrationProgress> MigrateAsync(int firstSlot, int lastSlot, int group, Migration.MigrationMode mode = Migration.MigrationMode.Snapshot,
        Migration.MigrationOptions? options = null, CancellationToken cancellationToken = default);

    Migration.MigrationProgress MigrationStatus { get; }

    /// <summary>Completes when the current (or last) migration ends.</summary>
    Task MigrationCompletion { get; }

    /// <summary>Cancels the running migration: unfinished slots go back to their source. False when none runs.</summary>
    bool CancelMigration();

    /// <summary>Spreads slots evenly over the groups, or by weight; returns how many slots moved.</summary>
    Task<int> RebalanceAsync(IReadOnlyDictionary<int, double>? weights = null, Migration.MigrationMode mode = Migration.MigrationMode.Snapshot,
        Migration.MigrationOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Raised when a list or sorted set receives elements (or databases swap); blocking pops wait on it.</summary>
    event Action<int, byte[]>? KeyReady;
}

/// <summary>Counters of the background jobs.</summary>
public sealed record ClusterStatistics(
    long ExpiredOnAccess,
    long ExpiredBySweep,
    long ExpirySweepRuns,
    long GarbageQueued,
    long GarbageSwept,
    long GarbageSweepRuns,
    long GarbagePending);
