using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>The cursor and MATCH / COUNT / TYPE options shared by SCAN, HSCAN, SSCAN and ZSCAN.</summary>
internal static class ScanArguments
{
    /// <summary>
    /// Redis's parseScanCursorOrReply: strtoul semantics — optional sign ("-1" wraps to the largest
    /// cursor), an empty string is 0, no leading space, no trailing bytes, no overflow.
    /// </summary>
    public static long Cursor(CommandContext c, int index)
    {
        var text = c.Arg(index);
        int i = 0;
        bool negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-')) { negative = text[i] == '-'; i++; }
        if (text.Length == 0) return 0;
        if (i == text.Length) throw new RebornException("ERR invalid cursor");
        ulong cursor = 0;
        for (; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9 || cursor > (ulong.MaxValue - digit) / 10) throw new RebornException("ERR invalid cursor");
            cursor = cursor * 10 + digit;
        }
        return (long)(negative ? 0 - cursor : cursor);
    }

    public static (RebornValue Pattern, long Count, RedisType? Type) Options(CommandContext c, int first, bool allowType)
    {
        RebornValue pattern = default;
        long count = 10;
        RedisType? type = null;
        for (int i = first; i < c.ArgCount; i += 2)
        {
            if (i + 1 >= c.ArgCount) throw CommandContext.Syntax();
            if (c.Is(i, "MATCH"u8))
            {
                // "*" matches everything: skip the matcher.
                pattern = c.Arg(i + 1).SequenceEqual("*"u8) ? default : c.Value(i + 1);
            }
            else if (c.Is(i, "COUNT"u8))
            {
                count = c.Long(i + 1);
                if (count < 1) throw CommandContext.Syntax();
            }
            else if (allowType && c.Is(i, "TYPE"u8)) type = KeyCommands.ParseTypeName(c.Arg(i + 1));
            else throw CommandContext.Syntax();
        }
        return (pattern, count, type);
    }

    public static bool HasType(CommandContext c, int first)
    {
        for (int i = first; i + 1 < c.ArgCount; i += 2)
            if (c.Is(i, "TYPE"u8)) return true;
        return false;
    }

    public static void WritePage(CommandContext c, long cursor, IReadOnlyList<RebornValue> items)
    {
        c.Writer.ArrayHeader(2);
        Span<byte> text = stackalloc byte[24];
        System.Buffers.Text.Utf8Formatter.TryFormat((ulong)cursor, text, out int written);
        c.Writer.BulkString(text[..written]);
        c.BulkArray(items);
    }
}
