using Reborn.Core.DataModel;
using Reborn.Core.Slots;

namespace Reborn.Core.Cluster;

/// <summary>
/// Routing: slot → group through the slot table. A key of a slot moving key by key is moved to the
/// target first, then served there; a slot being copied by snapshot is served by its source until
/// the switch. Atomic multi-key commands must land on one group: otherwise CROSSSLOT, or TRYAGAIN
/// while one of their slots is moving, as Redis Cluster answers.
/// </summary>
public sealed partial class RebornCluster
{
    public const string CrossSlotError = "CROSSSLOT Keys in request don't hash to the same slot";
    public const string TryAgainError = "TRYAGAIN Multiple keys request during rehashing of slot";

    /// <summary>The keyspace that serves a key now (moving the key first if its slot moves key by key).</summary>
    internal Keyspace Route(int db, ReadOnlySpan<byte> key)
    {
        if (_singleGroup is { } only) return only.Keyspace;
        int slot = SlotHash.GetSlot(key);
        var a = _table[slot];
        if (a.State == SlotState.MigratingKeys) Migrations.MoveKeyNow(db, slot, key, a);
        return Group(a.ServingGroup).Keyspace;
    }

    /// <summary>
    /// GET (and STRLEN): a key of a slot moving key by key is read where it is, without moving it: in
    /// the source while the source still has it (as Redis Cluster's source answers for keys it still
    /// holds), else in the target. A read waits for no mover and takes no gate.
    /// </summary>
    internal byte[]? GetString(int db, ReadOnlySpan<byte> key)
    {
        if (_singleGroup is { } only) return only.Keyspace.Get(db, key);
        int slot = SlotHash.GetSlot(key);
        var table = _table;
        var a = table[slot];
        if (a.State == SlotState.MigratingKeys && Group(a.Group).Keyspace.TryGetLeaving(db, slot, key, out var value))
        {
            // The source's records are only current while this table is: a later one may have finished
            // the slot or turned the move back (and a snapshot copy may then fill the group). Read again.
            if (!ReferenceEquals(table, _table)) throw new SlotMovedException(slot);
            return value;
        }
        return Group(a.ServingGroup).Keyspace.Get(db, key);
    }

    /// <summary>
    /// SET replacing whatever the key holds (no condition, no GET, no KEEPTTL): a key still in a
    /// key-by-key source is replaced then and there, with no copy (MigrationCoordinator.OverwriteNow).
    /// False when the caller sets it the usual way.
    /// </summary>
    internal bool TryOverwriteLeaving(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, Expiry expiry)
    {
        if (_singleGroup is not null) return false;
        int slot = SlotHash.GetSlot(key);
        var a = _table[slot];
        return a.State == SlotState.MigratingKeys && Migrations.OverwriteNow(db, slot, key, a, value, expiry);
    }

    /// <summary>The one keyspace serving every key, for atomic multi-key commands.</summary>
    internal Keyspace RouteAll(int db, ReadOnlySpan<byte[]> keys)
    {
        if (_singleGroup is { } only) return only.Keyspace;
        int group = -1;
        bool moving = false, split = false;
        var table = _table; // one table for every key: a switch between two keys of one slot must not split them
        foreach (var key in keys)
        {
            int slot = SlotHash.GetSlot(key);
            var a = table[slot];
            if (a.State == SlotState.MigratingKeys) Migrations.MoveKeyNow(db, slot, key, a);
            moving |= a.IsMigrating;
            if (group < 0) group = a.ServingGroup;
            else if (group != a.ServingGroup) split = true;
        }
        if (split) throw new RebornException(moving ? TryAgainError : CrossSlotError);
        return Group(group < 0 ? 0 : group).Keyspace;
    }

    /// <summary>
    /// Splits keys by serving group, for commands Redis semantics let the router split (MGET,
    /// MSET, DEL, EXISTS, UNLINK, TOUCH). Each part lists the indexes of its keys.
    /// </summary>
    internal List<(Keyspace Keyspace, List<int> Indexes)> SplitByGroup(int db, ReadOnlySpan<byte[]> keys)
    {
        var parts = new List<(Keyspace, List<int>)>();
        if (_singleGroup is { } only)
        {
            parts.Add((only.Keyspace, Enumerable.Range(0, keys.Length).ToList()));
            return parts;
        }
        var byGroup = new Dictionary<int, List<int>>();
        for (int i = 0; i < keys.Length; i++)
        {
            int slot = SlotHash.GetSlot(keys[i]);
            var a = _table[slot];
            if (a.State == SlotState.MigratingKeys) Migrations.MoveKeyNow(db, slot, keys[i], a);
            if (!byGroup.TryGetValue(a.ServingGroup, out var list)) byGroup[a.ServingGroup] = list = new List<int>();
            list.Add(i);
        }
        foreach (var (group, indexes) in byGroup.OrderBy(p => p.Key)) parts.Add((Group(group).Keyspace, indexes));
        return parts;
    }

    /// <summary>Set when exactly one group exists and owns every slot stably: routing is then a field read.</summary>
    private volatile LocalGroup? _singleGroup;

    private void RefreshSingleGroup()
    {
        var groups = Groups.ToArray();
        bool single = groups.Length == 1 && _table.Ranges().Count() == 1 && !_table[0].IsMigrating && _table[0].Group == groups[0].Id;
        _singleGroup = single ? groups[0] : null;
    }

    /// <summary>The clock expiry uses (every group shares it).</summary>
    internal long NowMs => Group(0).Keyspace.NowMs;

    /// <summary>DBSIZE over every group: each counts only the slots it holds.</summary>
    internal long DatabaseSize(int db) => AllKeyspaces.Sum(k => k.DatabaseSize(db));

    /// <summary>
    /// One SCAN step across groups. The cursor is (slot &lt;&lt; 40 | id); slots are visited in order,
    /// and a slot moving key by key is scanned in its source first, then its target, so a key that
    /// moves during the scan is still met.
    /// </summary>
    internal long Scan(int db, long cursor, ReadOnlySpan<byte> pattern, long count, RedisType type, List<byte[]> into)
    {
        if (_singleGroup is { } only) return only.Keyspace.Scan(db, cursor, pattern, count, type, into);
        var position = _scanCursors.Resume(cursor);
        int slot = position.Slot;
        int phase = position.After is { Length: > 0 } p ? p[0] : 0;
        byte[]? after = position.After is { Length: > 1 } a ? a[1..] : null;
        long budget = count;
        while (slot < SlotHash.SlotCount)
        {
            var assignment = _table[slot];
            int[] groups = assignment.State == SlotState.MigratingKeys ? [assignment.Group, assignment.Target] : [assignment.ServingGroup];
            for (; phase < groups.Length; phase++, after = null)
            {
                var keyspace = Group(groups[phase]).Keyspace;
                var resume = keyspace.ScanSlot(db, slot, after, pattern, type, ref budget, into);
                if (resume is not null)
                {
                    var state = new byte[resume.Length + 1];
                    state[0] = (byte)phase;
                    resume.CopyTo(state, 1);
                    return _scanCursors.Suspend(slot, state, exclusive: true);
                }
            }
            slot++;
            phase = 0;
            if (budget <= 0 && slot < SlotHash.SlotCount) return _scanCursors.Suspend(slot, null, exclusive: true);
        }
        return 0;
    }

    private readonly ScanCursorStore _scanCursors = new();
}
