using System.CommandLine;
using System.Globalization;
using System.Text;
using Reborn.Resp.Protocol;

namespace Reborn.Cli.Admin;

/// <summary>
/// The admin verbs against a running server, each a REBORN command over RESP: <c>reborn group
/// add|remove|list</c>, <c>reborn slot info|migrate</c>, <c>reborn migration status|cancel</c>,
/// <c>reborn rebalance</c>. <c>slot migrate</c> and <c>rebalance</c> wait with a live progress bar
/// and exit non-zero when the move failed or was cancelled.
/// </summary>
internal static class AdminCommands
{
    public static IEnumerable<Command> Create() => [Group(), Slot(), Migration(), Rebalance()];

    private static Command Group()
    {
        var group = new Command("group", "Add, remove and list the server's groups");

        var addId = new Argument<int>("id") { Description = "Group id (0..1023)" };
        var path = new Option<string?>("--path") { Description = "Directory of the group's engine (default: group-<id> under the server's data directory)" };
        var add = new Command("add", "Add a local group with its own engine") { addId, path };
        var addOptions = new AdminConnection.Options();
        addOptions.AddTo(add);
        add.SetAction((parse, token) => AdminConnection.RunAsync(parse, addOptions, token, async server =>
        {
            int id = parse.GetValue(addId);
            string? directory = parse.GetValue(path);
            var args = new List<string> { "REBORN", "GROUP", "ADD", Text(id) };
            if (directory is not null) args.AddRange(["PATH", Path.GetFullPath(directory)]);
            await server.ExecuteAsync([.. args]).ConfigureAwait(false);
            var added = (await server.ExecuteAsync("REBORN", "GROUP", "LIST").ConfigureAwait(false)).Elements
                .Select(AdminConnection.Fields).FirstOrDefault(g => g["id"].Integer == id);
            string? where = added?["path"].AsString();
            Console.WriteLine(where is null ? $"group {id} added (in memory)" : $"group {id} added at {where}");
            return 0;
        }));

        var removeId = new Argument<int>("id") { Description = "Group id" };
        var remove = new Command("remove", "Remove a group that owns no slots (its directory stays on disk)") { removeId };
        var removeOptions = new AdminConnection.Options();
        removeOptions.AddTo(remove);
        remove.SetAction((parse, token) => AdminConnection.RunAsync(parse, removeOptions, token, async server =>
        {
            int id = parse.GetValue(removeId);
            await server.ExecuteAsync("REBORN", "GROUP", "REMOVE", Text(id)).ConfigureAwait(false);
            Console.WriteLine($"group {id} removed");
            return 0;
        }));

        var list = new Command("list", "List the groups: slots, keys, bytes, directory");
        var listOptions = new AdminConnection.Options();
        listOptions.AddTo(list);
        list.SetAction((parse, token) => AdminConnection.RunAsync(parse, listOptions, token, async server =>
        {
            var groups = (await server.ExecuteAsync("REBORN", "GROUP", "LIST").ConfigureAwait(false)).Elements.Select(AdminConnection.Fields).ToList();
            var rows = new List<string[]> { new[] { "GROUP", "SLOTS", "KEYS", "SIZE", "PATH" } };
            rows.AddRange(groups.Select(g => new[]
            {
                Text(g["id"].Integer), Text(g["slots"].Integer), Text(g["keys"].Integer), Size(g["bytes"].Integer), g["path"].AsString() ?? "(memory)",
            }));
            Console.Write(Columns(rows));
            return 0;
        }));

        group.Subcommands.Add(add);
        group.Subcommands.Add(remove);
        group.Subcommands.Add(list);
        return group;
    }

