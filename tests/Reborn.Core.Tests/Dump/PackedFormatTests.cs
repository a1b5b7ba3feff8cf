using NUnit.Framework;
using Reborn.Core.DataModel.Dump;
using static Reborn.Core.Tests.Dump.PackedBuilder;

namespace Reborn.Core.Tests.Dump;

public sealed class ListpackTests
{
    [Test]
    public void DecodesEveryEntryEncoding()
    {
        byte[] s100 = Bytes(new string('x', 100));
        byte[] s5000 = Bytes(new string('y', 5000));
        byte[] lp = BuildListpack(
            LpUInt7(0), LpUInt7(127), LpStr6(Bytes("")), LpStr6(Bytes("hello")),
            LpInt13(4095), LpInt13(-4096), LpInt13(-1), LpStr12(s100), LpStr32(s5000),
            LpInt16(short.MinValue), LpInt16(12345), LpInt24(-8388608), LpInt24(8388607),
            LpInt32(int.MinValue), LpInt64(long.MinValue), LpInt64(long.MaxValue));

        Assert.That(Texts(Listpack.Decode(lp)), Is.EqualTo(new[]
        {
            "0", "127", "", "hello", "4095", "-4096", "-1", new string('x', 100), new string('y', 5000),
            "-32768", "12345", "-8388608", "8388607", "-2147483648", "-9223372036854775808", "9223372036854775807",
        }));
    }

    [Test]
    public void AcceptsUnknownCount()
    {
        byte[] lp = BuildListpackWithCount(65535, LpUInt7(1), LpUInt7(2));
        Assert.That(Texts(Listpack.Decode(lp)), Is.EqualTo(new[] { "1", "2" }));
    }

    [Test]
    public void DecodesEmpty() => Assert.That(Listpack.Decode(BuildListpack()), Is.Empty);

    [TestCase(2, 1)]
    [TestCase(127, 1)]
    [TestCase(128, 2)]
    [TestCase(16382, 2)]
    [TestCase(16383, 3)]
    public void BacklenSizeFollowsTheSpec(int entrySize, int expected) =>
        Assert.That(Listpack.BacklenSize(entrySize), Is.EqualTo(expected));

    private static IEnumerable<TestCaseData> Malformed()
    {
        byte[] good = BuildListpack(LpStr6(Bytes("abc")), LpInt16(300));
        yield return new TestCaseData(good[..^1]).SetName("Missing end byte");
        yield return new TestCaseData(Mutate(good, 0, 0x20)).SetName("Total bytes wrong");
        yield return new TestCaseData(Mutate(good, 4, 3)).SetName("Count wrong");
        yield return new TestCaseData(Mutate(good, 6, 0x80 | 60)).SetName("String runs past the end");
        yield return new TestCaseData(Mutate(good, 10, 9)).SetName("Backlen wrong");
        yield return new TestCaseData(Mutate(good, 11, 0xF7)).SetName("Unknown encoding");
        yield return new TestCaseData(new byte[] { 7, 0, 0, 0, 0, 0, 0xFF }.Take(6).ToArray()).SetName("Too short");
    }

    [TestCaseSource(nameof(Malformed))]
    public void RefusesMalformed(byte[] blob)
    {
        var ex = Assert.Throws<DumpPayloadException>(() => Listpack.Decode(blob));
        Assert.That(ex!.Message, Is.EqualTo("Bad data format"));
    }

    internal static byte[] Mutate(byte[] source, int index, byte value)
    {
        byte[] copy = [.. source];
        copy[index] = value;
        return copy;
    }
}

public sealed class ZiplistTests
{
    [Test]
    public void DecodesEveryEntryEncoding()
    {
        byte[] s300 = Bytes(new string('z', 300));
        byte[] s20000 = Bytes(new string('w', 20000));
        byte[] zl = BuildZiplist(
            ZlStr6(Bytes("")), ZlStr6(Bytes("abc")), ZlStr14(s300), ZlStr32(s20000),
            ZlInt16(-2), ZlInt32(int.MaxValue), ZlInt64(long.MinValue), ZlInt24(-5), ZlInt8(-128),
            ZlImmediate(0), ZlImmediate(12));

        Assert.That(Texts(Ziplist.Decode(zl)), Is.EqualTo(new[]
        {
            "", "abc", new string('z', 300), new string('w', 20000),
            "-2", "2147483647", "-9223372036854775808", "-5", "-128", "0", "12",
        }));
    }

    [Test]
    public void DecodesEmpty() => Assert.That(Ziplist.Decode(BuildZiplist()), Is.Empty);

    private static IEnumerable<TestCaseData> Malformed()
    {
        byte[] good = BuildZiplist(ZlStr6(Bytes("abc")), ZlInt16(300));
        yield return new TestCaseData(good[..^1]).SetName("Missing end byte");
        yield return new TestCaseData(ListpackTests.Mutate(good, 4, 11)).SetName("Tail offset wrong");
        yield return new TestCaseData(ListpackTests.Mutate(good, 8, 3)).SetName("Count wrong");
        yield return new TestCaseData(ListpackTests.Mutate(good, 15, 4)).SetName("Prevlen wrong");
        yield return new TestCaseData(ListpackTests.Mutate(good, 11, 40)).SetName("String runs past the end");
        yield return new TestCaseData(ListpackTests.Mutate(good, 16, 0xC1)).SetName("Unknown encoding");
    }

    [TestCaseSource(nameof(Malformed))]
    public void RefusesMalformed(byte[] blob) =>
        Assert.That(Assert.Throws<DumpPayloadException>(() => Ziplist.Decode(blob))!.Message, Is.EqualTo("Bad data format"));
}

public sealed class IntsetTests
{
    [TestCase(2, new long[] { -32768, -1, 0, 7, 32767 })]
    [TestCase(4, new long[] { int.MinValue, 0, int.MaxValue })]
    [TestCase(8, new long[] { long.MinValue, -1, long.MaxValue })]
    public void DecodesEachWidth(int width, long[] values) =>
        Assert.That(Texts(Intset.Decode(BuildIntset(width, values))), Is.EqualTo(values.Select(v => v.ToString()).ToArray()));

    private static IEnumerable<TestCaseData> Malformed()
    {
        yield return new TestCaseData(BuildIntset(3, 1, 2)).SetName("Bad width");
        yield return new TestCaseData(BuildIntset(2)).SetName("Empty");
        yield return new TestCaseData(BuildIntset(2, 5, 5)).SetName("Duplicate");
        yield return new TestCaseData(BuildIntset(2, 6, 5)).SetName("Descending");
        yield return new TestCaseData(BuildIntset(2, 1, 2)[..^1]).SetName("Truncated");
        yield return new TestCaseData(new byte[] { 2, 0, 0 }).SetName("No header");
    }

    [TestCaseSource(nameof(Malformed))]
    public void RefusesMalformed(byte[] blob) =>
        Assert.That(Assert.Throws<DumpPayloadException>(() => Intset.Decode(blob))!.Message, Is.EqualTo("Bad data format"));
}
