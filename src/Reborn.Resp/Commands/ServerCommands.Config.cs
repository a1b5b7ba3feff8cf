using System.Globalization;
using System.Text;
using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

internal static partial class ServerCommands
{
    private const CommandFlags ConfigFlags = CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale;
    private const string ConfigCategories = "@admin @slow @dangerous";

    private static readonly IReadOnlyDictionary<string, CommandSpec> ConfigTable = Subcommands.Of(
        new("CONFIG|GET", -3, ConfigFlags, 0, 0, 0, ConfigCategories, ConfigGet),
        new("CONFIG|SET", -4, ConfigFlags, 0, 0, 0, ConfigCategories, ConfigSet) { Tips = ["request_policy:all_nodes", "response_policy:all_succeeded"] },
        new("CONFIG|RESETSTAT", 2, ConfigFlags, 0, 0, 0, ConfigCategories, ConfigResetStat),
        new("CONFIG|REWRITE", 2, ConfigFlags, 0, 0, 0, ConfigCategories, ConfigRewrite),
        new("CONFIG|HELP", 2, CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "@slow", ConfigHelp));

    /// <summary>
    /// One CONFIG parameter. <see cref="Get"/> reads the live value; <see cref="Parse"/> checks a new value and
    /// returns how to apply it (throwing <see cref="ConfigException"/> with Redis's reason), or is null when the
    /// parameter cannot change at runtime. Values without a RespServerOptions home live in the server's state.
    /// </summary>
    private sealed record ConfigParameter(string Name, Func<CommandContext, string> Get, Func<CommandContext, string, Action>? Parse, bool Protected = false);

    private sealed class ConfigException(string reason) : Exception(reason);

    private static readonly ConfigParameter[] Parameters = BuildParameters();

    private static readonly Dictionary<string, ConfigParameter> ParametersByName =
        Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Defaults of the parameters kept in the server's state (canonical names only).</summary>
    private static readonly Dictionary<string, string> StoredDefaults = new(StringComparer.Ordinal)
    {
        ["hz"] = "10",
        ["maxmemory"] = "0",
        ["maxmemory-policy"] = "noeviction",
        ["appendonly"] = "no",
        ["appendfsync"] = "everysec",
        ["save"] = "",
        ["dbfilename"] = "dump.rdb",
        ["loglevel"] = "notice",
        ["replica-read-only"] = "yes",
        ["hash-max-listpack-entries"] = "512",
        ["hash-max-listpack-value"] = "64",
        ["set-max-intset-entries"] = "512",
        ["zset-max-listpack-entries"] = "128",
        ["zset-max-listpack-value"] = "64",
        ["list-max-listpack-size"] = "-2",
    };

