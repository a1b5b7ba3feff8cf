using System.Text;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Tests.Protocol;

public class IntegerFormatTests
{
    [TestCase("0", 0L)]
    [TestCase("1", 1L)]
    [TestCase("-1", -1L)]
    [TestCase("1234567890", 1234567890L)]
    [TestCase("9223372036854775807", long.MaxValue)]
    [TestCase("-9223372036854775808", long.MinValue)]
    public void TryParseRedisLong_accepts(string text, long expected)
    {
        Assert.That(IntegerFormat.TryParseRedisLong(Encoding.ASCII.GetBytes(text), out long value), Is.True);
        Assert.That(value, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("-")]
    [TestCase("+1")]
    [TestCase("-0")]
    [TestCase("00")]
    [TestCase("01")]
    [TestCase("-01")]
    [TestCase(" 1")]
    [TestCase("1 ")]
    [TestCase("1a")]
    [TestCase("1.0")]
    [TestCase("9223372036854775808")]
    [TestCase("-9223372036854775809")]
    [TestCase("18446744073709551616")]
    [TestCase("99999999999999999999")]
    [TestCase("000000000000000000001")]
    [TestCase("--1")]
    public void TryParseRedisLong_rejects(string text)
    {
        Assert.That(IntegerFormat.TryParseRedisLong(Encoding.ASCII.GetBytes(text), out _), Is.False);
    }

    [Test]
    public void Format_round_trips()
    {
        Span<byte> buffer = stackalloc byte[IntegerFormat.MaxLength];
        foreach (long value in new[] { 0L, 7L, -7L, long.MaxValue, long.MinValue, 1_000_000_007L })
        {
            int length = IntegerFormat.Format(value, buffer);
            Assert.That(Encoding.ASCII.GetString(buffer[..length]), Is.EqualTo(value.ToString()));
            Assert.That(IntegerFormat.TryParseRedisLong(buffer[..length], out long back) && back == value);
        }
    }
}
