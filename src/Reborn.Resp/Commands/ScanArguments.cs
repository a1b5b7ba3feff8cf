using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>The cursor and MATCH / COUNT / TYPE options shared by SCAN, HSCAN, SSCAN and ZSCAN.</summary>
internal static class ScanArguments
{
    public static long Cursor(CommandContext c, int index)
    {
        // Redis parses the cursor as an unsigned 64-bit number.
        if (!ulong.TryParse(c.Arg(index), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong cursor))
            throw new RebornException("ERR invalid cursor");
        return (long)cursor;
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
