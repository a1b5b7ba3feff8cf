using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

internal static partial class ServerCommands
{
    private const string ObjectCategories = "@keyspace @read @slow";

    private static readonly IReadOnlyDictionary<string, CommandSpec> ObjectTable = Subcommands.Of(
        new("OBJECT|ENCODING", 3, CommandFlags.ReadOnly, 2, 2, 1, ObjectCategories, ObjectEncoding) { Tips = ["nondeterministic_output"] },
        new("OBJECT|REFCOUNT", 3, CommandFlags.ReadOnly, 2, 2, 1, ObjectCategories, ObjectRefCount) { Tips = ["nondeterministic_output"] },
        new("OBJECT|IDLETIME", 3, CommandFlags.ReadOnly, 2, 2, 1, ObjectCategories, ObjectIdleTime) { Tips = ["nondeterministic_output"] },
        new("OBJECT|FREQ", 3, CommandFlags.ReadOnly, 2, 2, 1, ObjectCategories, ObjectFrequency) { Tips = ["nondeterministic_output"] },
        new("OBJECT|HELP", 2, CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "@keyspace @slow", ObjectHelp));

    /// <summary>Redis shares the integers 0..9999 (OBJ_SHARED_INTEGERS); their refcount reads as INT_MAX.</summary>
    private const long SharedIntegers = 10000;

    /// <summary>
    /// OBJECT ENCODING: the encoding Redis 7.0 would use for a value of this size and content under the
    /// current thresholds (Reborn stores every value the same way on disk). Strings: int, embstr (up to 44
    /// bytes) or raw; lists: quicklist; hashes and sorted sets: listpack up to *-max-listpack-entries
    /// elements of at most *-max-listpack-value bytes, else hashtable / skiplist; sets: intset up to
    /// set-max-intset-entries integers, else hashtable.
    /// </summary>
    private static async ValueTask ObjectEncoding(CommandContext c)
    {
        var key = c.Key(2);
        var db = c.Db;
        string? encoding = await db.KeyTypeAsync(key).ConfigureAwait(false) switch
        {
            RedisType.String => StringEncoding((await db.StringGetAsync(key).ConfigureAwait(false)).Span),
            RedisType.List => "quicklist",
            RedisType.Hash => await HashEncoding(c, key).ConfigureAwait(false),
            RedisType.Set => await SetEncoding(c, key).ConfigureAwait(false),
            RedisType.SortedSet => await SortedSetEncoding(c, key).ConfigureAwait(false),
            _ => null,
        };
        if (encoding is null) c.Writer.Null();
        else c.Writer.BulkString(encoding);
    }

    private static string StringEncoding(ReadOnlySpan<byte> value)
    {
        if (value.Length <= 20 && Numbers.TryParseInt64(value, out _)) return "int";
        return value.Length <= 44 ? "embstr" : "raw";
    }

    private static async ValueTask<string> HashEncoding(CommandContext c, RebornKey key)
    {
        long entries = ConfigLong(c, "hash-max-listpack-entries"), size = ConfigLong(c, "hash-max-listpack-value");
        if (await c.Db.HashLengthAsync(key).ConfigureAwait(false) > entries) return "hashtable";
        foreach (var entry in await c.Db.HashGetAllAsync(key).ConfigureAwait(false))
            if (entry.Name.Span.Length > size || entry.Value.Span.Length > size) return "hashtable";
        return "listpack";
    }

    private static async ValueTask<string> SetEncoding(CommandContext c, RebornKey key)
    {
        if (await c.Db.SetLengthAsync(key).ConfigureAwait(false) > ConfigLong(c, "set-max-intset-entries")) return "hashtable";
        foreach (var member in await c.Db.SetMembersAsync(key).ConfigureAwait(false))
            if (!Numbers.TryParseInt64(member.Span, out _)) return "hashtable";
        return "intset";
    }

    private static async ValueTask<string> SortedSetEncoding(CommandContext c, RebornKey key)
    {
        long entries = ConfigLong(c, "zset-max-listpack-entries"), size = ConfigLong(c, "zset-max-listpack-value");
        if (await c.Db.SortedSetLengthAsync(key).ConfigureAwait(false) > entries) return "skiplist";
        foreach (var entry in await c.Db.SortedSetRangeByRankAsync(key).ConfigureAwait(false))
            if (entry.Member.Span.Length > size) return "skiplist";
        return "listpack";
    }

    private static async ValueTask ObjectRefCount(CommandContext c)
    {
        var key = c.Key(2);
        var type = await c.Db.KeyTypeAsync(key).ConfigureAwait(false);
        if (type == RedisType.None) { c.Writer.Null(); return; }
        bool shared = false;
        if (type == RedisType.String)
        {
            var value = await c.Db.StringGetAsync(key).ConfigureAwait(false);
            shared = value.Span.Length <= 20 && Numbers.TryParseInt64(value.Span, out long number) && number is >= 0 and < SharedIntegers;
        }
        c.Writer.Integer(shared ? int.MaxValue : 1);
    }

    /// <summary>Reborn does not track access times: every existing key reads as just used.</summary>
    private static async ValueTask ObjectIdleTime(CommandContext c)
    {
        if (await c.Db.KeyTypeAsync(c.Key(2)).ConfigureAwait(false) == RedisType.None) { c.Writer.Null(); return; }
        if (ConfigValue(c, "maxmemory-policy").Contains("lfu", StringComparison.Ordinal))
            throw new RebornException("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
        c.Writer.Integer(0);
    }

    private static async ValueTask ObjectFrequency(CommandContext c)
    {
        if (await c.Db.KeyTypeAsync(c.Key(2)).ConfigureAwait(false) == RedisType.None) { c.Writer.Null(); return; }
        if (!ConfigValue(c, "maxmemory-policy").Contains("lfu", StringComparison.Ordinal))
            throw new RebornException("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
        c.Writer.Integer(0);
    }

    private static ValueTask ObjectHelp(CommandContext c)
    {
        Subcommands.Help(c, "OBJECT",
        [
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ]);
        return default;
    }
}