    private static Command Slot()
    {
        var slot = new Command("slot", "Show the slot table and move slot ranges between groups");

        var which = new Argument<int?>("slot") { Description = "A slot (0..1023); without it, the whole table as ranges", Arity = ArgumentArity.ZeroOrOne };
        var info = new Command("info", "Show one slot, or the table's ranges with their owners and states") { which };
        var infoOptions = new AdminConnection.Options();
        infoOptions.AddTo(info);
        info.SetAction((parse, token) => AdminConnection.RunAsync(parse, infoOptions, token, async server =>
        {
            if (parse.GetValue(which) is { } number)
            {
                var s = AdminConnection.Fields(await server.ExecuteAsync("REBORN", "SLOT", "INFO", Text(number)).ConfigureAwait(false));
                Console.WriteLine($"slot {number}: {Owner(s)}, {Text(s["keys"].Integer)} keys, {Size(s["bytes"].Integer)}");
                return 0;
            }
            var table = AdminConnection.Fields(await server.ExecuteAsync("REBORN", "SLOT", "INFO").ConfigureAwait(false));
            var rows = new List<string[]> { new[] { "SLOTS", "OWNER", "KEYS", "SIZE" } };
            rows.AddRange(table["ranges"].Elements.Select(AdminConnection.Fields).Select(r => new[]
            {
                $"{r["first"].Integer}-{r["last"].Integer}", Owner(r), Text(r["keys"].Integer), Size(r["bytes"].Integer),
            }));
            Console.Write(Columns(rows));
            Console.WriteLine($"slot table version {Text(table["version"].Integer)}");
            return 0;
        }));

        var from = new Argument<int>("from") { Description = "First slot of the range" };
        var to = new Argument<int>("to") { Description = "Last slot of the range" };
        var target = new Argument<int>("group") { Description = "Group to move the range to" };
        var mode = ModeOption();
        var (maxKeys, maxBytes) = ThrottleOptions();
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the move has started; `reborn migration status` follows it" };
        var migrate = new Command("migrate", "Move a slot range to a group while clients keep reading and writing") { from, to, target, mode, maxKeys, maxBytes, noWait };
        var migrateOptions = new AdminConnection.Options();
        migrateOptions.AddTo(migrate);
        migrate.SetAction((parse, token) => AdminConnection.RunAsync(parse, migrateOptions, token, async server =>
        {
            var args = new List<string> { "REBORN", "SLOT", "MIGRATE", Text(parse.GetValue(from)), Text(parse.GetValue(to)), Text(parse.GetValue(target)) };
            args.Add((parse.GetValue(mode) ?? "snapshot").ToUpperInvariant());
            AddThrottle(parse, maxKeys, maxBytes, args);
            await server.ExecuteAsync([.. args]).ConfigureAwait(false);
            if (parse.GetValue(noWait))
            {
                Console.WriteLine($"moving slots {parse.GetValue(from)}-{parse.GetValue(to)} to group {parse.GetValue(target)} in the background; `reborn migration status` follows it");
                return 0;
            }
            return await MigrationWatch.WatchAsync(server, rebalance: false, token).ConfigureAwait(false);
        }));

        slot.Subcommands.Add(info);
        slot.Subcommands.Add(migrate);
        return slot;
    }

    private static Command Migration()
    {
        var migration = new Command("migration", "Follow or cancel the running migration");

        var status = new Command("status", "The current or last migration: state and progress");
        var statusOptions = new AdminConnection.Options();
        statusOptions.AddTo(status);
        status.SetAction((parse, token) => AdminConnection.RunAsync(parse, statusOptions, token, async server =>
        {
            var s = await MigrationWatch.ReadAsync(server).ConfigureAwait(false);
            Console.Write(s.Describe());
            return 0;
        }));

        var cancel = new Command("cancel", "Cancel the running migration or rebalance; unfinished slots go back to their source");
        var cancelOptions = new AdminConnection.Options();
        cancelOptions.AddTo(cancel);
        cancel.SetAction((parse, token) => AdminConnection.RunAsync(parse, cancelOptions, token, async server =>
        {
            await server.ExecuteAsync("REBORN", "MIGRATION", "CANCEL").ConfigureAwait(false);
            Console.WriteLine("cancelling: unfinished slots go back to their source (`reborn migration status` follows it)");
            return 0;
        }));

        migration.Subcommands.Add(status);
        migration.Subcommands.Add(cancel);
        return migration;
    }

