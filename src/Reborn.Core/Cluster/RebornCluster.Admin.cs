using Microsoft.Extensions.Logging;
using Reborn.Core.DataModel;
using Reborn.Core.Migration;
using Reborn.Core.Slots;

namespace Reborn.Core.Cluster;

/// <summary>The administrative surface: groups, the slot table, migration, rebalancing, statistics.</summary>
public sealed partial class RebornCluster
{
    /// <summary>
    /// Applies a change to the slot table under the topology lock, persists it, and installs it.
    /// Must not be called while holding the topology lock's callers' keyspace gates in another order:
    /// the topology lock is always taken last.
    /// </summary>
    internal void ChangeTable(Func<SlotTable, SlotTable> change, bool flush = true)
    {
        lock (_topologyGate) CommitTable(change(_table), flush);
    }

    public SlotTable Topology => _table;

    /// <summary>
    /// Makes "the group exists, then a migration or an assignment names it" atomic against its removal:
    /// a migration's table changes happen later, on its own task, so the table alone cannot tell
    /// RemoveGroupAsync that a group is about to receive slots. Always taken first, before the
    /// coordinator's lock or the topology lock; nothing holding those takes it.
    /// </summary>
    private readonly Lock _membershipGate = new();

    private void RequireGroup(int id)
    {
        if ((uint)id >= MaxGroups || _groups[id] is null) throw new RebornException($"ERR group {id} does not exist");
    }

    public async ValueTask<GroupInfo> AddGroupAsync(int id, string? path = null)
    {
        if (id is < 0 or >= MaxGroups) throw new RebornException($"ERR group id must be 0..{MaxGroups - 1}");
        lock (_topologyGate)
        {
            if (_groups[id] is not null) throw new RebornException($"ERR group {id} already exists");
            var group = OpenGroup(_options, id, path, _versions);
            group.Keyspace.AdoptDatabaseMap(Group(0).Keyspace.DatabaseMap);
            Attach(group);
            CommitTable(_table); // persists the group list; the new group owns nothing yet
            Logger.LogInformation("Group {Group} added at {Path}", id, GroupPath(_options, id, path) ?? "(memory)");
        }
        await Task.CompletedTask.ConfigureAwait(false);
        return ListGroups().First(g => g.Id == id);
    }

    public ValueTask RemoveGroupAsync(int id)
    {
        if ((uint)id >= MaxGroups) throw new RebornException($"ERR group {id} does not exist");
        lock (_membershipGate)
        {
            // Read before the topology lock: the coordinator's lock is never taken inside it.
            var migration = Migrations.Status;
            if (migration.State == MigrationState.Running && migration.TargetGroup == id)
                throw new RebornException($"ERR group {id} is the target of the running migration");
            RemoveGroupLocked(id);
        }
        return ValueTask.CompletedTask;
    }

    private void RemoveGroupLocked(int id)
    {
        lock (_topologyGate)
        {
            var group = _groups[id] ?? throw new RebornException($"ERR group {id} does not exist");
            if (id == 0) throw new RebornException("ERR group 0 holds the cluster's catalog and cannot be removed");
            if (_table.SlotsOf(id).Any()) throw new RebornException($"ERR group {id} still owns slots; migrate them away first");
            var groups = (LocalGroup?[])_groups.Clone();
            groups[id] = null;
            _groups = groups;
            CommitTable(_table);
            group.Engine.Flush();
            group.Dispose();
            Logger.LogInformation("Group {Group} removed (its directory is left on disk)", id);
        }
    }

    public IReadOnlyList<GroupInfo> ListGroups()
    {
        var table = _table;
        return Groups.Select(g =>
        {
            int slots = 0;
            long keys = 0, bytes = 0;
            for (int s = 0; s < SlotHash.SlotCount; s++)
            {
                if (table[s].ServingGroup != g.Id) continue;
                slots++;
                var (k, b) = g.Keyspace.SlotStatistics(s);
                keys += k;
                bytes += b;
            }
            return new GroupInfo(g.Id, GroupPath(_options, g.Id, g.Path), slots, keys, bytes);
        }).ToList();
    }

