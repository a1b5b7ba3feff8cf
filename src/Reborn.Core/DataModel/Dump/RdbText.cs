using System.Text;
using System.Globalization;

namespace Reborn.Core.DataModel.Dump;

/// <summary>Number/text conversions with Redis's rules (util.c string2ll, ll2string, strtod).</summary>
internal static class RdbText
{
    /// <summary>The decimal text Redis shows for an integer-encoded element.</summary>
    public static byte[] FormatInteger(long value)
    {
        Span<byte> buffer = stackalloc byte[20];
        value.TryFormat(buffer, out int written, default, CultureInfo.InvariantCulture);
        return buffer[..written].ToArray();
    }

    /// <summary>
    /// True when <paramref name="text"/> is exactly the canonical decimal form of a 32-bit integer
    /// (no sign '+', no leading zeros, no "-0"): the strings Redis stores int-encoded in an RDB.
    /// </summary>
    public static bool TryParseCanonicalInt32(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (text.Length is 0 or > 11)
            return false;
        bool negative = text[0] == '-';
        ReadOnlySpan<byte> digits = negative ? text[1..] : text;
        if (digits.Length == 0 || digits[0] < '0' || digits[0] > '9')
            return false;
        if (digits[0] == '0' && (digits.Length > 1 || negative))
            return false;
        long magnitude = 0;
        foreach (byte c in digits)
        {
            if (c < '0' || c > '9')
                return false;
            magnitude = magnitude * 10 + (c - '0');
        }
        long signed = negative ? -magnitude : magnitude;
        if (signed is < int.MinValue or > int.MaxValue)
            return false;
        value = (int)signed;
        return true;
    }

    /// <summary>
    /// Parses a score as Redis writes it ("%.17g", "inf", "-inf", "-0", or integer text). NaN is
    /// refused: Redis never holds a NaN score and refuses one on load.
    /// </summary>
    public static bool TryParseScore(ReadOnlySpan<byte> text, out double value)
    {
        ReadOnlySpan<byte> unsigned = text.Length > 0 && (text[0] == '-' || text[0] == '+') ? text[1..] : text;
        if (unsigned.Length > 0 && (unsigned[0] | 0x20) == 'i')
        {
            if (!Ascii.EqualsIgnoreCase(unsigned, "inf"u8) && !Ascii.EqualsIgnoreCase(unsigned, "infinity"u8))
            {
                value = 0;
                return false;
            }
            value = text[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !double.IsNaN(value);
    }
}
