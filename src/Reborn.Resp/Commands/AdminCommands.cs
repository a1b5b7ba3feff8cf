using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Core.Migration;
using Reborn.Core.Slots;

namespace Reborn.Resp.Commands;

/// <summary>
/// Resharding over RESP: Codis's SLOTSINFO and SLOTSHASHKEY, and Reborn's own REBORN GROUP / SLOT /
/// MIGRATION / REBALANCE. Every handler is a thin layer over the administrative surface of
/// <see cref="IKeyValueCluster"/>; errors are Core's RebornException texts. A migration or a
/// rebalance started here runs in the background: the reply comes at once and
/// REBORN MIGRATION STATUS follows it.
/// </summary>
internal static class AdminCommands
{
    private const CommandFlags Admin = CommandFlags.Admin | CommandFlags.NoScript;
    private const string AdminCategories = "@admin @slow @dangerous";

    private static readonly IReadOnlyDictionary<string, CommandSpec> Table = Subcommands.Of(
        new("REBORN|GROUP", -3, Admin, 0, 0, 0, AdminCategories, Group),
        new("REBORN|SLOT", -3, Admin, 0, 0, 0, AdminCategories, Slot),
        new("REBORN|MIGRATION", 3, Admin, 0, 0, 0, AdminCategories, Migration) { Tips = ["nondeterministic_output"] },
        new("REBORN|REBALANCE", -2, Admin, 0, 0, 0, AdminCategories, Rebalance),
        new("REBORN|HELP", 2, CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "@slow", Help));

    public static IEnumerable<CommandSpec> Specs =>
    [
        // Codis registers both "rF" (read-only, fast); here they are admin commands like the rest of resharding.
        new("SLOTSINFO", -1, Admin | CommandFlags.ReadOnly, 0, 0, 0, AdminCategories, SlotsInfo) { Tips = ["nondeterministic_output"] },
        new("SLOTSHASHKEY", -1, Admin | CommandFlags.ReadOnly | CommandFlags.Fast, 0, 0, 0, "@admin @fast", SlotsHashKey),
        new("REBORN", -2, CommandFlags.None, 0, 0, 0, "@slow", c => Subcommands.Run(c, "REBORN", Table)) { Subcommands = Table },
    ];

    private static readonly string[] HelpLines =
    [
        "GROUP ADD <id> [PATH <dir>]",
        "    Add a local group with its own engine (default folder: group-<id> under the data directory).",
        "GROUP REMOVE <id>",
        "    Remove a group that owns no slots; its directory stays on disk.",
        "GROUP LIST",
        "    Every group: id, path, slots, keys, bytes.",
        "SLOT INFO [<slot>]",
        "    One slot: group, state, target, keys, bytes. Without a slot: the table's ranges and its version.",
        "SLOT MIGRATE <from-slot> <to-slot> <group> [KEY|SNAPSHOT] [MAXKEYS <n>] [MAXBYTES <n>]",
        "    Start moving a slot range to a group in the background (default SNAPSHOT; MAXKEYS/MAXBYTES per second).",
        "SLOT ASSIGN <from-slot> <to-slot> <group>",
        "    Give empty slots to a group (initial layout).",
        "MIGRATION STATUS",
        "    The current or last migration: state (idle|running|completed|failed|cancelled) and progress.",
        "MIGRATION CANCEL",
        "    Cancel the running migration or rebalance; unfinished slots go back to their source.",
        "REBALANCE [WEIGHTS <id> <weight> [<id> <weight> ...]] [KEY|SNAPSHOT] [MAXKEYS <n>] [MAXBYTES <n>]",
        "    Start spreading the slots over the groups, evenly or by weight; replies with the number of slots that will move.",
    ];

    // ---- Codis ------------------------------------------------------------------------------------

