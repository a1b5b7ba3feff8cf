using NUnit.Framework;
using Reborn.Core.DataModel;
using Reborn.Core.DataModel.Dump;
using static Reborn.Core.Tests.Dump.PackedBuilder;

namespace Reborn.Core.Tests.Dump;

public sealed class RdbDumpTests
{
    private const string Footer = "DUMP payload version or checksum are wrong";
    private const string Bad = "Bad data format";

    [Test]
    public void SerializesAStringExactlyAsRedis()
    {
        // Redis 7.0.15: SET k hello; DUMP k.
        byte[] expected = [0x00, 0x05, .. Bytes("hello"), 0x0A, 0x00, 0x63, 0x72, 0xDF, 0x76, 0x65, 0x34, 0x20, 0x0A];
        Assert.That(RdbDump.Serialize(DumpedValue.FromString(Bytes("hello"))), Is.EqualTo(expected));
    }

    [TestCase("0", new byte[] { 0xC0, 0x00 })]
    [TestCase("-128", new byte[] { 0xC0, 0x80 })]
    [TestCase("128", new byte[] { 0xC1, 0x80, 0x00 })]
    [TestCase("-32768", new byte[] { 0xC1, 0x00, 0x80 })]
    [TestCase("2147483647", new byte[] { 0xC2, 0xFF, 0xFF, 0xFF, 0x7F })]
    [TestCase("-2147483648", new byte[] { 0xC2, 0x00, 0x00, 0x00, 0x80 })]
    [TestCase("2147483648", new byte[] { 0x0A, 0x32, 0x31, 0x34, 0x37, 0x34, 0x38, 0x33, 0x36, 0x34, 0x38 })]
    [TestCase("007", new byte[] { 0x03, 0x30, 0x30, 0x37 })]
    [TestCase("-0", new byte[] { 0x02, 0x2D, 0x30 })]
    [TestCase("+1", new byte[] { 0x02, 0x2B, 0x31 })]
    public void EncodesIntegersAsRedis(string text, byte[] expectedBody)
    {
        byte[] payload = RdbDump.Serialize(DumpedValue.FromString(Bytes(text)));
        Assert.That(payload[1..^10], Is.EqualTo(expectedBody));
        Assert.That(Text(RdbDump.Deserialize(payload).String!), Is.EqualTo(text));
    }

    [Test]
    public void RoundTripsEveryType()
    {
        byte[] big = Bytes(string.Concat(Enumerable.Repeat("compressible ", 50)));
        var values = new[]
        {
            DumpedValue.FromString([]),
            DumpedValue.FromString(big),
            DumpedValue.FromList([Bytes("a"), Bytes("12"), big, []]),
            DumpedValue.FromSet([Bytes("x"), Bytes("-5"), big]),
            DumpedValue.FromHash([new(Bytes("f"), Bytes("v")), new(big, Bytes("1"))]),
            DumpedValue.FromSortedSet([(Bytes("m"), 1.5), (Bytes("n"), double.NegativeInfinity), (big, -0.0)]),
        };
        foreach (DumpedValue value in values)
        {
            DumpedValue back = RdbDump.Deserialize(RdbDump.Serialize(value));
            Assert.That(back.Type, Is.EqualTo(value.Type));
            Assert.That(back.String, Is.EqualTo(value.String));
            Assert.That(back.List, Is.EqualTo(value.List));
            Assert.That(back.Set, Is.EqualTo(value.Set));
            Assert.That(back.Hash?.Select(p => (p.Key, p.Value)), Is.EqualTo(value.Hash?.Select(p => (p.Key, p.Value))));
            Assert.That(back.SortedSet?.Select(p => (p.Member, BitConverter.DoubleToInt64Bits(p.Score))),
                Is.EqualTo(value.SortedSet?.Select(p => (p.Member, BitConverter.DoubleToInt64Bits(p.Score)))));
        }
    }

    [Test]
    public void SerializeRefusesWhatRedisWouldRefuse()
    {
        Assert.Throws<ArgumentException>(() => RdbDump.Serialize(DumpedValue.FromList([])));
        Assert.Throws<ArgumentException>(() => RdbDump.Serialize(DumpedValue.FromSortedSet([(Bytes("m"), double.NaN)])));
    }

    // ---- footer ----

    [Test]
    public void RefusesBadFooters()
    {
        byte[] good = Payload([0x00, .. RdbString(Bytes("hi"))]);
        Assert.That(Text(RdbDump.Deserialize(good).String!), Is.EqualTo("hi"));

        AssertFails(good[..9], Footer);
        AssertFails([], Footer);
        AssertFails(Payload([0x00, .. RdbString(Bytes("hi"))], version: 11), Footer);
        byte[] flipped = [.. good];
        flipped[^1] ^= 1;
        AssertFails(flipped, Footer);
        byte[] body = [.. good];
        body[2] ^= 1;
        AssertFails(body, Footer);
        // Redis 7.0's verifyDumpPayload has no "zero CRC means unchecked" rule (only its RDB file loader has).
        AssertFails(Payload([0x00, .. RdbString(Bytes("hi"))], crc: new byte[8]), Footer);
    }

