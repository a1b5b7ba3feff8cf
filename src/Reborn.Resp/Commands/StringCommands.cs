using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>The string family: parsing and replies. Storage lives in Keyspace.Strings.cs.</summary>
internal static class StringCommands
{
    private const CommandFlags W = CommandFlags.Write | CommandFlags.DenyOom;
    private const CommandFlags WF = W | CommandFlags.Fast;
    private const CommandFlags R = CommandFlags.ReadOnly;
    private const CommandFlags RF = R | CommandFlags.Fast;

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("GET", 2, RF, 1, 1, 1, "@read @string @fast", Get),
        new("SET", -3, W, 1, 1, 1, "@write @string @slow", Set),
        new("SETNX", 3, WF, 1, 1, 1, "@write @string @fast", SetNx),
        new("SETEX", 4, W, 1, 1, 1, "@write @string @slow", SetEx),
        new("PSETEX", 4, W, 1, 1, 1, "@write @string @slow", PSetEx),
        new("GETSET", 3, WF, 1, 1, 1, "@write @string @fast", GetSet),
        new("GETDEL", 2, CommandFlags.Write | CommandFlags.Fast, 1, 1, 1, "@write @string @fast", GetDel),
        new("GETEX", -2, CommandFlags.Write | CommandFlags.Fast, 1, 1, 1, "@write @string @fast", GetEx),
        new("MGET", -2, RF, 1, -1, 1, "@read @string @fast", MGet),
        new("MSET", -3, W, 1, -1, 2, "@write @string @slow", MSet),
        new("MSETNX", -3, W, 1, -1, 2, "@write @string @slow", MSetNx),
        new("INCR", 2, WF, 1, 1, 1, "@write @string @fast", Incr),
        new("DECR", 2, WF, 1, 1, 1, "@write @string @fast", Decr),
        new("INCRBY", 3, WF, 1, 1, 1, "@write @string @fast", IncrBy),
        new("DECRBY", 3, WF, 1, 1, 1, "@write @string @fast", DecrBy),
        new("INCRBYFLOAT", 3, WF, 1, 1, 1, "@write @string @fast", IncrByFloat),
        new("APPEND", 3, WF, 1, 1, 1, "@write @string @fast", Append),
        new("STRLEN", 2, RF, 1, 1, 1, "@read @string @fast", StrLen),
        new("GETRANGE", 4, R, 1, 1, 1, "@read @string @slow", GetRange),
        new("SUBSTR", 4, R, 1, 1, 1, "@read @string @slow", GetRange),
        new("SETRANGE", 4, W, 1, 1, 1, "@write @string @slow", SetRange),
        new("GETBIT", 3, RF, 1, 1, 1, "@read @bitmap @fast", GetBit),
        new("SETBIT", 4, W, 1, 1, 1, "@write @bitmap @slow", SetBit),
        new("BITCOUNT", -2, R, 1, 1, 1, "@read @bitmap @slow", BitCount),
        new("BITPOS", -3, R, 1, 1, 1, "@read @bitmap @slow", BitPos),
        new("BITOP", -4, W, 2, -1, 1, "@write @bitmap @slow", BitOp),
    ];

    private static async ValueTask Get(CommandContext c) => c.Bulk(await c.Db.StringGetAsync(c.Key(1)));

    private static async ValueTask Set(CommandContext c)
    {
        var condition = SetCondition.Always;
        bool get = false;
        int expiryAt = 0; // index of the EX/PX/EXAT/PXAT value, parsed after the options as Redis does
        bool seconds = false, absolute = false, keepTtl = false;
        for (int i = 3; i < c.ArgCount; i++)
        {
            bool hasNext = i + 1 < c.ArgCount;
            bool timed = expiryAt != 0;
            if (c.Is(i, "NX"u8) && condition != SetCondition.IfExists) condition = SetCondition.IfNotExists;
            else if (c.Is(i, "XX"u8) && condition != SetCondition.IfNotExists) condition = SetCondition.IfExists;
            else if (c.Is(i, "GET"u8)) get = true;
            else if (c.Is(i, "KEEPTTL"u8) && !timed) keepTtl = true;
            else if (!keepTtl && hasNext && TimedOption(c, i, out bool s, out bool a) && (!timed || (s == seconds && a == absolute)))
            {
                (seconds, absolute, expiryAt) = (s, a, ++i);
            }
            else throw CommandContext.Syntax();
        }
        var expiry = keepTtl ? Expiry.Keep : expiryAt != 0 ? ExpiryArguments.Parse(c, expiryAt, seconds, absolute) : Expiry.None;
        var result = await c.Db.StringSetAsync(c.Key(1), c.Value(2), condition, expiry, get);
        if (get) c.Bulk(result.OldValue);
        else if (result.Written) c.Ok();
        else c.Writer.Null();
    }

    private static bool TimedOption(CommandContext c, int i, out bool seconds, out bool absolute)
    {
        seconds = c.Is(i, "EX"u8) || c.Is(i, "EXAT"u8);
        absolute = c.Is(i, "EXAT"u8) || c.Is(i, "PXAT"u8);
        return seconds || absolute || c.Is(i, "PX"u8);
    }

    private static async ValueTask SetNx(CommandContext c)
        => c.Writer.Integer(await c.Db.StringSetNotExistsAsync(c.Key(1), c.Value(2)) ? 1 : 0);

    private static ValueTask SetEx(CommandContext c) => SetWithTtl(c, seconds: true);
    private static ValueTask PSetEx(CommandContext c) => SetWithTtl(c, seconds: false);

    private static async ValueTask SetWithTtl(CommandContext c, bool seconds)
    {
        var expiry = ExpiryArguments.Parse(c, 2, seconds, absolute: false);
        await c.Db.StringSetAsync(c.Key(1), c.Value(3), SetCondition.Always, expiry);
        c.Ok();
    }

    private static async ValueTask GetSet(CommandContext c) => c.Bulk(await c.Db.StringGetSetAsync(c.Key(1), c.Value(2)));

    private static async ValueTask GetDel(CommandContext c) => c.Bulk(await c.Db.StringGetDeleteAsync(c.Key(1)));

    private static async ValueTask GetEx(CommandContext c)
    {
        bool persist = false, seconds = false, absolute = false;
        int expiryAt = 0;
        for (int i = 2; i < c.ArgCount; i++)
        {
            bool hasNext = i + 1 < c.ArgCount;
            bool timed = expiryAt != 0;
            if (c.Is(i, "PERSIST"u8) && !timed) persist = true;
            else if (!persist && hasNext && TimedOption(c, i, out bool s, out bool a) && (!timed || (s == seconds && a == absolute)))
                (seconds, absolute, expiryAt) = (s, a, ++i);
            else throw CommandContext.Syntax();
        }
        if (expiryAt != 0)
        {
            // Redis answers a missing key (nil) or a wrong type before it validates the time.
            var type = await c.Db.KeyTypeAsync(c.Key(1));
            if (type == RedisType.None) { c.Writer.Null(); return; }
            if (type != RedisType.String) throw Errors.WrongTypeError();
        }
        var expiry = persist ? Expiry.Persist : expiryAt != 0 ? ExpiryArguments.Parse(c, expiryAt, seconds, absolute) : Expiry.Keep;
        c.Bulk(await c.Db.StringGetExAsync(c.Key(1), expiry));
    }

    private static async ValueTask MGet(CommandContext c)
    {
        var values = await c.Db.StringGetAsync(c.Keys(1, c.ArgCount - 1));
        c.BulkArray(values);
    }

    private static ValueTask MSet(CommandContext c) => MSetCore(c, false);
    private static ValueTask MSetNx(CommandContext c) => MSetCore(c, true);

    private static async ValueTask MSetCore(CommandContext c, bool nx)
    {
        if (c.ArgCount % 2 == 0) throw new RebornException($"ERR wrong number of arguments for '{c.CommandName}' command");
        var pairs = new KeyValuePair<RebornKey, RebornValue>[(c.ArgCount - 1) / 2];
        for (int i = 0; i < pairs.Length; i++) pairs[i] = new(c.Key(1 + 2 * i), c.Value(2 + 2 * i));
        bool written = await c.Db.StringSetAsync(pairs, nx);
        if (nx) c.Writer.Integer(written ? 1 : 0);
        else c.Ok();
    }

    private static async ValueTask Incr(CommandContext c) => c.Writer.Integer(await c.Db.StringIncrementAsync(c.Key(1), 1L));
    private static async ValueTask Decr(CommandContext c) => c.Writer.Integer(await c.Db.StringIncrementAsync(c.Key(1), -1L));
    private static async ValueTask IncrBy(CommandContext c) => c.Writer.Integer(await c.Db.StringIncrementAsync(c.Key(1), c.Long(2)));
    private static async ValueTask DecrBy(CommandContext c) => c.Writer.Integer(await c.Db.StringDecrementAsync(c.Key(1), c.Long(2)));

    private static async ValueTask IncrByFloat(CommandContext c)
    {
        if (!Numbers.TryParseDouble(c.Arg(2), out double delta))
        {
            // Redis checks the key's type before it parses the increment.
            var type = await c.Db.KeyTypeAsync(c.Key(1));
            if (type is not RedisType.None and not RedisType.String) throw Errors.WrongTypeError();
            throw new RebornException(Errors.NotFloat);
        }
        c.Bulk(await c.Db.StringIncrementAsync(c.Key(1), delta));
    }

    private static async ValueTask Append(CommandContext c) => c.Writer.Integer(await c.Db.StringAppendAsync(c.Key(1), c.Value(2)));
    private static async ValueTask StrLen(CommandContext c) => c.Writer.Integer(await c.Db.StringLengthAsync(c.Key(1)));

    private static async ValueTask GetRange(CommandContext c)
    {
        long start = c.Long(2), end = c.Long(3);
        c.Bulk(await c.Db.StringGetRangeAsync(c.Key(1), start, end));
    }

    private static async ValueTask SetRange(CommandContext c)
    {
        long offset = c.Long(2);
        if (offset < 0) throw new RebornException(Errors.OffsetOutOfRange);
        c.Writer.Integer(await c.Db.StringSetRangeAsync(c.Key(1), offset, c.Value(3)));
    }

    private static long BitOffset(CommandContext c, int index)
    {
        if (!Numbers.TryParseInt64(c.Arg(index), out long offset) || offset < 0 || (offset >> 3) >= 512L * 1024 * 1024)
            throw new RebornException(Errors.BitOffset);
        return offset;
    }

    private static async ValueTask GetBit(CommandContext c) => c.Writer.Integer(await c.Db.StringGetBitAsync(c.Key(1), BitOffset(c, 2)));

    private static async ValueTask SetBit(CommandContext c)
    {
        long offset = BitOffset(c, 2);
        bool on = c.Arg(3).SequenceEqual("1"u8);
        if (!on && !c.Arg(3).SequenceEqual("0"u8)) throw new RebornException(Errors.BitValue);
        c.Writer.Integer(await c.Db.StringSetBitAsync(c.Key(1), offset, on));
    }

    /// <summary>[start end [BYTE|BIT]] as BITCOUNT and BITPOS take it, from <paramref name="at"/>.</summary>
    private static (long? Start, long? End, bool Bits) Range(CommandContext c, int at, bool endOptional)
    {
        long? start = null, end = null;
        bool bits = false;
        int remaining = c.ArgCount - at;
        if (remaining == 0) return (null, null, false);
        if (remaining == 1 && !endOptional) throw CommandContext.Syntax();
        start = c.Long(at);
        if (remaining >= 2) end = c.Long(at + 1);
        if (remaining == 3)
        {
            if (c.Is(at + 2, "BIT"u8)) bits = true;
            else if (!c.Is(at + 2, "BYTE"u8)) throw CommandContext.Syntax();
        }
        else if (remaining > 3) throw CommandContext.Syntax();
        return (start, end, bits);
    }

    private static async ValueTask BitCount(CommandContext c)
    {
        var (start, end, bits) = Range(c, 2, endOptional: false);
        c.Writer.Integer(await c.Db.StringBitCountAsync(c.Key(1), start, end, bits));
    }

    private static async ValueTask BitPos(CommandContext c)
    {
        bool bit = c.Arg(2).SequenceEqual("1"u8);
        if (!bit && !c.Arg(2).SequenceEqual("0"u8)) throw new RebornException("ERR The bit argument must be 1 or 0.");
        var (start, end, bits) = Range(c, 3, endOptional: true);
        c.Writer.Integer(await c.Db.StringBitPositionAsync(c.Key(1), bit, start, end, bits));
    }

    private static async ValueTask BitOp(CommandContext c)
    {
        BitOperation op;
        if (c.Is(1, "AND"u8)) op = BitOperation.And;
        else if (c.Is(1, "OR"u8)) op = BitOperation.Or;
        else if (c.Is(1, "XOR"u8)) op = BitOperation.Xor;
        else if (c.Is(1, "NOT"u8)) op = BitOperation.Not;
        else throw CommandContext.Syntax();
        if (op == BitOperation.Not && c.ArgCount != 4)
            throw new RebornException("ERR BITOP NOT must be called with a single source key.");
        c.Writer.Integer(await c.Db.StringBitOperationAsync(op, c.Key(2), c.Keys(3, c.ArgCount - 1)));
    }
}
