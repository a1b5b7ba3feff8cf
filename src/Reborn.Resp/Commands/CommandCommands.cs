using Reborn.Core;
using Reborn.Core.DataModel;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Commands;

/// <summary>
/// COMMAND [COUNT | LIST | INFO | DOCS | GETKEYS | GETKEYSANDFLAGS | HELP], all read from the one
/// <see cref="CommandTable"/>. Replies have Redis 7.0's shape: per command [name, arity, flags, first key,
/// last key, step, ACL categories, tips, key specs, subcommands].
/// </summary>
internal static class CommandCommands
{
    private const CommandFlags LoadingStale = CommandFlags.Loading | CommandFlags.Stale;
    private const string Categories = "@slow @connection";

    private static readonly IReadOnlyDictionary<string, CommandSpec> Table = Subcommands.Of(
        new("COMMAND|COUNT", 2, LoadingStale, 0, 0, 0, Categories, Count),
        new("COMMAND|LIST", -2, LoadingStale, 0, 0, 0, Categories, List) { Tips = ["nondeterministic_output_order"] },
        new("COMMAND|INFO", -2, LoadingStale, 0, 0, 0, Categories, Info) { Tips = ["nondeterministic_output_order"] },
        new("COMMAND|DOCS", -2, LoadingStale, 0, 0, 0, Categories, Docs) { Tips = ["nondeterministic_output_order"] },
        new("COMMAND|GETKEYS", -4, LoadingStale, 0, 0, 0, Categories, c => GetKeys(c, withFlags: false)),
        new("COMMAND|GETKEYSANDFLAGS", -4, LoadingStale, 0, 0, 0, Categories, c => GetKeys(c, withFlags: true)),
        new("COMMAND|HELP", 2, LoadingStale, 0, 0, 0, Categories, Help));

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("COMMAND", -1, LoadingStale, 0, 0, 0, Categories, Command) { Subcommands = Table, Tips = ["nondeterministic_output_order"] },
    ];

    /// <summary>
    /// Commands whose keys follow a numkeys argument (Redis's keynum key specs): where numkeys is, and
    /// the fixed keys before it (a destination).
    /// </summary>
    private static readonly Dictionary<string, (int NumKeysIndex, int[] FixedKeys)> NumKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ZUNIONSTORE"] = (2, [1]), ["ZINTERSTORE"] = (2, [1]), ["ZDIFFSTORE"] = (2, [1]),
        ["ZUNION"] = (1, []), ["ZINTER"] = (1, []), ["ZDIFF"] = (1, []), ["ZINTERCARD"] = (1, []),
        ["SINTERCARD"] = (1, []), ["LMPOP"] = (1, []), ["ZMPOP"] = (1, []), ["BLMPOP"] = (2, []), ["BZMPOP"] = (2, []),
        ["EVAL"] = (2, []), ["EVALSHA"] = (2, []), ["EVAL_RO"] = (2, []), ["EVALSHA_RO"] = (2, []), ["FCALL"] = (2, []), ["FCALL_RO"] = (2, []),
    };

    private static CommandTable Commands(CommandContext c) => c.Server?.Dispatcher.Table ?? CommandTable.Default;

    private static IEnumerable<CommandSpec> Ordered(CommandContext c) => Commands(c).All.OrderBy(s => s.Name, StringComparer.Ordinal);

    private static ValueTask Command(CommandContext c)
    {
        if (c.ArgCount > 1) return Subcommands.Run(c, "COMMAND", Table);
        WriteAll(c);
        return default;
    }

    private static void WriteAll(CommandContext c)
    {
        var all = Ordered(c).ToList();
        c.Writer.ArrayHeader(all.Count);
        foreach (var spec in all) WriteInfo(c.Writer, spec);
    }

    private static ValueTask Count(CommandContext c)
    {
        c.Writer.Integer(Commands(c).Count);
        return default;
    }

    /// <summary>COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern].</summary>
    private static ValueTask List(CommandContext c)
    {
        Func<string, CommandSpec, bool> keep = (_, _) => true;
        if (c.ArgCount == 5 && c.Is(2, "FILTERBY"u8))
        {
            byte[] value = c.Bytes(4);
            string text = c.Args.GetString(4);
            if (c.Is(3, "MODULE"u8)) keep = (_, _) => false;
            else if (c.Is(3, "ACLCAT"u8)) keep = (_, spec) => spec.Categories.Split(' ').Contains("@" + text, StringComparer.OrdinalIgnoreCase);
            else if (c.Is(3, "PATTERN"u8)) keep = (name, _) => Glob.IsMatch(value, System.Text.Encoding.UTF8.GetBytes(name), ignoreCase: true);
            else throw CommandContext.Syntax();
        }
        else if (c.ArgCount != 2) throw CommandContext.Syntax();

        var names = new List<string>();
        foreach (var spec in Ordered(c))
        {
            string name = spec.Name.ToLowerInvariant();
            if (keep(name, spec)) names.Add(name);
            if (spec.Subcommands is null) continue;
            foreach (var sub in spec.Subcommands.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                string subName = sub.Name.ToLowerInvariant();
                if (keep(subName, sub)) names.Add(subName);
            }
        }
        c.Writer.ArrayHeader(names.Count);
        foreach (var name in names) c.Writer.BulkString(name);
        return default;
    }

    /// <summary>COMMAND INFO [name ...]: null for an unknown name; "container|sub" names a subcommand.</summary>
    private static ValueTask Info(CommandContext c)
    {
        if (c.ArgCount == 2) { WriteAll(c); return default; }
        c.Writer.ArrayHeader(c.ArgCount - 2);
        for (int i = 2; i < c.ArgCount; i++)
        {
            if (Find(c, c.Args.GetString(i)) is { } spec) WriteInfo(c.Writer, spec);
            else c.Writer.Null();
        }
        return default;
    }

    private static CommandSpec? Find(CommandContext c, string name)
    {
        int bar = name.IndexOf('|');
        if (bar < 0) return Commands(c).Find(name);
        var container = Commands(c).Find(name[..bar]);
        return container?.Subcommands is { } subs && subs.TryGetValue(name[(bar + 1)..], out var sub) ? sub : null;
    }

    private static void WriteInfo(RespWriter w, CommandSpec spec)
    {
        w.ArrayHeader(10);
        w.BulkString(spec.Name.ToLowerInvariant());
        w.Integer(spec.Arity);
        var flags = FlagNames(spec);
        w.SetHeader(flags.Count);
        foreach (var flag in flags) w.SimpleString(flag);
        w.Integer(spec.FirstKey);
        w.Integer(spec.LastKey);
        w.Integer(spec.Step);
        var categories = spec.Categories.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        w.SetHeader(categories.Length);
        foreach (var category in categories) w.SimpleString(category);
        w.SetHeader(spec.Tips.Count);
        foreach (var tip in spec.Tips) w.BulkString(tip);
        WriteKeySpecs(w, spec);
        if (spec.Subcommands is null) w.SetHeader(0);
        else
        {
            w.ArrayHeader(spec.Subcommands.Count);
            foreach (var sub in spec.Subcommands.Values.OrderBy(s => s.Name, StringComparer.Ordinal)) WriteInfo(w, sub);
        }
    }

    /// <summary>Redis 7.0's flag names in its order; may_replicate, sentinel and protected stay hidden as in Redis.</summary>
    private static List<string> FlagNames(CommandSpec spec)
    {
        var f = spec.Flags;
        if (NumKeys.ContainsKey(spec.Name)) f |= CommandFlags.MovableKeys;
        var names = new List<string>();
        void Add(CommandFlags flag, string name) { if ((f & flag) != 0) names.Add(name); }
        Add(CommandFlags.Write, "write");
        Add(CommandFlags.ReadOnly, "readonly");
        Add(CommandFlags.DenyOom, "denyoom");
        Add(CommandFlags.Admin, "admin");
        Add(CommandFlags.PubSub, "pubsub");
        Add(CommandFlags.NoScript, "noscript");
        Add(CommandFlags.Blocking, "blocking");
        Add(CommandFlags.Loading, "loading");
        Add(CommandFlags.Stale, "stale");
        Add(CommandFlags.SkipMonitor, "skip_monitor");
        Add(CommandFlags.SkipSlowlog, "skip_slowlog");
        Add(CommandFlags.Fast, "fast");
        Add(CommandFlags.NoAuth, "no_auth");
        Add(CommandFlags.NoMandatoryKeys, "no_mandatory_keys");
        Add(CommandFlags.NoAsyncLoading, "no_async_loading");
        Add(CommandFlags.NoMulti, "no_multi");
        Add(CommandFlags.MovableKeys, "movablekeys");
        Add(CommandFlags.AllowBusy, "allow_busy");
        return names;
    }

    /// <summary>
    /// Key specs derived from the table: a range spec from FirstKey/LastKey/Step, or a keynum spec for
    /// numkeys commands. Access flags are RO/access for read-only commands and RW/update for writes.
    /// </summary>
    private static void WriteKeySpecs(RespWriter w, CommandSpec spec)
    {
        var specs = new List<Action>();
        string[] access = (spec.Flags & CommandFlags.Write) != 0 ? ["RW", "update"] : ["RO", "access"];
        if (NumKeys.TryGetValue(spec.Name, out var numKeys))
        {
            foreach (int fixedKey in numKeys.FixedKeys)
                specs.Add(() => KeySpec(w, ["OW", "update"], fixedKey, () => RangeFind(w, 0, 1)));
            specs.Add(() => KeySpec(w, (spec.Flags & CommandFlags.Write) != 0 && numKeys.FixedKeys.Length == 0 ? ["RW", "access", "delete"] : ["RO", "access"], numKeys.NumKeysIndex, () =>
            {
                w.MapHeader(2);
                w.BulkString("type"u8); w.BulkString("keynum"u8);
                w.BulkString("spec"u8);
                w.MapHeader(3);
                w.BulkString("keynumidx"u8); w.Integer(0);
                w.BulkString("firstkey"u8); w.Integer(1);
                w.BulkString("keystep"u8); w.Integer(1);
            }));
        }
        else if (spec.FirstKey > 0)
        {
            int last = spec.LastKey < 0 ? spec.LastKey : spec.LastKey - spec.FirstKey;
            specs.Add(() => KeySpec(w, access, spec.FirstKey, () => RangeFind(w, last, spec.Step)));
        }
        w.SetHeader(specs.Count);
        foreach (var write in specs) write();
    }

    private static void KeySpec(RespWriter w, string[] flags, int index, Action findKeys)
    {
        w.MapHeader(3);
        w.BulkString("flags"u8);
        w.SetHeader(flags.Length);
        foreach (var flag in flags) w.SimpleString(flag);
        w.BulkString("begin_search"u8);
        w.MapHeader(2);
        w.BulkString("type"u8); w.BulkString("index"u8);
        w.BulkString("spec"u8);
        w.MapHeader(1);
        w.BulkString("index"u8); w.Integer(index);
        w.BulkString("find_keys"u8);
        findKeys();
    }

    private static void RangeFind(RespWriter w, int lastKey, int step)
    {
        w.MapHeader(2);
        w.BulkString("type"u8); w.BulkString("range"u8);
        w.BulkString("spec"u8);
        w.MapHeader(3);
        w.BulkString("lastkey"u8); w.Integer(lastKey);
        w.BulkString("keystep"u8); w.Integer(step);
        w.BulkString("limit"u8); w.Integer(0);
    }

    /// <summary>COMMAND DOCS [name ...]: a map of name to what the table knows (its group, its subcommands).</summary>
    private static ValueTask Docs(CommandContext c)
    {
        var specs = new List<CommandSpec>();
        if (c.ArgCount == 2) specs.AddRange(Ordered(c));
        else
            for (int i = 2; i < c.ArgCount; i++)
                if (Find(c, c.Args.GetString(i)) is { } spec) specs.Add(spec);
        c.Writer.MapHeader(specs.Count);
        foreach (var spec in specs) WriteDocs(c.Writer, spec);
        return default;
    }

    private static void WriteDocs(RespWriter w, CommandSpec spec)
    {
        w.BulkString(spec.Name.ToLowerInvariant());
        w.MapHeader(spec.Subcommands is null ? 1 : 2);
        w.BulkString("group"u8);
        w.BulkString(Group(spec));
        if (spec.Subcommands is null) return;
        w.BulkString("subcommands"u8);
        w.MapHeader(spec.Subcommands.Count);
        foreach (var sub in spec.Subcommands.Values.OrderBy(s => s.Name, StringComparer.Ordinal)) WriteDocs(w, sub);
    }

    /// <summary>Redis's documentation group, from the ACL categories.</summary>
    private static string Group(CommandSpec spec)
    {
        string name = spec.Name.ToUpperInvariant();
        if (name.StartsWith("OBJECT", StringComparison.Ordinal)) return "generic";
        if (name.StartsWith("CLIENT", StringComparison.Ordinal) || name.StartsWith("COMMAND", StringComparison.Ordinal)) return name.StartsWith("CLIENT", StringComparison.Ordinal) ? "connection" : "server";
        var categories = spec.Categories;
        if (categories.Contains("@string") || categories.Contains("@bitmap")) return categories.Contains("@bitmap") ? "bitmap" : "string";
        if (categories.Contains("@list")) return "list";
        if (categories.Contains("@hash")) return "hash";
        if (categories.Contains("@sortedset")) return "sorted-set";
        if (categories.Contains("@set")) return "set";
        if (categories.Contains("@pubsub")) return "pubsub";
        if (categories.Contains("@transaction")) return "transactions";
        if (categories.Contains("@connection")) return "connection";
        if (categories.Contains("@keyspace")) return "generic";
        return "server";
    }

    /// <summary>COMMAND GETKEYS / GETKEYSANDFLAGS command arg ...: the keys the table finds in that invocation.</summary>
    private static ValueTask GetKeys(CommandContext c, bool withFlags)
    {
        var spec = Commands(c).Find(c.Arg(2));
        int first = 2, count = c.ArgCount - 2;
        if (spec?.Subcommands is { } subs && count >= 2)
        {
            if (!subs.TryGetValue(c.Args.GetString(3), out var sub)) throw new RebornException("ERR Invalid command specified");
            spec = sub;
        }
        if (spec is null) throw new RebornException("ERR Invalid command specified");
        bool movable = NumKeys.TryGetValue(spec.Name, out var numKeys);
        if (!movable && spec.FirstKey <= 0) throw new RebornException("ERR The command has no key arguments");
        if (spec.Arity > 0 ? spec.Arity != count : count < -spec.Arity)
            throw new RebornException("ERR Invalid number of arguments specified for command");

        var positions = new List<int>();
        if (movable)
        {
            positions.AddRange(numKeys.FixedKeys);
            if (numKeys.NumKeysIndex >= count || !Numbers.TryParseInt64(c.Arg(first + numKeys.NumKeysIndex), out long n)
                || n <= 0 || n > count - numKeys.NumKeysIndex - 1)
                throw new RebornException("ERR Invalid arguments specified for command");
            for (int k = 1; k <= n; k++) positions.Add(numKeys.NumKeysIndex + k);
        }
        else positions.AddRange(spec.KeyPositions(count));
        if (positions.Count == 0) throw new RebornException("ERR Invalid arguments specified for command");

        string[] access = (spec.Flags & CommandFlags.Write) != 0 ? ["RW", "update"] : ["RO", "access"];
        c.Writer.ArrayHeader(positions.Count);
        foreach (int position in positions)
        {
            if (!withFlags) { c.Writer.BulkString(c.Arg(first + position)); continue; }
            c.Writer.ArrayHeader(2);
            c.Writer.BulkString(c.Arg(first + position));
            c.Writer.SetHeader(access.Length);
            foreach (var flag in access) c.Writer.SimpleString(flag);
        }
        return default;
    }

    private static ValueTask Help(CommandContext c)
    {
        Subcommands.Help(c, "COMMAND",
        [
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ]);
        return default;
    }
}
