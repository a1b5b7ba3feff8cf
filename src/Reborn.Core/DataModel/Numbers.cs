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
    /// Redis's string2ld / string2d for user input: no leading or trailing space, no NaN; "inf",
    /// "+inf", "-inf" and "infinity" (any case) are infinite. Empty input is rejected.
    /// </summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 5 * 1024) return false;
        if (IsSpace(s[0]) || IsSpace(s[^1])) return false;
        Span<char> chars = s.Length <= 256 ? stackalloc char[s.Length] : new char[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] > 127) return false;
            chars[i] = (char)s[i];
        }
        var text = chars;
        var unsigned = text[0] is '+' or '-' ? text[1..] : text;
        if (unsigned.Equals("inf", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = text[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (unsigned.Length == 0 || !(char.IsAsciiDigit(unsigned[0]) || unsigned[0] == '.')) return false;
        if (unsigned.Length > 1 && unsigned[0] == '0' && unsigned[1] is 'x' or 'X')
            return false; // strtod's hex floats: rare enough to refuse rather than misread
        if (!double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
            return false;
        return !double.IsNaN(value);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    /// <summary>
    /// INCRBYFLOAT / HINCRBYFLOAT: current + delta, as Redis prints it (%.17Lf, trailing zeros
    /// trimmed). Decimal arithmetic stands in for C's long double: exact for the decimal inputs
    /// users type, and it prints the same text. Values beyond decimal's range fall back to double.
    /// </summary>
    public static byte[] AddFloat(byte[]? current, double delta, string notFloatError)
    {
        double currentValue = 0;
        if (current is not null && !TryParseDouble(current, out currentValue)) throw Errors.Error(notFloatError);
        double sum = currentValue + delta;
        if (double.IsNaN(sum) || double.IsInfinity(sum)) throw Errors.Error(Errors.IncrNaNOrInfinity);
        string text;
        if (Math.Abs(sum) < 7.9e27 && Math.Abs(currentValue) < 7.9e27 && Math.Abs(delta) < 7.9e27
            && TryDecimal(current, currentValue, out var a) && TryDecimal(null, delta, out var b))
        {
            text = Math.Round(a + b, 17, MidpointRounding.ToEven).ToString("0.#################", CultureInfo.InvariantCulture);
        }
        else
        {
            text = sum.ToString("F17", CultureInfo.InvariantCulture);
            if (text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        }
        if (text == "-0") text = "0";
        return Encoding.ASCII.GetBytes(text);
    }

    private static bool TryDecimal(byte[]? text, double fallback, out decimal value)
    {
        if (text is not null && decimal.TryParse(Encoding.ASCII.GetString(text), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            return true;
        try { value = decimal.Parse(fallback.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture); return true; }
        catch (OverflowException) { value = 0; return false; }
    }
}