    /// <summary>
    /// SLOTSHASHKEY [key ...]: each key's slot, as an array of integers, as Codis answers it. Codis's
    /// slots were crc32(key) % 1024; these numbers follow Reborn's one slot function
    /// (<see cref="SlotHash.GetSlot"/>: CRC16 of the hash tag, 1024 slots), so they name the slots
    /// that SLOTSINFO and REBORN SLOT report.
    /// </summary>
    private static ValueTask SlotsHashKey(CommandContext c)
    {
        c.Writer.ArrayHeader(c.ArgCount - 1);
        for (int i = 1; i < c.ArgCount; i++) c.Writer.Integer(SlotHash.GetSlot(c.Arg(i)));
        return default;
    }

    /// <summary>
    /// SLOTSINFO [start] [count]: [slot, keys] for every non-empty slot of [start, start+count), as
    /// Codis's slots.c answers it (count 0 gives none; a count past the end stops at slot 1023).
    /// Unlike Codis, keys are counted over every database, as the slot statistics are.
    /// </summary>
    private static ValueTask SlotsInfo(CommandContext c)
    {
        if (c.ArgCount > 3) throw new RebornException("ERR wrong number of arguments for 'slotsinfo' command");
        int begin = 0, end = SlotHash.SlotCount;
        if (c.ArgCount >= 2) begin = SlotNumber(c, 1);
        if (c.ArgCount >= 3)
        {
            long count = c.Long(2);
            if (count < 0) throw new RebornException($"ERR invalid slot count = {count}");
            if (begin + count < end) end = begin + (int)count;
        }
        var counts = new List<(int Slot, long Keys)>();
        for (int slot = begin; slot < end; slot++)
        {
            long keys = c.Cluster.GetSlotStatistics(slot).Keys;
            if (keys != 0) counts.Add((slot, keys));
        }
        c.Writer.ArrayHeader(counts.Count);
        foreach (var (slot, keys) in counts)
        {
            c.Writer.ArrayHeader(2);
            c.Writer.Integer(slot);
            c.Writer.Integer(keys);
        }
        return default;
    }

    // ---- REBORN GROUP -----------------------------------------------------------------------------

    private static ValueTask Group(CommandContext c)
    {
        if (c.Is(2, "ADD"u8))
        {
            if (c.ArgCount != 4 && c.ArgCount != 6) throw WrongArity("reborn|group|add");
            int id = c.Int(3);
            string? path = null;
            if (c.ArgCount == 6)
            {
                if (!c.Is(4, "PATH"u8)) throw CommandContext.Syntax();
                path = c.Args.GetString(5);
            }
            return AddGroupAsync(c, id, path);
        }
        if (c.Is(2, "REMOVE"u8))
        {
            if (c.ArgCount != 4) throw WrongArity("reborn|group|remove");
            int id = GroupId(c, 3);
            return RemoveGroupAsync(c, id);
        }
        if (c.Is(2, "LIST"u8))
        {
            if (c.ArgCount != 3) throw WrongArity("reborn|group|list");
            var groups = c.Cluster.ListGroups();
            c.Writer.ArrayHeader(groups.Count);
            foreach (var g in groups)
            {
                c.Writer.MapHeader(5);
                c.Writer.BulkString("id"u8);
                c.Writer.Integer(g.Id);
                c.Writer.BulkString("path"u8);
                if (g.Path is null) c.Writer.Null();
                else c.Writer.BulkString(g.Path);
                c.Writer.BulkString("slots"u8);
                c.Writer.Integer(g.Slots);
                c.Writer.BulkString("keys"u8);
                c.Writer.Integer(g.Keys);
                c.Writer.BulkString("bytes"u8);
                c.Writer.Integer(g.ApproximateBytes);
            }
            return default;
        }
        throw UnknownSubcommand(c, 2);
    }

    private static async ValueTask AddGroupAsync(CommandContext c, int id, string? path)
    {
        await c.Cluster.AddGroupAsync(id, path).ConfigureAwait(false);
        c.Ok();
    }

    private static async ValueTask RemoveGroupAsync(CommandContext c, int id)
    {
        await c.Cluster.RemoveGroupAsync(id).ConfigureAwait(false);
        c.Ok();
    }

    // ---- REBORN SLOT ------------------------------------------------------------------------------