    /// <summary>Assigns empty slots to a group (initial layout). Slots holding keys must be migrated instead.</summary>
    public ValueTask AssignSlotsAsync(int first, int last, int group)
    {
        if (first < 0 || last >= SlotHash.SlotCount || first > last) throw new RebornException($"ERR invalid slot range {first}-{last}");
        lock (_membershipGate)
        {
            RequireGroup(group);
            for (int s = first; s <= last; s++)
            {
                var a = _table[s];
                if (a.IsMigrating) throw new RebornException($"ERR slot {s} is migrating");
                if (a.Group != group && Group(a.Group).Keyspace.SlotStatistics(s).Keys > 0)
                    throw new RebornException($"ERR slot {s} holds keys; migrate it instead");
            }
            ChangeTable(t => t.With(first, last, _ => new SlotAssignment(group)));
        }
        return ValueTask.CompletedTask;
    }

    public SlotStatistics GetSlotStatistics(int slot)
    {
        if ((uint)slot >= SlotHash.SlotCount) throw new RebornException("ERR invalid slot");
        var a = _table[slot];
        var (keys, bytes) = Group(a.ServingGroup).Keyspace.SlotStatistics(slot);
        if (a.State == SlotState.MigratingKeys)
        {
            var (k, b) = Group(a.Group).Keyspace.SlotStatistics(slot);
            keys += k;
            bytes += b;
        }
        return new SlotStatistics(slot, a, keys, bytes);
    }

    public MigrationProgress StartMigration(int firstSlot, int lastSlot, int group, MigrationMode mode = MigrationMode.Snapshot, MigrationOptions? options = null)
    {
        lock (_membershipGate)
        {
            RequireGroup(group);
            return Migrations.Start(firstSlot, lastSlot, group, mode, options ?? new MigrationOptions());
        }
    }

    public async Task<MigrationProgress> MigrateAsync(int firstSlot, int lastSlot, int group, MigrationMode mode = MigrationMode.Snapshot,
        MigrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        StartMigration(firstSlot, lastSlot, group, mode, options);
        using (cancellationToken.Register(() => Migrations.Cancel()))
            await Migrations.Completion.ConfigureAwait(false);
        return Migrations.Status;
    }

    public MigrationProgress MigrationStatus => Migrations.Status;

    public bool CancelMigration() => Migrations.Cancel();

    public Task MigrationCompletion => Migrations.Completion;

    /// <summary>
    /// Spreads the slots over the groups evenly, or in proportion to <paramref name="weights"/>
    /// (group id → weight), as contiguous ranges in group-id order, and migrates what differs.
    /// </summary>
    public async Task<int> RebalanceAsync(IReadOnlyDictionary<int, double>? weights = null, MigrationMode mode = MigrationMode.Snapshot,
        MigrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var plan = PlanRebalance(weights);
        int moved = 0;
        foreach (var (first, last, group) in plan)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await MigrateAsync(first, last, group, mode, options, cancellationToken).ConfigureAwait(false);
            if (result.State != MigrationState.Completed)
                throw new RebornException($"ERR rebalance stopped: migration of slots {first}-{last} {result.State.ToString().ToLowerInvariant()}{(result.Error is null ? "" : ": " + result.Error)}");
            moved += last - first + 1;
        }
        return moved;
    }

    /// <summary>The ranges that must move for the layout <see cref="RebalanceAsync"/> aims at.</summary>
    public List<(int First, int Last, int Group)> PlanRebalance(IReadOnlyDictionary<int, double>? weights = null)
    {
        var ids = Groups.Select(g => g.Id).OrderBy(id => id).ToList();
        var w = ids.Select(id => weights is null ? 1.0 : weights.GetValueOrDefault(id, 0)).ToList();
        double total = w.Sum();
        if (total <= 0) throw new RebornException("ERR rebalance needs a positive weight for some group");
        var desired = new int[SlotHash.SlotCount];
        double acc = 0;
        int slot = 0;
        for (int i = 0; i < ids.Count; i++)
        {
            acc += w[i];
            int end = i == ids.Count - 1 ? SlotHash.SlotCount : (int)Math.Round(acc / total * SlotHash.SlotCount);
            for (; slot < end; slot++) desired[slot] = ids[i];
        }
        var plan = new List<(int, int, int)>();
        var table = _table;
        for (int s = 0; s < SlotHash.SlotCount; s++)
        {
            if (table[s].ServingGroup == desired[s] && !table[s].IsMigrating) continue;
            int start = s;
            while (s + 1 < SlotHash.SlotCount && desired[s + 1] == desired[start] && (table[s + 1].ServingGroup != desired[s + 1] || table[s + 1].IsMigrating)) s++;
            plan.Add((start, s, desired[start]));
        }
        return plan;
    }
}
