using NUnit.Framework;
using System.Text;
using Reborn.Core.DataModel.Dump;

namespace Reborn.Core.Tests.Dump;

public sealed class Crc64Tests
{
    [Test]
    public void MatchesRedisTestVector() =>
        Assert.That(Crc64.Compute("123456789"u8), Is.EqualTo(0xe9c6d914c4b8d9caUL));

    [Test]
    public void EmptyInputIsZero() => Assert.That(Crc64.Compute([]), Is.Zero);

    [Test]
    public void CanBeComputedIncrementally()
    {
        byte[] data = Encoding.ASCII.GetBytes("123456789");
        Assert.That(Crc64.Compute(data.AsSpan(4), Crc64.Compute(data.AsSpan(0, 4))), Is.EqualTo(Crc64.Compute(data)));
    }
}
