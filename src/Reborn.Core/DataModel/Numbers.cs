using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Reborn.Core.DataModel;

/// <summary>Redis's number rules: string2ll, string2ld, and the %.17Lf text INCRBYFLOAT stores.</summary>
public static class Numbers
{
    /// <summary>Redis's string2ll: optional '-', no '+', no leading zeros, no spaces, no "-0", no overflow.</summary>
    public static bool TryParseInt64(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 20) return false;
        if (s.Length == 1 && s[0] == '0') return true;
        int i = 0;
        bool negative = false;
        if (s[0] == '-') { negative = true; i = 1; if (s.Length == 1) return false; }
        if (s[i] < '1' || s[i] > '9') return false;
        ulong v = 0;
        for (; i < s.Length; i++)
        {
            uint d = (uint)(s[i] - '0');
            if (d > 9) return false;
            if (v > (ulong.MaxValue - d) / 10) return false;
            v = v * 10 + d;
        }
        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1) return false;
            value = (long)(0 - v);
        }
        else
        {
            if (v > long.MaxValue) return false;
            value = (long)v;
        }
        return true;
    }

    public static int FormatInt64(long value, Span<byte> dest)
    {
        Utf8Formatter.TryFormat(value, dest, out int written);
        return written;
    }

    public static byte[] FormatInt64(long value)
    {
        Span<byte> buffer = stackalloc byte[24];
        return buffer[..FormatInt64(value, buffer)].ToArray();
    }

    /// <summary>
    /// Redis's string2d for user input: strtod's grammar (decimal, hexadecimal, inf/infinity in any
    /// case), no leading or trailing space, no NaN, no overflow to infinity nor underflow to zero.
    /// </summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> s, out double value) => DoubleParser.TryParse(s, out value);

    /// <summary>
    /// INCRBYFLOAT / HINCRBYFLOAT: current + delta in x87 long double, printed as Redis prints it
    /// (%.17Lf, trailing zeros trimmed), so the stored text matches Redis byte for byte.
    /// </summary>
    public static byte[] AddFloat(byte[]? current, ReadOnlySpan<byte> deltaText, string notFloatError)
    {
        LongDouble a = default;
        if (current is not null && !TryParseLongDouble(current, out a)) throw Errors.Error(notFloatError);
        if (!TryParseLongDouble(deltaText, out var b)) throw Errors.Error(Errors.NotFloat);
        var sum = a + b;
        return Encoding.ASCII.GetBytes(sum.ToRedisString());
    }

    /// <summary>string2ld: Redis's long-double parse; infinities are refused here because they make the sum infinite.</summary>
    private static bool TryParseLongDouble(ReadOnlySpan<byte> text, out LongDouble value)
    {
        value = default;
        if (!TryParseDouble(text, out double asDouble)) return false;
        if (double.IsInfinity(asDouble))
        {
            // inf is a valid number to Redis; the sum is then infinite.
            throw Errors.Error(Errors.IncrNaNOrInfinity);
        }
        if (!LongDouble.TryParse(text, out value)) value = LongDouble.FromDouble(asDouble);
        return true;
    }

    /// <summary>AddFloat for a delta already parsed: its shortest round-trip text stands for what the user typed.</summary>
    public static byte[] AddFloat(byte[]? current, double delta, string notFloatError)
        => AddFloat(current, Encoding.ASCII.GetBytes(delta.ToString("R", CultureInfo.InvariantCulture)), notFloatError);
}
