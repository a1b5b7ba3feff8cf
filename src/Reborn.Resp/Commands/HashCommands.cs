using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>The hash family: parsing and replies. Storage lives in Keyspace.Hashes.cs.</summary>
internal static class HashCommands
{
    private const CommandFlags WF = CommandFlags.Write | CommandFlags.DenyOom | CommandFlags.Fast;
    private const CommandFlags R = CommandFlags.ReadOnly;
    private const CommandFlags RF = R | CommandFlags.Fast;

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("HSET", -4, WF, 1, 1, 1, "@write @hash @fast", HSet),
        new("HMSET", -4, WF, 1, 1, 1, "@write @hash @fast", HMSet),
        new("HSETNX", 4, WF, 1, 1, 1, "@write @hash @fast", HSetNx),
        new("HGET", 3, RF, 1, 1, 1, "@read @hash @fast", HGet),
        new("HMGET", -3, RF, 1, 1, 1, "@read @hash @fast", HMGet),
        new("HDEL", -3, CommandFlags.Write | CommandFlags.Fast, 1, 1, 1, "@write @hash @fast", HDel),
        new("HLEN", 2, RF, 1, 1, 1, "@read @hash @fast", HLen),
        new("HSTRLEN", 3, RF, 1, 1, 1, "@read @hash @fast", HStrLen),
        new("HEXISTS", 3, RF, 1, 1, 1, "@read @hash @fast", HExists),
        new("HKEYS", 2, R, 1, 1, 1, "@read @hash @slow", HKeys),
        new("HVALS", 2, R, 1, 1, 1, "@read @hash @slow", HVals),
        new("HGETALL", 2, R, 1, 1, 1, "@read @hash @slow", HGetAll),
        new("HINCRBY", 4, WF, 1, 1, 1, "@write @hash @fast", HIncrBy),
        new("HINCRBYFLOAT", 4, WF, 1, 1, 1, "@write @hash @fast", HIncrByFloat),
        new("HRANDFIELD", -2, R, 1, 1, 1, "@read @hash @slow", HRandField),
        new("HSCAN", -3, R, 1, 1, 1, "@read @hash @slow", HScan),
    ];

    /// <summary>field value [field value ...] from index 2; an odd count is Redis's arity error.</summary>
    private static HashEntry[] Entries(CommandContext c)
    {
        if (c.ArgCount % 2 == 1) throw new RebornException($"ERR wrong number of arguments for '{c.CommandName}' command");
        var entries = new HashEntry[(c.ArgCount - 2) / 2];
        for (int i = 0; i < entries.Length; i++) entries[i] = new HashEntry(c.Value(2 + 2 * i), c.Value(3 + 2 * i));
        return entries;
    }

    private static RebornValue[] Fields(CommandContext c)
    {
        var fields = new RebornValue[c.ArgCount - 2];
        for (int i = 0; i < fields.Length; i++) fields[i] = c.Value(2 + i);
        return fields;
    }

    private static async ValueTask HSet(CommandContext c) => c.Writer.Integer(await c.Db.HashSetAsync(c.Key(1), Entries(c)));

    private static async ValueTask HMSet(CommandContext c)
    {
        await c.Db.HashSetAsync(c.Key(1), Entries(c));
        c.Ok();
    }

    private static async ValueTask HSetNx(CommandContext c)
        => c.Writer.Integer(await c.Db.HashSetNotExistsAsync(c.Key(1), c.Value(2), c.Value(3)) ? 1 : 0);

    private static async ValueTask HGet(CommandContext c) => c.Bulk(await c.Db.HashGetAsync(c.Key(1), c.Value(2)));

    private static async ValueTask HMGet(CommandContext c) => c.BulkArray(await c.Db.HashGetAsync(c.Key(1), Fields(c)));

    private static async ValueTask HDel(CommandContext c) => c.Writer.Integer(await c.Db.HashDeleteAsync(c.Key(1), Fields(c)));

    private static async ValueTask HLen(CommandContext c) => c.Writer.Integer(await c.Db.HashLengthAsync(c.Key(1)));

    private static async ValueTask HStrLen(CommandContext c) => c.Writer.Integer(await c.Db.HashStringLengthAsync(c.Key(1), c.Value(2)));

    private static async ValueTask HExists(CommandContext c) => c.Writer.Integer(await c.Db.HashExistsAsync(c.Key(1), c.Value(2)) ? 1 : 0);

    private static ValueTask HKeys(CommandContext c) => c.Db.HashKeysAsync(c.Key(1), c.Aggregate(AggregateKind.Array));

    private static ValueTask HVals(CommandContext c) => c.Db.HashValuesAsync(c.Key(1), c.Aggregate(AggregateKind.Array));

    /// <summary>HGETALL: a map in RESP3 (an empty map for a missing key), a flat array in RESP2.</summary>
    private static ValueTask HGetAll(CommandContext c) => c.Db.HashGetAllAsync(c.Key(1), c.Aggregate(AggregateKind.Map));

    private static async ValueTask HIncrBy(CommandContext c)
    {
        long delta = c.Long(3);
        c.Writer.Integer(await c.Db.HashIncrementAsync(c.Key(1), c.Value(2), delta));
    }

    private static async ValueTask HIncrByFloat(CommandContext c)
    {
        double delta = c.Double(3);
        c.Bulk(await c.Db.HashIncrementAsync(c.Key(1), c.Value(2), delta));
    }

    /// <summary>
    /// HRANDFIELD key [count [WITHVALUES]]. As Redis 7.0: the count and the option are checked
    /// before the key; WITHVALUES bounds the count to +-LONG_MAX/2; in RESP3 each field and its
    /// value come as a two-element array.
    /// </summary>
    private static async ValueTask HRandField(CommandContext c)
    {
        if (c.ArgCount == 2)
        {
            c.Bulk(await c.Db.HashRandomFieldAsync(c.Key(1)));
            return;
        }
        long count = c.Long(2);
        if (count == long.MinValue) throw new RebornException(Errors.RandomCountRange);
        if (c.ArgCount > 4 || (c.ArgCount == 4 && !c.Is(3, "WITHVALUES"u8))) throw CommandContext.Syntax();
        if (c.ArgCount == 3)
        {
            c.BulkArray(await c.Db.HashRandomFieldsAsync(c.Key(1), count));
            return;
        }
        if (count < -(long.MaxValue / 2) || count > long.MaxValue / 2) throw new RebornException(Errors.ValueOutOfRange);
        var entries = await c.Db.HashRandomFieldsWithValuesAsync(c.Key(1), count);
        bool pairs = c.Writer.Protocol == 3;
        c.Writer.ArrayHeader(pairs ? entries.Length : entries.Length * 2);
        foreach (var entry in entries)
        {
            if (pairs) c.Writer.ArrayHeader(2);
            c.Writer.BulkString(entry.Name.Span);
            c.Writer.BulkString(entry.Value.Span);
        }
    }

    /// <summary>
    /// HSCAN key cursor [MATCH pattern] [COUNT count]. As Redis 7.0: a bad cursor is an error first;
    /// then a missing key answers an empty page whatever the options; then WRONGTYPE; then the options.
    /// </summary>
    private static async ValueTask HScan(CommandContext c)
    {
        long cursor = ScanArguments.Cursor(c, 2);
        if (await c.Db.HashLengthAsync(c.Key(1)) == 0)
        {
            ScanArguments.WritePage(c, 0, []);
            return;
        }
        var (pattern, count, _) = ScanArguments.Options(c, 3, allowType: false);
        var page = await c.Db.HashScanAsync(c.Key(1), cursor, pattern, count);
        var items = new RebornValue[page.Entries.Length * 2];
        for (int i = 0; i < page.Entries.Length; i++) (items[2 * i], items[2 * i + 1]) = (page.Entries[i].Name, page.Entries[i].Value);
        ScanArguments.WritePage(c, page.Cursor, items);
    }
}