    private static ConfigParameter[] BuildParameters()
    {
        var list = new List<ConfigParameter>
        {
            new("port", c => (c.Server?.EndPoint.Port ?? 0).ToString(CultureInfo.InvariantCulture), null),
            new("bind", c => c.Server?.Options.Bind ?? "", null),
            new("databases", c => c.Cluster.DatabaseCount.ToString(CultureInfo.InvariantCulture), null),
            new("cluster-enabled", _ => "no", null),
            new("dir", _ => Environment.CurrentDirectory, (_, _) => () => { }, Protected: true),
            Stored("dbfilename", (_, _) => { }, isProtected: true),
            new("requirepass", c => c.Server?.Options.RequirePass ?? "", (c, value) => () =>
            {
                if (c.Server is { } server) server.Options.RequirePass = value.Length == 0 ? null : value;
            }),
            new("maxclients", c => (c.Server?.Options.MaxClients ?? 10000).ToString(CultureInfo.InvariantCulture), (c, value) =>
            {
                long clients = ParseInteger(value, 1, uint.MaxValue);
                return () => { if (c.Server is { } server) server.Options.MaxClients = (int)Math.Min(clients, int.MaxValue); };
            }),
            new("timeout", c => ((long)(c.Server?.Options.IdleTimeout ?? TimeSpan.Zero).TotalSeconds).ToString(CultureInfo.InvariantCulture), (c, value) =>
            {
                long seconds = ParseInteger(value, 0, int.MaxValue);
                return () => { if (c.Server is { } server) server.Options.IdleTimeout = TimeSpan.FromSeconds(seconds); };
            }),
            new("proto-max-bulk-len", c => (c.Server?.Options.ProtoMaxBulkLength ?? 512L * 1024 * 1024).ToString(CultureInfo.InvariantCulture), (c, value) =>
            {
                long bytes = ParseMemory(value, 1024 * 1024, long.MaxValue);
                return () => { if (c.Server is { } server) server.Options.ProtoMaxBulkLength = bytes; };
            }),
            new("client-query-buffer-limit", c => (c.Server?.Options.ClientQueryBufferLimit ?? 1024L * 1024 * 1024).ToString(CultureInfo.InvariantCulture), (c, value) =>
            {
                long bytes = ParseMemory(value, 1024 * 1024, long.MaxValue);
                return () => { if (c.Server is { } server) server.Options.ClientQueryBufferLimit = bytes; };
            }),
            Stored("hz", (value, apply) => apply(Math.Clamp(ParseInteger(value, 0, int.MaxValue), 1, 500).ToString(CultureInfo.InvariantCulture))),
            Stored("maxmemory", (value, apply) => apply(ParseMemory(value, 0, long.MaxValue).ToString(CultureInfo.InvariantCulture))),
            Stored("maxmemory-policy", Enumerated("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction")),
            Stored("appendonly", YesNo),
            Stored("appendfsync", Enumerated("always", "everysec", "no")),
            Stored("save", (value, apply) => apply(ParseSave(value))),
            Stored("loglevel", Enumerated("debug", "verbose", "notice", "warning")),
            Stored("replica-read-only", YesNo),
            Stored("replica-read-only", YesNo, alias: "slave-read-only"),
            Stored("hash-max-listpack-entries", Count),
            Stored("hash-max-listpack-entries", Count, alias: "hash-max-ziplist-entries"),
            Stored("hash-max-listpack-value", Count),
            Stored("hash-max-listpack-value", Count, alias: "hash-max-ziplist-value"),
            Stored("set-max-intset-entries", Count),
            Stored("zset-max-listpack-entries", Count),
            Stored("zset-max-listpack-entries", Count, alias: "zset-max-ziplist-entries"),
            Stored("zset-max-listpack-value", Count),
            Stored("zset-max-listpack-value", Count, alias: "zset-max-ziplist-value"),
            Stored("list-max-listpack-size", (value, apply) => apply(ParseInteger(value, int.MinValue, int.MaxValue).ToString(CultureInfo.InvariantCulture))),
            Stored("list-max-listpack-size", (value, apply) => apply(ParseInteger(value, int.MinValue, int.MaxValue).ToString(CultureInfo.InvariantCulture)), alias: "list-max-ziplist-size"),
        };
        return list.ToArray();

        static void Count(string value, Action<string> apply) => apply(ParseInteger(value, 0, long.MaxValue).ToString(CultureInfo.InvariantCulture));
        static void YesNo(string value, Action<string> apply) => apply(value.ToLowerInvariant() switch
        {
            "yes" => "yes",
            "no" => "no",
            _ => throw new ConfigException("argument must be 'yes' or 'no'"),
        });
        static Action<string, Action<string>> Enumerated(params string[] values) => (value, apply) =>
            apply(values.FirstOrDefault(v => v.Equals(value, StringComparison.OrdinalIgnoreCase))
                  ?? throw new ConfigException("argument(s) must be one of the following: " + string.Join(", ", values)));
    }

    /// <summary>A parameter kept in the server's state; <paramref name="check"/> validates and calls apply with the stored text.</summary>
    private static ConfigParameter Stored(string name, Action<string, Action<string>> check, string? alias = null, bool isProtected = false) =>
        new(alias ?? name, c => ConfigValue(c, name), (c, value) =>
        {
            string? stored = null;
            check(value, normalized => stored = normalized);
            return () => SetStored(c, name, stored ?? value);
        }, isProtected);

    /// <summary>The current value of a parameter by its canonical name.</summary>
    internal static string ConfigValue(CommandContext c, string name)
    {
        if (!StoredDefaults.ContainsKey(name)) return ParametersByName[name].Get(c);
        var state = State(c);
        lock (state.Gate) return state.Values.TryGetValue(name, out var value) ? value : StoredDefaults[name];
    }

    private static void SetStored(CommandContext c, string name, string value)
    {
        var state = State(c);
        lock (state.Gate) state.Values[name] = value;
    }

    private static long ConfigLong(CommandContext c, string name) => long.Parse(ConfigValue(c, name), CultureInfo.InvariantCulture);

