using System.Globalization;
using System.Text;

namespace Reborn.Core.DataModel;

/// <summary>Redis 7.0's string2d (glibc strtod's grammar with Redis's extra refusals), byte for byte.</summary>
internal static class DoubleParser
{
    /// <summary>
    /// Mirrors Redis 7.0's string2d: the whole text must be what glibc strtod accepts (optional
    /// sign; decimal digits with optional '.' and exponent; hexadecimal "0x1.8p3"; "inf" or
    /// "infinity" in any case), with no leading space, not NaN, and not overflowing to infinity
    /// nor underflowing to zero (subnormal results are accepted).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.IsEmpty)
            return false;

        int i = 0;
        bool negative = false;
        if (text[0] == (byte)'+' || text[0] == (byte)'-')
        {
            negative = text[0] == (byte)'-';
            i = 1;
        }
        ReadOnlySpan<byte> body = text[i..];

        if (body.Length > 0 && (body[0] | 0x20) == 'i')
        {
            if (!Ascii.EqualsIgnoreCase(body, "inf"u8) && !Ascii.EqualsIgnoreCase(body, "infinity"u8))
                return false;
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (body.Length > 1 && body[0] == (byte)'0' && (body[1] | 0x20) == 'x')
            return TryParseHex(body[2..], negative, out value);

        if (!IsDecimalFloat(body, out bool nonZeroDigit))
            return false;
        if (!double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out value))
            return false;
        if (double.IsInfinity(value))
            return false; // strtod: ERANGE with HUGE_VAL
        if (value == 0 && nonZeroDigit)
            return false; // strtod: ERANGE with a zero result
        return true;
    }

    // digits [ '.' digits ] [ (e|E) [sign] digits ], at least one mantissa digit.
    private static bool IsDecimalFloat(ReadOnlySpan<byte> s, out bool nonZeroDigit)
    {
        nonZeroDigit = false;
        int i = 0;
        int mantissaDigits = 0;
        while (i < s.Length && IsDigit(s[i]))
        {
            nonZeroDigit |= s[i] != (byte)'0';
            i++;
            mantissaDigits++;
        }
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            while (i < s.Length && IsDigit(s[i]))
            {
                nonZeroDigit |= s[i] != (byte)'0';
                i++;
                mantissaDigits++;
            }
        }
        if (mantissaDigits == 0)
            return false;
        if (i == s.Length)
            return true;
        if ((s[i] | 0x20) != 'e')
            return false;
        i++;
        if (i < s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-'))
            i++;
        int exponentDigits = 0;
        while (i < s.Length && IsDigit(s[i]))
        {
            i++;
            exponentDigits++;
        }
        return exponentDigits > 0 && i == s.Length;
    }

    // hexdigits [ '.' hexdigits ] [ (p|P) [sign] digits ], after "0x". The first 60+ significant
    // bits are kept exactly; lower digits only act as a sticky bit. Subnormal results may be
    // rounded twice (not bit-exact with glibc there).
    private static bool TryParseHex(ReadOnlySpan<byte> s, bool negative, out double value)
    {
        value = 0;
        ulong mantissa = 0;
        int binaryExponent = 0;
        int digits = 0;
        bool sticky = false;
        bool seenPoint = false;
        int i = 0;
        for (; i < s.Length; i++)
        {
            byte c = s[i];
            if (c == (byte)'.')
            {
                if (seenPoint)
                    return false;
                seenPoint = true;
                continue;
            }
            int d = HexValue(c);
            if (d < 0)
                break;
            digits++;
            if (mantissa >> 60 == 0)
            {
                mantissa = (mantissa << 4) | (uint)d;
                if (seenPoint)
                    binaryExponent -= 4;
            }
            else
            {
                sticky |= d != 0;
                if (!seenPoint)
                    binaryExponent += 4;
            }
        }
        if (digits == 0)
            return false;
        if (i < s.Length)
        {
            if ((s[i] | 0x20) != 'p')
                return false;
            i++;
            bool expNegative = false;
            if (i < s.Length && (s[i] == (byte)'+' || s[i] == (byte)'-'))
            {
                expNegative = s[i] == (byte)'-';
                i++;
            }
            int expDigits = 0;
            int exp = 0;
            for (; i < s.Length && IsDigit(s[i]); i++)
            {
                expDigits++;
                if (exp < 100000)
                    exp = exp * 10 + (s[i] - '0');
            }
            if (expDigits == 0 || i != s.Length)
                return false;
            binaryExponent += expNegative ? -exp : exp;
        }

        if (mantissa == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }
        if (sticky)
            mantissa |= 1; // below the 53 kept bits whenever sticky digits exist
        double result = Math.ScaleB((double)mantissa, binaryExponent);
        if (double.IsInfinity(result) || result == 0)
            return false;
        value = negative ? -result : result;
        return true;
    }

    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    private static int HexValue(byte c)
    {
        if ((uint)(c - '0') <= 9)
            return c - '0';
        int lower = c | 0x20;
        if ((uint)(lower - 'a') <= 5)
            return lower - 'a' + 10;
        return -1;
    }

}
