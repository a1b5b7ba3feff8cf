using System.Text;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Tests.Protocol;

public class DoubleFormatTests
{
    // Expected values are glibc printf("%.17g").
    [TestCase(0.0, "0")]
    [TestCase(-0.0, "-0")]
    [TestCase(1.0, "1")]
    [TestCase(-1.0, "-1")]
    [TestCase(1.5, "1.5")]
    [TestCase(3.0, "3")]
    [TestCase(0.1, "0.10000000000000001")]
    [TestCase(1e20, "1e+20")]
    [TestCase(1e16, "10000000000000000")]
    [TestCase(1e17, "1e+17")]
    [TestCase(1.2345678901234567e-5, "1.2345678901234568e-05")]
    [TestCase(0.0001, "0.0001")]
    [TestCase(0.00001, "1.0000000000000001e-05")]
    [TestCase(123456789012345678.0, "1.2345678901234568e+17")]
    [TestCase(12345678901234567.0, "12345678901234568")]
    [TestCase(1234567890123456.25, "1234567890123456.2")] // exact tie: round half to even
    [TestCase(2.5, "2.5")]
    [TestCase(100.0, "100")]
    [TestCase(-42.0, "-42")]
    [TestCase(1732600000000.0, "1732600000000")]
    [TestCase(9007199254740991.0, "9007199254740991")]
    [TestCase(-9007199254740991.0, "-9007199254740991")]
    [TestCase(9007199254740992.0, "9007199254740992")]
    [TestCase(99999999999999984.0, "99999999999999984")]
    [TestCase(-123.456, "-123.456")]
    [TestCase(1.7976931348623157e308, "1.7976931348623157e+308")]
    [TestCase(4.9406564584124654e-324, "4.9406564584124654e-324")]
    [TestCase(2.2250738585072014e-308, "2.2250738585072014e-308")]
    [TestCase(1e-5, "1.0000000000000001e-05")]
    [TestCase(1e100, "1e+100")]
    [TestCase(double.PositiveInfinity, "inf")]
    [TestCase(double.NegativeInfinity, "-inf")]
    [TestCase(double.NaN, "nan")]
    public void FormatG17_matches_printf(double value, string expected)
    {
        Assert.That(DoubleFormat.FormatG17(value), Is.EqualTo(expected));
        Span<byte> buffer = stackalloc byte[DoubleFormat.MaxG17Length];
        int length = DoubleFormat.FormatG17(value, buffer);
        Assert.That(Encoding.ASCII.GetString(buffer[..length]), Is.EqualTo(expected));
    }

    [Test]
    public void FormatG17_round_trips()
    {
        var random = new Random(7);
        Span<byte> buffer = stackalloc byte[DoubleFormat.MaxG17Length];
        for (int i = 0; i < 100_000; i++)
        {
            double value = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (!double.IsFinite(value))
                continue;
            int length = DoubleFormat.FormatG17(value, buffer);
            Assert.That(DoubleFormat.TryParseRedisDouble(buffer[..length], out double back), Is.True);
            if (back != value)
                Assert.Fail($"{value:R} -> {Encoding.ASCII.GetString(buffer[..length])} -> {back:R}");
        }
    }

    [TestCase("0", 0.0)]
    [TestCase("-0", -0.0)]
    [TestCase("1", 1.0)]
    [TestCase("+1.5", 1.5)]
    [TestCase("-1.5", -1.5)]
    [TestCase(".5", 0.5)]
    [TestCase("5.", 5.0)]
    [TestCase("1e3", 1000.0)]
    [TestCase("1E+3", 1000.0)]
    [TestCase("1e-3", 0.001)]
    [TestCase("00012", 12.0)]
    [TestCase("0.10000000000000001", 0.1)]
    [TestCase("inf", double.PositiveInfinity)]
    [TestCase("+inf", double.PositiveInfinity)]
    [TestCase("-inf", double.NegativeInfinity)]
    [TestCase("INF", double.PositiveInfinity)]
    [TestCase("Infinity", double.PositiveInfinity)]
    [TestCase("-INFINITY", double.NegativeInfinity)]
    [TestCase("0x10", 16.0)]
    [TestCase("0x1p-2", 0.25)]
    [TestCase("0X1.8P1", 3.0)]
    [TestCase("-0x.8", -0.5)]
    [TestCase("4.9406564584124654e-324", 4.9406564584124654e-324)] // subnormal: accepted
    [TestCase("1.7976931348623157e308", 1.7976931348623157e308)]
    [TestCase("0e999999", 0.0)]
    public void TryParseRedisDouble_accepts(string text, double expected)
    {
        Assert.That(DoubleFormat.TryParseRedisDouble(Encoding.ASCII.GetBytes(text), out double value), Is.True);
        Assert.That(value, Is.EqualTo(expected));
        Assert.That(double.IsNegative(value), Is.EqualTo(double.IsNegative(expected)));
    }

    [TestCase("")]
    [TestCase(" 1")]
    [TestCase("1 ")]
    [TestCase("\t1")]
    [TestCase("nan")]
    [TestCase("NaN")]
    [TestCase("-nan")]
    [TestCase("nan(123)")]
    [TestCase("inff")]
    [TestCase("infinit")]
    [TestCase("in")]
    [TestCase("+")]
    [TestCase("-")]
    [TestCase(".")]
    [TestCase("e5")]
    [TestCase("1e")]
    [TestCase("1e+")]
    [TestCase("1.2.3")]
    [TestCase("1,5")]
    [TestCase("++1")]
    [TestCase("0x")]
    [TestCase("0xg")]
    [TestCase("0x1p")]
    [TestCase("1e400")]
    [TestCase("-1e400")]
    [TestCase("1e-400")]
    [TestCase("1\0")]
    [TestCase("abc")]
    [TestCase("1_000")]
    public void TryParseRedisDouble_rejects(string text)
    {
        Assert.That(DoubleFormat.TryParseRedisDouble(Encoding.ASCII.GetBytes(text), out _), Is.False);
    }
}