    [Test]
    public void AcceptsOlderRdbVersionsAndTrailingBytesAsRedisDoes()
    {
        Assert.That(Text(RdbDump.Deserialize(Payload([0x00, .. RdbString(Bytes("hi"))], version: 9)).String!), Is.EqualTo("hi"));
        Assert.That(Text(RdbDump.Deserialize(Payload([0x00, .. RdbString(Bytes("hi")), 1, 2])).String!), Is.EqualTo("hi"));
    }

    // ---- bodies in encodings Redis 7.0 no longer writes but still loads ----

    [Test]
    public void ReadsQuicklistOfZiplists()
    {
        byte[] node1 = BuildZiplist(ZlStr6(Bytes("a")), ZlImmediate(5));
        byte[] node2 = BuildZiplist(ZlInt32(100000));
        byte[] empty = BuildZiplist();
        DumpedValue value = RdbDump.Deserialize(Payload([14, 3, .. RdbString(node1), .. RdbString(empty), .. RdbString(node2)]));
        Assert.That(value.Type, Is.EqualTo(RedisType.List));
        Assert.That(Texts(value.List!), Is.EqualTo(new[] { "a", "5", "100000" }));
    }

    [Test]
    public void ReadsQuicklist2WithPlainAndPackedNodes()
    {
        byte[] packed = BuildListpack(LpStr6(Bytes("x")), LpInt13(-3));
        DumpedValue value = RdbDump.Deserialize(Payload([18, 2, 2, .. RdbString(packed), 1, .. RdbString(Bytes("plain"))]));
        Assert.That(Texts(value.List!), Is.EqualTo(new[] { "x", "-3", "plain" }));
        AssertFails(Payload([18, 1, 3, .. RdbString(packed)]), Bad);
    }

    [Test]
    public void ReadsLegacyListEncodings()
    {
        Assert.That(Texts(RdbDump.Deserialize(Payload([1, 2, .. RdbString(Bytes("a")), 0xC0, 7])).List!), Is.EqualTo(new[] { "a", "7" }));
        Assert.That(Texts(RdbDump.Deserialize(Payload([10, .. RdbString(BuildZiplist(ZlStr6(Bytes("q"))))])).List!), Is.EqualTo(new[] { "q" }));
    }

    [Test]
    public void ReadsSetEncodings()
    {
        Assert.That(Texts(RdbDump.Deserialize(Payload([11, .. RdbString(BuildIntset(2, -1, 3))])).Set!), Is.EqualTo(new[] { "-1", "3" }));
        Assert.That(Texts(RdbDump.Deserialize(Payload([20, .. RdbString(BuildListpack(LpStr6(Bytes("m")), LpUInt7(9)))])).Set!), Is.EqualTo(new[] { "m", "9" }));
        Assert.That(Texts(RdbDump.Deserialize(Payload([2, 2, .. RdbString(Bytes("a")), .. RdbString(Bytes("b"))])).Set!), Is.EqualTo(new[] { "a", "b" }));
        AssertFails(Payload([2, 2, .. RdbString(Bytes("a")), .. RdbString(Bytes("a"))]), Bad);
        AssertFails(Payload([20, .. RdbString(BuildListpack(LpUInt7(9), LpStr6(Bytes("9"))))]), Bad);
        AssertFails(Payload([2, 0]), Bad);
    }

    [Test]
    public void ReadsHashEncodings()
    {
        static string[] Flat(DumpedValue v) => v.Hash!.SelectMany(p => new[] { Text(p.Key), Text(p.Value) }).ToArray();
        Assert.That(Flat(RdbDump.Deserialize(Payload([13, .. RdbString(BuildZiplist(ZlStr6(Bytes("f")), ZlInt16(1000)))]))), Is.EqualTo(new[] { "f", "1000" }));
        Assert.That(Flat(RdbDump.Deserialize(Payload([16, .. RdbString(BuildListpack(LpStr6(Bytes("f")), LpStr6(Bytes("v"))))]))), Is.EqualTo(new[] { "f", "v" }));
        byte[] zipmap = [2, 1, (byte)'a', 2, 1, (byte)'x', (byte)'y', 0, 1, (byte)'b', 1, 0, (byte)'z', 0xFF];
        Assert.That(Flat(RdbDump.Deserialize(Payload([9, .. RdbString(zipmap)]))), Is.EqualTo(new[] { "a", "xy", "b", "z" }));
        AssertFails(Payload([16, .. RdbString(BuildListpack(LpStr6(Bytes("f"))))]), Bad);
        AssertFails(Payload([4, 2, .. RdbString(Bytes("f")), .. RdbString(Bytes("1")), .. RdbString(Bytes("f")), .. RdbString(Bytes("2"))]), Bad);
    }

