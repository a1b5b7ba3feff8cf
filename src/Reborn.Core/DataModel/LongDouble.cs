using System.Globalization;
using System.Numerics;
using System.Text;

namespace Reborn.Core.DataModel;

/// <summary>
/// Just enough of x87 80-bit long double to reproduce Redis's INCRBYFLOAT and HINCRBYFLOAT: parse a
/// decimal (strtold), add two values, and print with %.17Lf. A finite value is Mantissa * 2^Exponent
/// with a 64-bit mantissa, rounded to nearest, ties to even, as the x87 unit rounds.
/// </summary>
internal readonly struct LongDouble
{
    private const int MantissaBits = 64;
    private readonly BigInteger _mantissa; // signed; |mantissa| < 2^64
    private readonly int _exponent;

    private LongDouble(BigInteger mantissa, int exponent) { _mantissa = mantissa; _exponent = exponent; }

    /// <summary>Parses a finite decimal number (digits, optional point, optional exponent). Infinity and NaN are not handled here.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out LongDouble value)
    {
        value = default;
        int i = 0;
        bool negative = false;
        if (i < text.Length && (text[i] == '+' || text[i] == '-')) { negative = text[i] == '-'; i++; }
        var digits = new StringBuilder();
        int fractionDigits = 0;
        bool seenPoint = false, seenDigit = false;
        for (; i < text.Length; i++)
        {
            byte c = text[i];
            if (c is >= (byte)'0' and <= (byte)'9') { digits.Append((char)c); seenDigit = true; if (seenPoint) fractionDigits++; }
            else if (c == '.' && !seenPoint) seenPoint = true;
            else break;
        }
        if (!seenDigit) return false;
        int exponent10 = 0;
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            int sign = 1;
            if (i < text.Length && (text[i] == '+' || text[i] == '-')) { sign = text[i] == '-' ? -1 : 1; i++; }
            int start = i;
            long e = 0;
            for (; i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9'; i++) e = Math.Min(e * 10 + (text[i] - '0'), 100_000);
            if (i == start) return false;
            exponent10 = (int)(sign * e);
        }
        if (i != text.Length) return false;
        exponent10 -= fractionDigits;
        if (Math.Abs(exponent10) > 6000) return false;
        var numerator = BigInteger.Parse(digits.ToString(), CultureInfo.InvariantCulture);
        if (negative) numerator = -numerator;
        var denominator = BigInteger.One;
        if (exponent10 >= 0) numerator *= BigInteger.Pow(10, exponent10);
        else denominator = BigInteger.Pow(10, -exponent10);
        value = Round(numerator, denominator, 0);
        return true;
    }

    public static LongDouble FromDouble(double d)
    {
        long bits = BitConverter.DoubleToInt64Bits(d);
        int exp = (int)((bits >> 52) & 0x7FF);
        long frac = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exp == 0) exp = 1; else frac |= 1L << 52;
        BigInteger m = frac;
        if (bits < 0) m = -m;
        return new LongDouble(m, exp - 1075);
    }

    public static LongDouble operator +(LongDouble a, LongDouble b)
    {
        int e = Math.Min(a._exponent, b._exponent);
        var sum = (a._mantissa << (a._exponent - e)) + (b._mantissa << (b._exponent - e));
        return Round(sum, BigInteger.One, e);
    }

    /// <summary>numerator / denominator * 2^exponent, rounded to a 64-bit mantissa (ties to even).</summary>
    private static LongDouble Round(BigInteger numerator, BigInteger denominator, int exponent)
    {
        if (numerator.IsZero) return new LongDouble(BigInteger.Zero, 0);
        int sign = numerator.Sign;
        numerator = BigInteger.Abs(numerator);
        // Scale so the quotient has exactly 64 integer bits.
        long shift = MantissaBits - ((long)numerator.GetBitLength() - (long)denominator.GetBitLength());
        if (shift > 0) numerator <<= (int)shift; else denominator <<= (int)-shift;
        exponent -= (int)shift;
        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        while (quotient.GetBitLength() > MantissaBits)
        {
            denominator <<= 1; exponent++;
            quotient = BigInteger.DivRem(numerator, denominator, out remainder);
        }
        while (quotient.GetBitLength() < MantissaBits)
        {
            numerator <<= 1; exponent--;
            quotient = BigInteger.DivRem(numerator, denominator, out remainder);
        }
        var twice = remainder * 2;
        if (twice > denominator || (twice == denominator && !quotient.IsEven)) quotient++;
        if (quotient.GetBitLength() > MantissaBits) { quotient >>= 1; exponent++; }
        return new LongDouble(sign * quotient, exponent);
    }

    public double ToDouble() => (double)_mantissa * Math.Pow(2, _exponent);

    /// <summary>printf("%.17Lf") with Redis's trailing-zero trim (and "-0" printed as "0").</summary>
    public string ToRedisString()
    {
        var scaled = _mantissa * BigInteger.Pow(10, 17);
        BigInteger whole;
        if (_exponent >= 0) whole = scaled << _exponent;
        else
        {
            var denominator = BigInteger.One << -_exponent;
            whole = BigInteger.DivRem(BigInteger.Abs(scaled), denominator, out var remainder);
            var twice = remainder * 2;
            if (twice > denominator || (twice == denominator && !whole.IsEven)) whole++;
            if (scaled.Sign < 0) whole = -whole;
        }
        string digits = BigInteger.Abs(whole).ToString(CultureInfo.InvariantCulture).PadLeft(18, '0');
        string text = digits[..^17] + "." + digits[^17..];
        text = text.TrimEnd('0').TrimEnd('.');
        if (whole.Sign < 0) text = "-" + text;
        return text == "-0" ? "0" : text;
    }
}
