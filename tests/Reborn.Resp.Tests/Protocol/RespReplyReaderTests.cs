using System.Buffers;
using System.Text;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Tests.Protocol;

public class RespReplyReaderTests
{
    private static IEnumerable<TestCaseData> RoundTrips()
    {
        yield return Case("+OK\r\n", RespReply.Ok, "OK");
        yield return Case("-ERR bad\r\n", RespReply.Error("ERR bad"), "(error) ERR bad");
        yield return Case(":-42\r\n", RespReply.FromInteger(-42), "(integer) -42");
        yield return Case("$5\r\nhe\"lo\r\n", RespReply.BulkString("he\"lo"), "\"he\\\"lo\"");
        yield return Case("$4\r\na\r\n\u0001\r\n", RespReply.BulkString("a\r\n\u0001"), "\"a\\r\\n\\x01\"");
        yield return Case("$0\r\n\r\n", RespReply.BulkString(""), "\"\"");
        yield return Case("$-1\r\n", RespReply.NullBulkString, "(nil)");
        yield return Case("*-1\r\n", RespReply.NullArray, "(nil)");
        yield return Case("_\r\n", RespReply.Null, "(nil)");
        yield return Case("*0\r\n", RespReply.Array(), "(empty array)");
        yield return Case("*2\r\n$1\r\na\r\n:1\r\n", RespReply.Array(RespReply.BulkString("a"), RespReply.FromInteger(1)),
            "1) \"a\"\n2) (integer) 1");
        yield return Case(",1.5\r\n", RespReply.FromDouble(1.5), "(double) 1.5");
        yield return Case(",inf\r\n", RespReply.FromDouble(double.PositiveInfinity), "(double) inf");
        yield return Case(",-inf\r\n", RespReply.FromDouble(double.NegativeInfinity), "(double) -inf");
        yield return Case(",nan\r\n", RespReply.FromDouble(double.NaN), "(double) nan");
        yield return Case("#t\r\n", RespReply.True, "(true)");
        yield return Case("#f\r\n", RespReply.False, "(false)");
        yield return Case("(12345678901234567890123\r\n", RespReply.BigNumber("12345678901234567890123"),
            "(big number) 12345678901234567890123");
        yield return Case("!9\r\nERR oops!\r\n", RespReply.BulkError("ERR oops!"), "(error) ERR oops!");
        yield return Case("=9\r\ntxt:hello\r\n", RespReply.Verbatim("txt", "hello"), "hello");
        yield return Case("%2\r\n+a\r\n:1\r\n+b\r\n#t\r\n",
            RespReply.Map(RespReply.SimpleString("a"), RespReply.FromInteger(1), RespReply.SimpleString("b"), RespReply.True),
            "1# a => (integer) 1\n2# b => (true)");
        yield return Case("%0\r\n", RespReply.Map(), "(empty hash)");
        yield return Case("~2\r\n+x\r\n+y\r\n", RespReply.Set(RespReply.SimpleString("x"), RespReply.SimpleString("y")), "1~ x\n2~ y");
        yield return Case(">3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n",
            RespReply.Push(RespReply.SimpleString("message"), RespReply.SimpleString("chan"), RespReply.BulkString("hi")),
            "1) message\n2) chan\n3) \"hi\"");
        yield return Case("*2\r\n*2\r\n:1\r\n:2\r\n*1\r\n_\r\n",
            RespReply.Array(RespReply.Array(RespReply.FromInteger(1), RespReply.FromInteger(2)), RespReply.Array(RespReply.Null)),
            "1) 1) (integer) 1\n   2) (integer) 2\n2) 1) (nil)");
        yield return Case("*11\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n*1\r\n:11\r\n",
            RespReply.Array([.. Enumerable.Range(1, 10).Select(i => RespReply.FromInteger(i)), RespReply.Array(RespReply.FromInteger(11))]),
            " 1) (integer) 1\n 2) (integer) 2\n 3) (integer) 3\n 4) (integer) 4\n 5) (integer) 5\n 6) (integer) 6\n 7) (integer) 7\n 8) (integer) 8\n 9) (integer) 9\n10) (integer) 10\n11) 1) (integer) 11");
    }

    private static TestCaseData Case(string wire, RespReply expected, string rendered) =>
        new TestCaseData(wire, expected, rendered).SetArgDisplayNames(wire.Replace("\r\n", "\\r\\n"));