    private static Command Rebalance()
    {
        var weights = new Option<string?>("--weights") { Description = "Share of the slots per group, e.g. 0=1,1=2 (default: even)" };
        var mode = ModeOption();
        var (maxKeys, maxBytes) = ThrottleOptions();
        var noWait = new Option<bool>("--no-wait") { Description = "Return once the rebalance has started; `reborn migration status` follows it" };
        var rebalance = new Command("rebalance", "Spread the slots over the groups, evenly or by weight, moving what differs") { weights, mode, maxKeys, maxBytes, noWait };
        var options = new AdminConnection.Options();
        options.AddTo(rebalance);
        rebalance.SetAction((parse, token) => AdminConnection.RunAsync(parse, options, token, async server =>
        {
            var args = new List<string> { "REBORN", "REBALANCE" };
            if (parse.GetValue(weights) is { } text) args.AddRange(["WEIGHTS", .. ParseWeights(text)]);
            args.Add((parse.GetValue(mode) ?? "snapshot").ToUpperInvariant());
            AddThrottle(parse, maxKeys, maxBytes, args);
            long slots = (await server.ExecuteAsync([.. args]).ConfigureAwait(false)).Integer;
            if (slots == 0)
            {
                Console.WriteLine("already balanced: nothing to move");
                return 0;
            }
            if (parse.GetValue(noWait))
            {
                Console.WriteLine($"rebalancing {Text(slots)} slots in the background; `reborn migration status` follows it");
                return 0;
            }
            return await MigrationWatch.WatchAsync(server, rebalance: true, token).ConfigureAwait(false);
        }));
        return rebalance;
    }

    private static (Option<long?> MaxKeys, Option<long?> MaxBytes) ThrottleOptions() =>
    (
        new Option<long?>("--max-keys") { Description = "Throttle: keys moved per second at most" },
        new Option<long?>("--max-bytes") { Description = "Throttle: bytes moved per second at most" }
    );

    private static void AddThrottle(ParseResult parse, Option<long?> maxKeys, Option<long?> maxBytes, List<string> args)
    {
        if (parse.GetValue(maxKeys) is { } keys) args.AddRange(["MAXKEYS", Text(keys)]);
        if (parse.GetValue(maxBytes) is { } bytes) args.AddRange(["MAXBYTES", Text(bytes)]);
    }

    private static Option<string?> ModeOption()
    {
        var mode = new Option<string?>("--mode") { Description = "key (RebornDB's key-by-key move) or snapshot (range copy, short write freeze; the default)" };
        mode.AcceptOnlyFromAmong("key", "snapshot");
        return mode;
    }

    /// <summary>"0=1,1=2" as REBORN REBALANCE's WEIGHTS arguments: id, weight, id, weight...</summary>
    private static IEnumerable<string> ParseWeights(string text)
    {
        var args = new List<string>();
        foreach (string pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = pair.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int id)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double weight))
                throw new AdminException($"--weights takes group=weight pairs separated by commas, e.g. 0=1,1=2 (not '{pair}')");
            args.Add(Text(id));
            args.Add(weight.ToString("R", CultureInfo.InvariantCulture));
        }
        if (args.Count == 0) throw new AdminException("--weights takes group=weight pairs separated by commas, e.g. 0=1,1=2");
        return args;
    }

    /// <summary>"group 1, stable" or "group 0, migrating-keys to group 2".</summary>
    private static string Owner(Dictionary<string, RespReply> fields)
    {
        string owner = $"group {fields["group"].Integer}, {fields["state"].AsString()}";
        return fields["target"].IsNull ? owner : $"{owner} to group {fields["target"].Integer}";
    }

    internal static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Bytes as people read them: "512 B", "1.5 KB", "3.2 MB".</summary>
    internal static string Size(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>Left-aligned columns, two spaces apart.</summary>
    private static string Columns(List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                text.Append(row[i]);
                if (i < row.Length - 1) text.Append(' ', widths[i] - row[i].Length + 2);
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
