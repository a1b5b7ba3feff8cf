using System.Globalization;
using System.Text;

namespace Reborn.Resp.Protocol;

/// <summary>
/// Doubles as Redis 7.0 writes and reads them: printf "%.17g" (addReplyDouble, ZSCORE...) and
/// util.c string2d (strtod with Redis's extra checks).
/// </summary>
public static class DoubleFormat
{
    /// <summary>Longest output of <see cref="FormatG17"/>: "-1.2345678901234567e-308" is 24 bytes.</summary>
    public const int MaxG17Length = 32;

    private const int Precision = 17;

    /// <summary>
    /// Writes exactly what C's printf("%.17g") prints for <paramref name="value"/> (glibc): 17
    /// significant digits correctly rounded, trailing zeros removed, exponent form when the
    /// decimal exponent is below -4 or at least 17 ("1e+20"), "inf", "-inf", "-0".
    /// NaN is written "nan" whatever its sign bit (glibc would print "-nan" for a negative NaN;
    /// Redis never replies a NaN). Returns the byte count.
    /// </summary>
    public static int FormatG17(double value, Span<byte> destination)
    {
        if (double.IsNaN(value))
            return Copy("nan"u8, destination);
        if (double.IsInfinity(value))
            return Copy(value > 0 ? "inf"u8 : "-inf"u8, destination);
        if (value == 0)
            return Copy(double.IsNegative(value) ? "-0"u8 : "0"u8, destination);

        // .NET's "E16" is exact and correctly rounded (ties to even on the exact binary value),
        // as glibc's printf is: "d.ddddddddddddddddE+ddd".
        Span<byte> e = stackalloc byte[40];
        if (!value.TryFormat(e, out int eLength, "E16", CultureInfo.InvariantCulture))
            throw new InvalidOperationException("E16 formatting failed.");
        e = e[..eLength];

        int pos = 0;
        bool negative = e[0] == (byte)'-';
        if (negative)
            pos++;

        Span<byte> digits = stackalloc byte[Precision];
        digits[0] = e[pos];
        e.Slice(pos + 2, Precision - 1).CopyTo(digits[1..]);
        int exponentStart = pos + 2 + Precision - 1 + 1; // after 'E'
        int exponent = 0;
        bool exponentNegative = e[exponentStart] == (byte)'-';
        for (int i = exponentStart + 1; i < e.Length; i++)
            exponent = exponent * 10 + (e[i] - '0');
        if (exponentNegative)
            exponent = -exponent;

        int digitCount = Precision;
        while (digitCount > 1 && digits[digitCount - 1] == (byte)'0')
            digitCount--;
        digits = digits[..digitCount];

        int w = 0;
        if (negative)
            destination[w++] = (byte)'-';

        if (exponent < -4 || exponent >= Precision)
        {
            destination[w++] = digits[0];
            if (digitCount > 1)
            {
                destination[w++] = (byte)'.';
                digits[1..].CopyTo(destination[w..]);
                w += digitCount - 1;
            }
            destination[w++] = (byte)'e';
            destination[w++] = exponent < 0 ? (byte)'-' : (byte)'+';
            int abs = Math.Abs(exponent);
            if (abs < 10)
                destination[w++] = (byte)'0';
            w += IntegerFormat.Format(abs, destination[w..]);
            return w;
        }

        if (exponent < 0)
        {
            destination[w++] = (byte)'0';
            destination[w++] = (byte)'.';
            for (int i = 0; i < -exponent - 1; i++)
                destination[w++] = (byte)'0';
            digits.CopyTo(destination[w..]);
            return w + digitCount;
        }

        int integerDigits = exponent + 1;
        if (digitCount <= integerDigits)
        {
            digits.CopyTo(destination[w..]);
            w += digitCount;
            for (int i = digitCount; i < integerDigits; i++)
                destination[w++] = (byte)'0';
            return w;
        }

        digits[..integerDigits].CopyTo(destination[w..]);
        w += integerDigits;
        destination[w++] = (byte)'.';
        digits[integerDigits..].CopyTo(destination[w..]);
        return w + digitCount - integerDigits;
    }

    /// <summary>"%.17g" of <paramref name="value"/> as a string (slow paths, tests).</summary>
    public static string FormatG17(double value)
    {
        Span<byte> buffer = stackalloc byte[MaxG17Length];
        int length = FormatG17(value, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..length]);
    }

    /// <summary>
    /// Mirrors Redis 7.0's string2d: the whole text must be what glibc strtod accepts (optional
    /// sign; decimal digits with optional '.' and exponent; hexadecimal "0x1.8p3"; "inf" or
    /// "infinity" in any case), with no leading space, not NaN, and not overflowing to infinity
    /// nor underflowing to zero (subnormal results are accepted).
    /// </summary>
    public static bool TryParseRedisDouble(ReadOnlySpan<byte> text, out double value)
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

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }
}
