using System.Buffers.Text;

namespace Reborn.Resp.Protocol;

/// <summary>Integer text as Redis 7.0 reads and writes it (util.c string2ll / ll2string).</summary>
public static class IntegerFormat
{
    /// <summary>Redis's LONG_STR_SIZE: a valid integer text is at most 20 bytes.</summary>
    public const int MaxLength = 20;

    /// <summary>
    /// Mirrors Redis's string2ll exactly: an optional '-', then "0" alone or a digit 1-9 followed
    /// by digits; no '+', no leading zeros, no spaces, "-0" rejected, overflow rejected.
    /// </summary>
    public static bool TryParseRedisLong(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxLength)
            return false;
        if (text.Length == 1 && text[0] == (byte)'0')
            return true;

        int i = 0;
        bool negative = false;
        if (text[0] == (byte)'-')
        {
            negative = true;
            i = 1;
            if (text.Length == 1)
                return false;
        }

        uint first = (uint)(text[i] - '1');
        if (first > 8)
            return false;
        ulong v = first + 1;
        i++;

        for (; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9)
                return false;
            if (v > ulong.MaxValue / 10)
                return false;
            v *= 10;
            if (v > ulong.MaxValue - digit)
                return false;
            v += digit;
        }

        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1)
                return false;
            value = (long)(0 - v);
        }
        else
        {
            if (v > long.MaxValue)
                return false;
            value = (long)v;
        }
        return true;
    }

    /// <summary>Writes <paramref name="value"/> in decimal; returns the byte count (at most 20).</summary>
    public static int Format(long value, Span<byte> destination)
    {
        if (!Utf8Formatter.TryFormat(value, destination, out int written))
            throw new ArgumentException("Destination is too small.", nameof(destination));
        return written;
    }
}
