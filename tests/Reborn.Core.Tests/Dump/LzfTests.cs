using NUnit.Framework;
using System.Text;
using Reborn.Core.DataModel.Dump;

namespace Reborn.Core.Tests.Dump;

public sealed class LzfTests
{
    [Test]
    public void DecompressesLiteralRunsAndBackReferences()
    {
        // "abcabcabcabc": literal "abc" (ctrl 2), then a back reference of 9 bytes at offset 3
        // (len-2 = 7 -> 111 + off-high 0, extra length byte 0, offset low byte 2).
        byte[] compressed = [0x02, (byte)'a', (byte)'b', (byte)'c', 0xE0, 0x00, 0x02];
        var output = new byte[12];
        Assert.That(Lzf.TryDecompress(compressed, output), Is.True);
        Assert.That(Encoding.ASCII.GetString(output), Is.EqualTo("abcabcabcabc"));
    }

    [Test]
    public void DecompressesOverlappingShortReference()
    {
        // "a" then copy 5 from one back: "aaaaaa".
        byte[] compressed = [0x00, (byte)'a', 0x60, 0x00];
        var output = new byte[6];
        Assert.That(Lzf.TryDecompress(compressed, output), Is.True);
        Assert.That(Encoding.ASCII.GetString(output), Is.EqualTo("aaaaaa"));
    }

    [TestCase(new byte[] { 0x05, 1, 2 }, 6, TestName = "Literal runs past the input")]
    [TestCase(new byte[] { 0x00, 1, 0x20, 0x05 }, 4, TestName = "Reference before the output start")]
    [TestCase(new byte[] { 0x00, 1, 0x20 }, 4, TestName = "Reference missing its offset byte")]
    [TestCase(new byte[] { 0x00, 1, 0xE0 }, 12, TestName = "Long reference missing its length byte")]
    [TestCase(new byte[] { 0x01, 1, 2 }, 3, TestName = "Output shorter than declared")]
    [TestCase(new byte[] { 0x02, 1, 2, 3 }, 2, TestName = "Output longer than declared")]
    public void RefusesCorruptStreams(byte[] compressed, int declaredLength) =>
        Assert.That(Lzf.TryDecompress(compressed, new byte[declaredLength]), Is.False);

    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", new byte[] { 0x01, 0x61, 0x61, 0xE0, 0x11, 0x00, 0x01, 0x61, 0x61 })]
    [TestCase("hello hello hello hello hello world",
        new byte[] { 0x06, 0x68, 0x65, 0x6C, 0x6C, 0x6F, 0x20, 0x68, 0xE0, 0x0E, 0x05, 0x04, 0x77, 0x6F, 0x72, 0x6C, 0x64 })]
    public void CompressesByteForByteLikeRedis(string text, byte[] expected)
    {
        // The compressed part of Redis 7.0.15's DUMP of SET k <text>.
        byte[] input = Encoding.ASCII.GetBytes(text);
        var output = new byte[input.Length - 3];
        int length = Lzf.Compress(input, output, input.Length - 4);
        Assert.That(output.AsSpan(0, length).ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void RoundTripsRandomData([Values(1, 2, 3, 20, 21, 100, 5000, 70000)] int size)
    {
        var random = new Random(size);
        foreach (int alphabet in new[] { 2, 16, 256 })
        {
            var input = new byte[size];
            for (int i = 0; i < size; i++)
                input[i] = (byte)random.Next(alphabet);
            var output = new byte[size + size / 16 + 64 + 1];
            int length = Lzf.Compress(input, output, output.Length - 1);
            Assert.That(length, Is.GreaterThan(0));
            var back = new byte[size];
            Assert.That(Lzf.TryDecompress(output.AsSpan(0, length), back), Is.True);
            Assert.That(back, Is.EqualTo(input));
        }
    }

    [Test]
    public void ReturnsZeroWhenOutputIsTooSmall()
    {
        byte[] input = new byte[100];
        new Random(7).NextBytes(input);
        var output = new byte[97];
        Assert.That(Lzf.Compress(input, output, 96), Is.Zero);
    }
}
