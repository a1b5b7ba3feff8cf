using System.Text.Json;
using Reborn.Core.DataModel;
using Reborn.Core.Slots;
using Reborn.Storage;

namespace Reborn.Core.Cluster;

/// <summary>
/// The cluster's own records, kept in group 0's engine beside its data: the list of groups and
/// the slot table. Written synchronously and flushed, so a restart restores exactly the topology
/// that was acknowledged. A caller that must not wait for the flush where it saves (a snapshot
/// switch, inside its write freeze) saves without it and calls <see cref="Flush"/> before anything
/// depends on the new table surviving a machine crash.
/// </summary>
internal sealed class ClusterCatalog
{
    private static readonly byte[] SlotTableKey = KeyEncoding.SystemKey(KeyEncoding.SystemSlotTable);
    private static readonly byte[] GroupsKey = KeyEncoding.SystemKey(KeyEncoding.SystemGroups);
    private readonly IStorageEngine _home;

    public ClusterCatalog(IStorageEngine home) => _home = home;

    /// <summary>A group as the catalog records it. Path null: the default folder under the data directory.</summary>
    public sealed record GroupRecord(int Id, string? Path);

    public SlotTable? LoadSlotTable() => _home.Get(SlotTableKey) is { } bytes ? SlotTable.Decode(bytes) : null;

    public List<GroupRecord> LoadGroups() =>
        _home.Get(GroupsKey) is { } bytes ? JsonSerializer.Deserialize<List<GroupRecord>>(bytes) ?? [] : [];

    public void Save(SlotTable table, IEnumerable<GroupRecord> groups, bool flush = true)
    {
        using var batch = _home.CreateBatch();
        batch.Put(SlotTableKey, table.Encode());
        batch.Put(GroupsKey, JsonSerializer.SerializeToUtf8Bytes(groups.OrderBy(g => g.Id).ToList()));
        _home.Write(batch);
        if (flush) _home.Flush();
    }

    /// <summary>Makes the last <see cref="Save"/> survive a machine crash.</summary>
    public void Flush() => _home.Flush();
}