    /// <summary>
    /// CONFIG GET pattern [pattern ...]: every matching parameter once, as a map. A pattern without glob
    /// characters is a name, answered as it was written (Redis 7.0 does the same).
    /// </summary>
    private static ValueTask ConfigGet(CommandContext c)
    {
        var matched = new List<(string Name, ConfigParameter Parameter)>();
        for (int i = 2; i < c.ArgCount; i++)
        {
            string text = c.Args.GetString(i);
            if (text.IndexOfAny(['[', '*', '?']) < 0)
            {
                if (ParametersByName.TryGetValue(text, out var named) && !matched.Any(m => m.Parameter == named)) matched.Add((text, named));
                continue;
            }
            var pattern = c.Arg(i);
            foreach (var parameter in Parameters)
                if (!matched.Any(m => m.Parameter == parameter) && Glob.IsMatch(pattern, Encoding.ASCII.GetBytes(parameter.Name), ignoreCase: true))
                    matched.Add((parameter.Name, parameter));
        }
        c.Writer.MapHeader(matched.Count);
        foreach (var (name, parameter) in matched)
        {
            c.Writer.BulkString(name);
            c.Writer.BulkString(parameter.Get(c));
        }
        return default;
    }

    /// <summary>CONFIG SET name value [name value ...]: all checked first, then all applied.</summary>
    private static ValueTask ConfigSet(CommandContext c)
    {
        if ((c.ArgCount & 1) != 0) throw CommandContext.Syntax();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var apply = new List<Action>();
        for (int i = 2; i < c.ArgCount; i += 2)
        {
            string name = c.Args.GetString(i);
            if (!ParametersByName.TryGetValue(name, out var parameter))
                throw new RebornException($"ERR Unknown option or number of arguments for CONFIG SET - '{name}'");
            string Failed(string reason) => $"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}";
            if (parameter.Parse is null) throw new RebornException(Failed("can't set immutable config"));
            if (parameter.Protected) throw new RebornException(Failed("can't set protected config"));
            if (!seen.Add(parameter.Name.ToLowerInvariant())) throw new RebornException(Failed("duplicate parameter"));
            try { apply.Add(parameter.Parse(c, c.Args.GetString(i + 1))); }
            catch (ConfigException error) { throw new RebornException(Failed(error.Message)); }
        }
        foreach (var action in apply) action();
        c.Ok();
        return default;
    }

    private static ValueTask ConfigResetStat(CommandContext c)
    {
        c.Server?.Statistics.Reset();
        c.Ok();
        return default;
    }

    private static ValueTask ConfigRewrite(CommandContext c) => throw new RebornException("ERR The server is running without a config file");

    private static ValueTask ConfigHelp(CommandContext c)
    {
        Subcommands.Help(c, "CONFIG",
        [
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ]);
        return default;
    }

    private static long ParseInteger(string text, long min, long max)
    {
        if (!Numbers.TryParseInt64(Encoding.UTF8.GetBytes(text), out long value))
            throw new ConfigException("argument couldn't be parsed into an integer");
        return value >= min && value <= max ? value : throw new ConfigException($"argument must be between {min} and {max} inclusive");
    }

    /// <summary>Redis's memtoull: digits with an optional b, k, kb, m, mb, g or gb (any case).</summary>
    private static long ParseMemory(string text, long min, long max)
    {
        string lower = text.ToLowerInvariant();
        (string Suffix, long Unit)[] units = [("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024L * 1024 * 1024), ("k", 1000), ("m", 1000 * 1000), ("g", 1000L * 1000 * 1000), ("b", 1)];
        long multiplier = 1;
        foreach (var (suffix, unit) in units)
        {
            if (lower.EndsWith(suffix, StringComparison.Ordinal)) { multiplier = unit; lower = lower[..^suffix.Length]; break; }
        }
        if (lower.Length == 0 || !lower.All(char.IsAsciiDigit) || !long.TryParse(lower, CultureInfo.InvariantCulture, out long number))
            throw new ConfigException("argument must be a memory value");
        long value;
        try { value = checked(number * multiplier); }
        catch (OverflowException) { throw new ConfigException("argument must be a memory value"); }
        return value >= min && value <= max ? value : throw new ConfigException($"argument must be between {min} and {max} inclusive");
    }

    /// <summary>"save": empty, or pairs of seconds and changes.</summary>
    private static string ParseSave(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length % 2 != 0 || parts.Any(p => !long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            throw new ConfigException("Invalid save parameters");
        return string.Join(' ', parts);
    }
}
