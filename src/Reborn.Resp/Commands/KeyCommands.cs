using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>The generic key family: DEL, EXISTS, TYPE, expiry, SCAN, KEYS, databases.</summary>
internal static class KeyCommands
{
    private const CommandFlags W = CommandFlags.Write;
    private const CommandFlags WF = W | CommandFlags.Fast;
    private const CommandFlags R = CommandFlags.ReadOnly;
    private const CommandFlags RF = R | CommandFlags.Fast;

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("DEL", -2, W, 1, -1, 1, "@keyspace @write @slow", Del),
        new("UNLINK", -2, WF, 1, -1, 1, "@keyspace @write @fast", Del),
        new("EXISTS", -2, RF, 1, -1, 1, "@keyspace @read @fast", Exists),
        new("TOUCH", -2, RF, 1, -1, 1, "@keyspace @read @fast", Touch),
        new("TYPE", 2, RF, 1, 1, 1, "@keyspace @read @fast", Type),
        new("EXPIRE", -3, WF, 1, 1, 1, "@keyspace @write @fast", c => Expire(c, seconds: true, absolute: false)),
        new("PEXPIRE", -3, WF, 1, 1, 1, "@keyspace @write @fast", c => Expire(c, seconds: false, absolute: false)),
        new("EXPIREAT", -3, WF, 1, 1, 1, "@keyspace @write @fast", c => Expire(c, seconds: true, absolute: true)),
        new("PEXPIREAT", -3, WF, 1, 1, 1, "@keyspace @write @fast", c => Expire(c, seconds: false, absolute: true)),
        new("TTL", 2, RF, 1, 1, 1, "@keyspace @read @fast", c => Ttl(c, seconds: true)),
        new("PTTL", 2, RF, 1, 1, 1, "@keyspace @read @fast", c => Ttl(c, seconds: false)),
        new("EXPIRETIME", 2, RF, 1, 1, 1, "@keyspace @read @fast", c => ExpireTime(c, seconds: true)),
        new("PEXPIRETIME", 2, RF, 1, 1, 1, "@keyspace @read @fast", c => ExpireTime(c, seconds: false)),
        new("PERSIST", 2, WF, 1, 1, 1, "@keyspace @write @fast", Persist),
        new("RANDOMKEY", 1, R, 0, 0, 0, "@keyspace @read @slow", RandomKey),
        new("KEYS", 2, R, 0, 0, 0, "@keyspace @read @slow @dangerous", Keys),
        new("SCAN", -2, R, 0, 0, 0, "@keyspace @read @slow", Scan),
        new("DBSIZE", 1, RF, 0, 0, 0, "@keyspace @read @fast", DbSize),
        new("FLUSHDB", -1, W, 0, 0, 0, "@keyspace @write @slow @dangerous", FlushDb),
        new("FLUSHALL", -1, W, 0, 0, 0, "@keyspace @write @slow @dangerous", FlushAll),
        new("RENAME", 3, W, 1, 2, 1, "@keyspace @write @slow", c => Rename(c, nx: false)),
        new("RENAMENX", 3, WF, 1, 2, 1, "@keyspace @write @fast", c => Rename(c, nx: true)),
        new("COPY", -3, W | CommandFlags.DenyOom, 1, 2, 1, "@keyspace @write @slow", Copy),
        new("DUMP", 2, R, 1, 1, 1, "@keyspace @read @slow", Dump),
        new("RESTORE", -4, W | CommandFlags.DenyOom, 1, 1, 1, "@keyspace @write @slow @dangerous", Restore),
        new("SWAPDB", 3, WF, 0, 0, 0, "@keyspace @write @fast @dangerous", SwapDb),
    ];

    private static async ValueTask Del(CommandContext c) => c.Writer.Integer(await c.Db.KeyDeleteAsync(c.Keys(1, c.ArgCount - 1)));
    private static async ValueTask Exists(CommandContext c) => c.Writer.Integer(await c.Db.KeyExistsAsync(c.Keys(1, c.ArgCount - 1)));
    private static async ValueTask Touch(CommandContext c) => c.Writer.Integer(await c.Db.KeyTouchAsync(c.Keys(1, c.ArgCount - 1)));

    public static ReadOnlySpan<byte> TypeName(RedisType type) => type switch
    {
        RedisType.String => "string"u8,
        RedisType.List => "list"u8,
        RedisType.Set => "set"u8,
        RedisType.Hash => "hash"u8,
        RedisType.SortedSet => "zset"u8,
        _ => "none"u8,
    };

    public static RedisType? ParseTypeName(ReadOnlySpan<byte> name)
    {
        foreach (var type in new[] { RedisType.String, RedisType.List, RedisType.Set, RedisType.Hash, RedisType.SortedSet })
            if (System.Text.Ascii.EqualsIgnoreCase(name, TypeName(type))) return type;
        return null;
    }

    private static async ValueTask Type(CommandContext c) => c.Writer.SimpleString(TypeName(await c.Db.KeyTypeAsync(c.Key(1))));

    private static async ValueTask Expire(CommandContext c, bool seconds, bool absolute)
    {
        var condition = ExpireCondition.Always;
        bool nx = false, xx = false, gt = false, lt = false;
        for (int i = 3; i < c.ArgCount; i++)
        {
            if (c.Is(i, "NX"u8)) nx = true;
            else if (c.Is(i, "XX"u8)) xx = true;
            else if (c.Is(i, "GT"u8)) gt = true;
            else if (c.Is(i, "LT"u8)) lt = true;
            else throw new RebornException($"ERR Unsupported option {c.Args.GetString(i)}");
        }
        if (nx && (xx || gt || lt)) throw new RebornException("ERR NX and XX, GT or LT options at the same time are not compatible");
        if (gt && lt) throw new RebornException("ERR GT and LT options at the same time are not compatible");
        condition = nx ? ExpireCondition.IfNoExpiry : xx && !gt && !lt ? ExpireCondition.IfHasExpiry : gt ? ExpireCondition.IfGreater : lt ? ExpireCondition.IfLess : ExpireCondition.Always;
        long when = c.Long(2);
        if (seconds)
        {
            if (when > long.MaxValue / 1000 || when < long.MinValue / 1000) throw Errors.InvalidExpireTime(c.CommandName);
            when *= 1000;
        }
        if (!absolute)
        {
            long now = c.Db.NowMs;
            if (when > long.MaxValue - now) throw Errors.InvalidExpireTime(c.CommandName);
            when += now;
        }
        if (xx && (gt || lt))
        {
            // XX with GT/LT: the key must have an expiry and satisfy the comparison.
            long current = await c.Db.KeyExpireTimeMsAsync(c.Key(1));
            if (current < 0) { c.Writer.Integer(0); return; }
        }
        // A time in the past deletes the key at once; never store a non-positive expiry.
        bool changed = await c.Db.KeyExpireAtAsync(c.Key(1), Math.Max(when, 1) == when ? when : 1, condition);
        c.Writer.Integer(changed ? 1 : 0);
    }

    private static async ValueTask Ttl(CommandContext c, bool seconds)
    {
        long ms = await c.Db.KeyTimeToLiveMsAsync(c.Key(1));
        c.Writer.Integer(ms < 0 || !seconds ? ms : (ms + 500) / 1000);
    }

    private static async ValueTask ExpireTime(CommandContext c, bool seconds)
    {
        long at = await c.Db.KeyExpireTimeMsAsync(c.Key(1));
        c.Writer.Integer(at < 0 || !seconds ? at : at / 1000);
    }

    private static async ValueTask Persist(CommandContext c) => c.Writer.Integer(await c.Db.KeyPersistAsync(c.Key(1)) ? 1 : 0);

    private static async ValueTask RandomKey(CommandContext c) => c.Bulk(await c.Db.KeyRandomAsync());

    private static async ValueTask Keys(CommandContext c) => c.BulkArray(await c.Db.KeysAsync(c.Value(1)));

    private static async ValueTask Scan(CommandContext c)
    {
        long cursor = ScanArguments.Cursor(c, 1);
        var (pattern, count, type) = ScanArguments.Options(c, 2, allowType: true);
        var page = await c.Db.ScanAsync(cursor, pattern, count, type ?? RedisType.None);
        // An unknown TYPE name matches nothing, as in Redis.
        ScanArguments.WritePage(c, page.Cursor, type is null && ScanArguments.HasType(c, 2) ? [] : page.Items);
    }

    private static async ValueTask Rename(CommandContext c, bool nx)
    {
        bool renamed = await c.Db.KeyRenameAsync(c.Key(1), c.Key(2), nx);
        if (nx) c.Writer.Integer(renamed ? 1 : 0);
        else c.Ok();
    }

    private static async ValueTask Copy(CommandContext c)
    {
        bool replace = false;
        int? db = null;
        for (int i = 3; i < c.ArgCount; i++)
        {
            if (c.Is(i, "REPLACE"u8)) replace = true;
            else if (c.Is(i, "DB"u8) && i + 1 < c.ArgCount) db = c.Int(++i);
            else throw CommandContext.Syntax();
        }
        c.Writer.Integer(await c.Db.KeyCopyAsync(c.Key(1), c.Key(2), db, replace) ? 1 : 0);
    }

    private static async ValueTask Dump(CommandContext c)
    {
        var payload = await c.Db.KeyDumpAsync(c.Key(1));
        if (payload is null) c.Writer.Null();
        else c.Writer.BulkString(payload);
    }

    private static async ValueTask Restore(CommandContext c)
    {
        bool replace = false, absolute = false;
        for (int i = 4; i < c.ArgCount; i++)
        {
            bool hasNext = i + 1 < c.ArgCount;
            if (c.Is(i, "REPLACE"u8)) replace = true;
            else if (c.Is(i, "ABSTTL"u8)) absolute = true;
            else if (c.Is(i, "IDLETIME"u8) && hasNext)
            {
                if (c.Long(++i) < 0) throw new RebornException("ERR Invalid IDLETIME value, must be >= 0");
            }
            else if (c.Is(i, "FREQ"u8) && hasNext)
            {
                long freq = c.Long(++i);
                if (freq is < 0 or > 255) throw new RebornException("ERR Invalid FREQ value, must be >= 0 and <= 255");
            }
            else throw CommandContext.Syntax();
        }
        if (!replace && await c.Db.KeyExistsAsync(c.Key(1)) > 0) throw new RebornException(Errors.BusyKey);
        long ttl = c.Long(2);
        if (ttl < 0) throw new RebornException("ERR Invalid TTL value, must be >= 0");
        long expireAt = ttl == 0 ? 0 : absolute ? ttl : c.Db.NowMs + ttl;
        // An absolute time in the past: Redis answers OK and leaves no key.
        await c.Db.KeyRestoreAsync(c.Key(1), c.Args.GetMemory(3), expireAt == 0 ? 0 : Math.Max(expireAt, 1), replace);
        c.Ok();
    }

    private static async ValueTask DbSize(CommandContext c) => c.Writer.Integer(await c.Db.DatabaseSizeAsync());

    private static bool FlushMode(CommandContext c)
    {
        if (c.ArgCount > 2) throw CommandContext.Syntax();
        if (c.ArgCount == 2 && !c.Is(1, "ASYNC"u8) && !c.Is(1, "SYNC"u8)) throw CommandContext.Syntax();
        return true;
    }

    private static async ValueTask FlushDb(CommandContext c)
    {
        FlushMode(c);
        await c.Db.FlushDatabaseAsync();
        c.Ok();
    }

    private static async ValueTask FlushAll(CommandContext c)
    {
        FlushMode(c);
        await c.Cluster.FlushAllAsync();
        c.Ok();
    }

    private static async ValueTask SwapDb(CommandContext c)
    {
        int a = c.Int(1, "ERR invalid first DB index"), b = c.Int(2, "ERR invalid second DB index");
        if ((uint)a >= c.Cluster.DatabaseCount || (uint)b >= c.Cluster.DatabaseCount) throw new RebornException(Errors.DbIndexOutOfRange);
        await c.Cluster.SwapDatabasesAsync(a, b);
        c.Ok();
    }
}