    private static ValueTask Slot(CommandContext c)
    {
        if (c.Is(2, "INFO"u8))
        {
            if (c.ArgCount > 4) throw WrongArity("reborn|slot|info");
            if (c.ArgCount == 4) SlotInfo(c, SlotNumber(c, 3));
            else TableInfo(c);
            return default;
        }
        if (c.Is(2, "MIGRATE"u8))
        {
            if (c.ArgCount < 6) throw WrongArity("reborn|slot|migrate");
            var (first, last, group) = RangeAndGroup(c, 3);
            var mode = MigrationMode.Snapshot;
            var options = new MigrationOptions();
            for (int i = 6; i < c.ArgCount; i++)
            {
                if (c.Is(i, "KEY"u8)) mode = MigrationMode.Key;
                else if (c.Is(i, "SNAPSHOT"u8)) mode = MigrationMode.Snapshot;
                else if (c.Is(i, "MAXKEYS"u8) && i + 1 < c.ArgCount) options = options with { MaxKeysPerSecond = Limit(c, ++i) };
                else if (c.Is(i, "MAXBYTES"u8) && i + 1 < c.ArgCount) options = options with { MaxBytesPerSecond = Limit(c, ++i) };
                else throw CommandContext.Syntax();
            }
            var jobs = Jobs.Of(c.Cluster);
            lock (jobs)
            {
                jobs.ThrowIfRebalancing();
                c.Cluster.StartMigration(first, last, group, mode, options);
                jobs.Rebalance = null;
            }
            c.Ok();
            return default;
        }
        if (c.Is(2, "ASSIGN"u8))
        {
            if (c.ArgCount != 6) throw WrongArity("reborn|slot|assign");
            var (first, last, group) = RangeAndGroup(c, 3);
            return AssignAsync(c, first, last, group);
        }
        throw UnknownSubcommand(c, 2);
    }

    private static async ValueTask AssignAsync(CommandContext c, int first, int last, int group)
    {
        await c.Cluster.AssignSlotsAsync(first, last, group).ConfigureAwait(false);
        c.Ok();
    }

    private static void SlotInfo(CommandContext c, int slot)
    {
        var s = c.Cluster.GetSlotStatistics(slot);
        c.Writer.MapHeader(6);
        c.Writer.BulkString("slot"u8);
        c.Writer.Integer(slot);
        WriteAssignment(c, s.Assignment);
        c.Writer.BulkString("keys"u8);
        c.Writer.Integer(s.Keys);
        c.Writer.BulkString("bytes"u8);
        c.Writer.Integer(s.ApproximateBytes);
    }

    /// <summary>The table as ranges of equal assignment, each with its keys and bytes, and the table's version.</summary>
    private static void TableInfo(CommandContext c)
    {
        var table = c.Cluster.Topology;
        var ranges = table.Ranges().ToList();
        c.Writer.MapHeader(2);
        c.Writer.BulkString("version"u8);
        c.Writer.Integer(table.Version);
        c.Writer.BulkString("ranges"u8);
        c.Writer.ArrayHeader(ranges.Count);
        foreach (var (first, last, assignment) in ranges)
        {
            long keys = 0, bytes = 0;
            for (int slot = first; slot <= last; slot++)
            {
                var s = c.Cluster.GetSlotStatistics(slot);
                keys += s.Keys;
                bytes += s.ApproximateBytes;
            }
            c.Writer.MapHeader(7);
            c.Writer.BulkString("first"u8);
            c.Writer.Integer(first);
            c.Writer.BulkString("last"u8);
            c.Writer.Integer(last);
            WriteAssignment(c, assignment);
            c.Writer.BulkString("keys"u8);
            c.Writer.Integer(keys);
            c.Writer.BulkString("bytes"u8);
            c.Writer.Integer(bytes);
        }
    }

    /// <summary>Three pairs: group, state, target (null when the slot is not moving).</summary>
    private static void WriteAssignment(CommandContext c, SlotAssignment a)
    {
        c.Writer.BulkString("group"u8);
        c.Writer.Integer(a.Group);
        c.Writer.BulkString("state"u8);
        c.Writer.BulkString(StateName(a.State));
        c.Writer.BulkString("target"u8);
        if (a.Target < 0 || !a.IsMigrating) c.Writer.Null();
        else c.Writer.Integer(a.Target);
    }

