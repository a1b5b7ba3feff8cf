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

    // 2^53: every whole number below it is exact as a double.
    private const double ExactIntegerLimit = 9007199254740992d;

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

        // Whole numbers below 2^53 (scores that are counters or millisecond times) have at most 16
        // digits, which "%.17g" prints in full with no point or exponent: the integer's own digits.
        if (Math.Abs(value) < ExactIntegerLimit && Math.Floor(value) == value)
            return IntegerFormat.Format((long)value, destination);

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

    /// <summary>Redis 7.0's string2d; the one implementation lives in Core (Numbers.TryParseDouble).</summary>
    public static bool TryParseRedisDouble(ReadOnlySpan<byte> text, out double value) => Reborn.Core.DataModel.Numbers.TryParseDouble(text, out value);

    private static int Copy(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        text.CopyTo(destination);
        return text.Length;
    }
}
