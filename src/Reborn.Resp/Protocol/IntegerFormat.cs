using System.Buffers.Text;

namespace Reborn.Resp.Protocol;

/// <summary>Integer text as Redis 7.0 reads and writes it (util.c string2ll / ll2string).</summary>
public static class IntegerFormat
{
    /// <summary>Redis's LONG_STR_SIZE: a valid integer text is at most 20 bytes.</summary>
    public const int MaxLength = 20;

    /// <summary>Redis's string2ll; the one implementation lives in Core (Numbers.TryParseInt64).</summary>
    public static bool TryParseRedisLong(ReadOnlySpan<byte> text, out long value) => Reborn.Core.DataModel.Numbers.TryParseInt64(text, out value);

    /// <summary>Writes <paramref name="value"/> in decimal; returns the byte count (at most 20).</summary>
    public static int Format(long value, Span<byte> destination)
    {
        if (!Utf8Formatter.TryFormat(value, destination, out int written))
            throw new ArgumentException("Destination is too small.", nameof(destination));
        return written;
    }
}