    private static ReadOnlySpan<byte> StateName(SlotState state) => state switch
    {
        SlotState.Stable => "stable"u8,
        SlotState.MigratingKeys => "migrating-keys"u8,
        SlotState.MigratingSnapshot => "migrating-snapshot"u8,
        _ => "unknown"u8,
    };

    // ---- REBORN MIGRATION -------------------------------------------------------------------------

    private static ValueTask Migration(CommandContext c)
    {
        if (c.Is(2, "STATUS"u8))
        {
            MigrationStatus(c);
            return default;
        }
        if (c.Is(2, "CANCEL"u8))
        {
            var jobs = Jobs.Of(c.Cluster);
            bool cancelled;
            lock (jobs)
            {
                bool rebalancing = jobs.Rebalance is { IsRunning: true } r && r.Cancel();
                cancelled = c.Cluster.CancelMigration() | rebalancing;
            }
            if (!cancelled) throw new RebornException("ERR no migration is running");
            c.Ok();
            return default;
        }
        throw UnknownSubcommand(c, 2);
    }

    /// <summary>
    /// A map of 17 pairs. For a rebalance, state is the whole rebalance's, rebalance-slots-* count
    /// its progress, and the other fields describe its current (or last) range move.
    /// </summary>
    private static void MigrationStatus(CommandContext c)
    {
        var progress = c.Cluster.MigrationStatus;
        var rebalance = Jobs.Of(c.Cluster).Rebalance;
        // A migration started through the .NET API after a rebalance ended is the newer job.
        if (rebalance is not null && !rebalance.IsRunning && progress.State == MigrationState.Running) rebalance = null;
        var state = rebalance?.State(progress) ?? progress.State;
        string? error = rebalance is null ? progress.Error : rebalance.Error ?? progress.Error;
        var w = c.Writer;
        w.MapHeader(17);
        w.BulkString("job"u8);
        w.BulkString(rebalance is not null ? "rebalance"u8 : progress.State == MigrationState.Idle ? "none"u8 : "migrate"u8);
        w.BulkString("state"u8);
        w.BulkString(state.ToString().ToLowerInvariant());
        w.BulkString("mode"u8);
        w.BulkString(progress.Mode == MigrationMode.Key ? "key"u8 : "snapshot"u8);
        w.BulkString("first-slot"u8);
        w.Integer(progress.FirstSlot);
        w.BulkString("last-slot"u8);
        w.Integer(progress.LastSlot);
        w.BulkString("target"u8);
        w.Integer(progress.TargetGroup);
        w.BulkString("slots-done"u8);
        w.Integer(progress.SlotsDone);
        w.BulkString("slots-total"u8);
        w.Integer(progress.State == MigrationState.Idle ? 0 : progress.SlotsTotal);
        w.BulkString("keys"u8);
        w.Integer(progress.KeysMoved);
        w.BulkString("bytes"u8);
        w.Integer(progress.BytesMoved);
        w.BulkString("keys-per-sec"u8);
        w.Integer((long)Math.Round(progress.KeysPerSecond));
        w.BulkString("mb-per-sec"u8);
        w.BulkString((progress.BytesPerSecond / (1024 * 1024)).ToString("0.00", CultureInfo.InvariantCulture));
        w.BulkString("elapsed-ms"u8);
        w.Integer((long)progress.Elapsed.TotalMilliseconds);
        w.BulkString("longest-freeze-ms"u8);
        w.BulkString(progress.LongestFreeze.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture));
        w.BulkString("rebalance-slots-done"u8);
        w.Integer(rebalance?.SlotsDone(progress) ?? 0);
        w.BulkString("rebalance-slots-total"u8);
        w.Integer(rebalance?.SlotsTotal ?? 0);
        w.BulkString("error"u8);
        if (error is null) w.Null();
        else w.BulkString(error);
    }

    // ---- REBORN REBALANCE -------------------------------------------------------------------------

    /// <summary>
    /// REBALANCE [WEIGHTS id w ...] [KEY|SNAPSHOT] [MAXKEYS n] [MAXBYTES n]: plans at once (so a bad weight is an error reply),
    /// replies with the number of slots that will move (0: already balanced, nothing starts), and
    /// runs the moves in the background through <see cref="IKeyValueCluster.RebalanceAsync"/>.
    /// </summary>
    private static ValueTask Rebalance(CommandContext c)
    {
        Dictionary<int, double>? weights = null;
        var mode = MigrationMode.Snapshot;
        var options = new MigrationOptions();
        for (int i = 2; i < c.ArgCount; i++)
        {
            if (c.Is(i, "KEY"u8)) mode = MigrationMode.Key;
            else if (c.Is(i, "SNAPSHOT"u8)) mode = MigrationMode.Snapshot;
            else if (c.Is(i, "MAXKEYS"u8) && i + 1 < c.ArgCount) options = options with { MaxKeysPerSecond = Limit(c, ++i) };
            else if (c.Is(i, "MAXBYTES"u8) && i + 1 < c.ArgCount) options = options with { MaxBytesPerSecond = Limit(c, ++i) };
            else if (c.Is(i, "WEIGHTS"u8))
            {
                weights = new Dictionary<int, double>();
                while (i + 1 < c.ArgCount && !IsRebalanceOption(c, i + 1))
                {
                    if (i + 2 >= c.ArgCount) throw CommandContext.Syntax();
                    int id = GroupId(c, i + 1);
                    double weight = c.Double(i + 2, "ERR weight is not a valid float");
                    if (!double.IsFinite(weight) || weight < 0) throw new RebornException("ERR weight must be a non-negative number");
                    weights[id] = weight;
                    i += 2;
                }
                if (weights.Count == 0) throw CommandContext.Syntax();
            }
            else throw CommandContext.Syntax();
        }
        if (weights is not null)
        {
            var existing = c.Cluster.ListGroups().Select(g => g.Id).ToHashSet();
            foreach (int id in weights.Keys)
                if (!existing.Contains(id)) throw new RebornException($"ERR group {id} does not exist");
        }

        var cluster = c.Cluster;
        var jobs = Jobs.Of(cluster);
        lock (jobs)
        {
            jobs.ThrowIfRebalancing();
            if (cluster.MigrationStatus.State == MigrationState.Running) throw new RebornException("ERR a migration is already running");
            var plan = (cluster as RebornCluster)?.PlanRebalance(weights);
            int slots = plan?.Sum(p => p.Last - p.First + 1) ?? -1;
            if (slots != 0) jobs.Rebalance = RebalanceJob.Start(cluster, weights, mode, options, plan);
            c.Writer.Integer(slots);
        }
        return default;
    }

    private static bool IsRebalanceOption(CommandContext c, int index) =>
        c.Is(index, "KEY"u8) || c.Is(index, "SNAPSHOT"u8) || c.Is(index, "MAXKEYS"u8) || c.Is(index, "MAXBYTES"u8);

    // ---- REBORN HELP ------------------------------------------------------------------------------

    private static ValueTask Help(CommandContext c)
    {
        Subcommands.Help(c, "REBORN", HelpLines);
        return default;
    }

    // ---- arguments --------------------------------------------------------------------------------

    /// <summary>A slot argument: Codis's "invalid slot number = n" outside 0..1023.</summary>
    private static int SlotNumber(CommandContext c, int index)
    {
        long slot = c.Long(index);
        if (slot is < 0 or >= SlotHash.SlotCount) throw new RebornException($"ERR invalid slot number = {slot}");
        return (int)slot;
    }

    private static int GroupId(CommandContext c, int index)
    {
        long id = c.Long(index);
        if (id is < 0 or >= RebornCluster.MaxGroups) throw new RebornException($"ERR group id must be 0..{RebornCluster.MaxGroups - 1}");
        return (int)id;
    }

    /// <summary>&lt;from-slot&gt; &lt;to-slot&gt; &lt;group&gt; at index..index+2 (Core answers for a group that does not exist).</summary>
    private static (int First, int Last, int Group) RangeAndGroup(CommandContext c, int index)
    {
        int first = SlotNumber(c, index), last = SlotNumber(c, index + 1);
        if (first > last) throw new RebornException($"ERR invalid slot range {first}-{last}");
        return (first, last, GroupId(c, index + 2));
    }

    private static long Limit(CommandContext c, int index)
    {
        long value = c.Long(index);
        return value >= 0 ? value : throw new RebornException("ERR MAXKEYS and MAXBYTES must be non-negative (0: unthrottled)");
    }

    private static RebornException WrongArity(string name) => new($"ERR wrong number of arguments for '{name}' command");

    private static RebornException UnknownSubcommand(CommandContext c, int index)
    {
        var name = new StringBuilder(c.Args.GetString(index - 1)).Append(' ').Append(c.Args.GetString(index));
        string text = name.Length > 128 ? name.ToString(0, 128) : name.ToString();
        return new RebornException($"ERR unknown subcommand '{text}'. Try REBORN HELP.");
    }

    // ---- background jobs --------------------------------------------------------------------------

    /// <summary>The admin jobs of one cluster; lock it to start one, so two clients cannot start two.</summary>
    private sealed class Jobs
    {
        private static readonly ConditionalWeakTable<IKeyValueCluster, Jobs> ByCluster = new();

        public static Jobs Of(IKeyValueCluster cluster) => ByCluster.GetValue(cluster, _ => new Jobs());

        /// <summary>The last rebalance started over RESP, until a plain migration is started after it.</summary>
        public volatile RebalanceJob? Rebalance;

        public void ThrowIfRebalancing()
        {
            if (Rebalance is { IsRunning: true }) throw new RebornException("ERR a rebalance is running; REBORN MIGRATION CANCEL stops it");
        }
    }

    /// <summary>A rebalance running in the background: its plan (for progress), cancellation, and outcome.</summary>
    private sealed class RebalanceJob
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly List<(int First, int Last, int Group)>? _plan;
        private Task _task = Task.CompletedTask;
        private volatile bool _cancelled;

        private RebalanceJob(List<(int First, int Last, int Group)>? plan)
        {
            _plan = plan;
            SlotsTotal = plan?.Sum(p => p.Last - p.First + 1) ?? 0;
        }

        public int SlotsTotal { get; }
        public string? Error { get; private set; }
        public bool IsRunning => !_task.IsCompleted;

        public static RebalanceJob Start(IKeyValueCluster cluster, Dictionary<int, double>? weights, MigrationMode mode, MigrationOptions options,
            List<(int, int, int)>? plan)
        {
            var job = new RebalanceJob(plan);
            var token = job._cancel.Token;
            job._task = Task.Run(async () =>
            {
                try { await cluster.RebalanceAsync(weights, mode, options, token).ConfigureAwait(false); }
                catch (OperationCanceledException) { job._cancelled = true; }
                catch (Exception error) { job.Error = error.Message; }
            }, CancellationToken.None);
            return job;
        }

        public bool Cancel()
        {
            if (!IsRunning) return false;
            _cancelled = true;
            _cancel.Cancel();
            return true;
        }

        public MigrationState State(MigrationProgress current)
        {
            if (IsRunning) return MigrationState.Running;
            if (_cancelled || current.State == MigrationState.Cancelled) return MigrationState.Cancelled;
            return Error is null ? MigrationState.Completed : MigrationState.Failed;
        }

        /// <summary>Slots of the plan's finished ranges, plus the current range's finished slots.</summary>
        public int SlotsDone(MigrationProgress current)
        {
            if (_plan is null) return 0;
            if (!IsRunning && State(current) == MigrationState.Completed) return SlotsTotal;
            int done = 0;
            foreach (var (first, last, _) in _plan)
            {
                if (first == current.FirstSlot && last == current.LastSlot)
                    return done + (current.State == MigrationState.Completed ? last - first + 1 : current.SlotsDone);
                done += last - first + 1;
            }
            return 0;
        }
    }
}