    [TestCaseSource(nameof(RoundTrips))]
    public void Reads_every_type(string wire, RespReply expected, string rendered)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(wire);
        RespReply reply = RespReplyReader.Read(bytes);
        Assert.That(reply, Is.EqualTo(expected));
        Assert.That(reply.GetHashCode(), Is.EqualTo(expected.GetHashCode()));
        Assert.That(reply.ToString(), Is.EqualTo(rendered));

        // Incomplete at every prefix, complete and identical across every split.
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            var prefix = new ReadOnlySequence<byte>(bytes, 0, cut);
            Assert.That(RespReplyReader.TryRead(ref prefix, out _), Is.False, $"prefix {cut}");
            Assert.That(prefix.Length, Is.EqualTo(cut));
            var split = Segments.SplitAt(bytes, cut);
            Assert.That(RespReplyReader.TryRead(ref split, out RespReply? again), Is.True);
            Assert.That(again, Is.EqualTo(expected));
            Assert.That(split.IsEmpty);
        }
    }

    [Test]
    public void Reads_replies_one_at_a_time()
    {
        var buffer = new ReadOnlySequence<byte>("+OK\r\n:1\r\n$1\r\nx\r\n+PART"u8.ToArray());
        Assert.That(RespReplyReader.TryRead(ref buffer, out RespReply? first) && first!.Equals(RespReply.Ok));
        Assert.That(RespReplyReader.TryGetLength(buffer, out long length) && length == 4);
        Assert.That(RespReplyReader.TryRead(ref buffer, out RespReply? second) && second!.Integer == 1);
        Assert.That(RespReplyReader.TryRead(ref buffer, out RespReply? third) && third!.AsString() == "x");
        Assert.That(RespReplyReader.TryRead(ref buffer, out _), Is.False);
        Assert.That(buffer.Length, Is.EqualTo(5));
    }

    [Test]
    public void Attributes_attach_to_the_following_reply()
    {
        RespReply reply = RespReplyReader.Read("|1\r\n+key-popularity\r\n*1\r\n,0.19\r\n*1\r\n:2\r\n"u8);
        Assert.That(reply.Type, Is.EqualTo(RespReplyType.Array));
        Assert.That(reply.Elements[0].Integer, Is.EqualTo(2));
        Assert.That(reply.Attributes, Is.Not.Null);
        Assert.That(reply.Attributes!.Elements[0].AsString(), Is.EqualTo("key-popularity"));
        Assert.That(reply.Attributes.Elements[1].Elements[0].Double, Is.EqualTo(0.19));
        Assert.That(reply, Is.Not.EqualTo(RespReply.Array(RespReply.FromInteger(2))));
    }

    [TestCase("?\r\n")]
    [TestCase("$abc\r\n")]
    [TestCase("$-2\r\n")]
    [TestCase("$3\r\nabcde")]
    [TestCase("#x\r\n")]
    [TestCase(":1.5\r\n")]
    [TestCase("~-1\r\n")]
    [TestCase("=2\r\nab\r\n")]
    public void Malformed_replies_throw(string wire)
    {
        Assert.Throws<RespProtocolException>(() => RespReplyReader.Read(Encoding.Latin1.GetBytes(wire)));
    }

    [Test]
    public void Writer_output_reads_back_for_both_protocols()
    {
        foreach (int protocol in new[] { 2, 3 })
        {
            var output = new ArrayBufferWriter<byte>();
            var writer = new RespWriter(output) { Protocol = protocol };
            writer.MapHeader(2);
            writer.SimpleString("score"u8);
            writer.Double(0.1);
            writer.BulkString("set"u8);
            writer.SetHeader(2);
            writer.Boolean(true);
            writer.Null();
            RespReply reply = RespReplyReader.Read(output.WrittenSpan);
            RespReply expected = protocol == 3
                ? RespReply.Map(RespReply.SimpleString("score"), RespReply.FromDouble(0.1), RespReply.BulkString("set"),
                    RespReply.Set(RespReply.True, RespReply.Null))
                : RespReply.Array(RespReply.SimpleString("score"), RespReply.BulkString("0.10000000000000001"),
                    RespReply.BulkString("set"), RespReply.Array(RespReply.FromInteger(1), RespReply.NullBulkString));
            Assert.That(reply, Is.EqualTo(expected), $"RESP{protocol}");
        }
    }
}