    [Test]
    public void ReadsSortedSetEncodings()
    {
        static (string, double)[] Pairs(DumpedValue v) => v.SortedSet!.Select(p => (Text(p.Member), p.Score)).ToArray();
        byte[] textScores = [3, 3, .. RdbString(Bytes("a")), 3, .. Bytes("1.5"), .. RdbString(Bytes("b")), 254, .. RdbString(Bytes("c")), 255];
        Assert.That(Pairs(RdbDump.Deserialize(Payload(textScores))),
            Is.EqualTo(new[] { ("a", 1.5), ("b", double.PositiveInfinity), ("c", double.NegativeInfinity) }));
        AssertFails(Payload([3, 1, .. RdbString(Bytes("a")), 253]), Bad);

        byte[] zl = BuildZiplist(ZlStr6(Bytes("m")), ZlStr6(Bytes("2.25")), ZlStr6(Bytes("n")), ZlInt16(-7));
        Assert.That(Pairs(RdbDump.Deserialize(Payload([12, .. RdbString(zl)]))), Is.EqualTo(new[] { ("m", 2.25), ("n", -7.0) }));
        byte[] lp = BuildListpack(LpStr6(Bytes("m")), LpStr6(Bytes("inf")), LpStr6(Bytes("n")), LpStr6(Bytes("-0")));
        (string, double)[] pairs = Pairs(RdbDump.Deserialize(Payload([17, .. RdbString(lp)])));
        Assert.That(pairs[0], Is.EqualTo(("m", double.PositiveInfinity)));
        Assert.That(BitConverter.DoubleToInt64Bits(pairs[1].Item2), Is.EqualTo(BitConverter.DoubleToInt64Bits(-0.0)));
        AssertFails(Payload([17, .. RdbString(BuildListpack(LpStr6(Bytes("m")), LpStr6(Bytes("x1"))))]), Bad);
        AssertFails(Payload([17, .. RdbString(BuildListpack(LpStr6(Bytes("m")), LpStr6(Bytes("nan"))))]), Bad);
    }

    // ---- malformed bodies ----

    [Test]
    public void RefusesMalformedBodies()
    {
        AssertFails(Payload([]), Bad);
        AssertFails(Payload([15, 0]), Bad); // a stream: Reborn holds none
        AssertFails(Payload([0x00, 5, (byte)'h']), Bad);
        AssertFails(Payload([0x00, 0xC4]), Bad); // unknown special string encoding
        AssertFails(Payload([0x00, 0xC2, 1, 2]), Bad);
        AssertFails(Payload([0x00, 0x82, 0, 0, 0, 1]), Bad); // unknown length prefix
        // A 4 GB string declared with three bytes behind it must fail before allocating.
        AssertFails(Payload([0x00, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]), Bad);
        AssertFails(Payload([0x00, 0x81, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1]), Bad);
        // LZF claiming to inflate 3 bytes into 4 GB, and LZF that inflates to the wrong size.
        AssertFails(Payload([0x00, 0xC3, 3, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, (byte)'a', 0x00]), Bad);
        AssertFails(Payload([0x00, 0xC3, 2, 3, 0x00, (byte)'a']), Bad);
        // A list of two billion elements declared in a tiny payload.
        AssertFails(Payload([1, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 1, (byte)'a']), Bad);
        AssertFails(Payload([5, 1, .. RdbString(Bytes("m")), 1, 2, 3]), Bad); // truncated double
    }

    [Test]
    public void SurvivesEveryTruncationAndByteFlipWithAFixedCrc()
    {
        var random = new Random(1234);
        byte[] big = Bytes(string.Concat(Enumerable.Repeat("abc", 40)));
        byte[][] bodies =
        [
            RdbDump.Serialize(DumpedValue.FromString(big))[..^10],
            RdbDump.Serialize(DumpedValue.FromHash([new(Bytes("f"), big), new(Bytes("g"), Bytes("1"))]))[..^10],
            [18, 1, 2, .. RdbString(BuildListpack(LpStr6(Bytes("x")), LpInt13(-3), LpStr12(big)))],
            [17, .. RdbString(BuildListpack(LpStr6(Bytes("m")), LpInt16(300)))],
            [14, 1, .. RdbString(BuildZiplist(ZlStr6(Bytes("a")), ZlInt24(70000), ZlStr14(big)))],
            [11, .. RdbString(BuildIntset(4, 1, 70000))],
        ];
        foreach (byte[] body in bodies)
        {
            for (int cut = 0; cut < body.Length; cut++)
                Probe(Payload(body[..cut]));
            for (int i = 0; i < 300; i++)
            {
                byte[] mutated = [.. body];
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                Probe(Payload(mutated));
            }
        }

        static void Probe(byte[] payload)
        {
            try
            {
                RdbDump.Deserialize(payload);
            }
            catch (DumpPayloadException ex)
            {
                Assert.That(ex.Message, Is.EqualTo(Bad));
            }
        }
    }

    private static void AssertFails(byte[] payload, string message)
    {
        var ex = Assert.Throws<DumpPayloadException>(() => RdbDump.Deserialize(payload));
        Assert.That(ex!.Message, Is.EqualTo(message));
    }
}
