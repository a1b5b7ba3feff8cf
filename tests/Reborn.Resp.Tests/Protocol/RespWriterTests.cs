using System.Buffers;
using System.Text;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Tests.Protocol;

public class RespWriterTests
{
    private static string Write(int protocol, Action<RespWriter> write)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new RespWriter(output) { Protocol = protocol };
        write(writer);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    private static IEnumerable<TestCaseData> Golden()
    {
        // name, writer call, RESP2, RESP3
        yield return Case("SimpleString", w => w.SimpleString("OK"u8), "+OK\r\n", "+OK\r\n");
        yield return Case("SimpleString(string)", w => w.SimpleString("PONG"), "+PONG\r\n", "+PONG\r\n");
        yield return Case("SimpleString newlines", w => w.SimpleString("a\r\nb"u8), "+a  b\r\n", "+a  b\r\n");
        yield return Case("Error", w => w.Error("ERR syntax error"u8), "-ERR syntax error\r\n", "-ERR syntax error\r\n");
        yield return Case("Error(string)", w => w.Error("WRONGTYPE Operation against a key holding the wrong kind of value"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        yield return Case("Error newline", w => w.Error("ERR a\nb"), "-ERR a b\r\n", "-ERR a b\r\n");
        yield return Case("Integer 0", w => w.Integer(0), ":0\r\n", ":0\r\n");
        yield return Case("Integer min", w => w.Integer(long.MinValue), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n");
        yield return Case("Integer max", w => w.Integer(long.MaxValue), ":9223372036854775807\r\n", ":9223372036854775807\r\n");
        yield return Case("BulkString", w => w.BulkString("hello"u8), "$5\r\nhello\r\n", "$5\r\nhello\r\n");
        yield return Case("BulkString empty", w => w.BulkString(ReadOnlySpan<byte>.Empty), "$0\r\n\r\n", "$0\r\n\r\n");
        yield return Case("BulkString binary", w => w.BulkString("a\r\n\0"u8), "$4\r\na\r\n\0\r\n", "$4\r\na\r\n\0\r\n");
        yield return Case("BulkString(string) utf8", w => w.BulkString("é"), "$2\r\n\u00c3\u00a9\r\n", "$2\r\n\u00c3\u00a9\r\n");
        yield return Case("BulkString(long)", w => w.BulkString(-42L), "$3\r\n-42\r\n", "$3\r\n-42\r\n");
        yield return Case("Null", w => w.Null(), "$-1\r\n", "_\r\n");
        yield return Case("NullArray", w => w.NullArray(), "*-1\r\n", "_\r\n");
        yield return Case("ArrayHeader", w => w.ArrayHeader(3), "*3\r\n", "*3\r\n");
        yield return Case("ArrayHeader 0", w => w.ArrayHeader(0), "*0\r\n", "*0\r\n");
        yield return Case("MapHeader", w => w.MapHeader(2), "*4\r\n", "%2\r\n");
        yield return Case("SetHeader", w => w.SetHeader(2), "*2\r\n", "~2\r\n");
        yield return Case("PushHeader", w => w.PushHeader(3), "*3\r\n", ">3\r\n");
        yield return Case("Double 1.5", w => w.Double(1.5), "$3\r\n1.5\r\n", ",1.5\r\n");
        yield return Case("Double 0.1", w => w.Double(0.1), "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n");
        yield return Case("Double 1e20", w => w.Double(1e20), "$5\r\n1e+20\r\n", ",1e+20\r\n");
        yield return Case("Double inf", w => w.Double(double.PositiveInfinity), "$3\r\ninf\r\n", ",inf\r\n");
        yield return Case("Double -inf", w => w.Double(double.NegativeInfinity), "$4\r\n-inf\r\n", ",-inf\r\n");
        yield return Case("Double nan", w => w.Double(double.NaN), "$3\r\nnan\r\n", ",nan\r\n");
        yield return Case("Boolean true", w => w.Boolean(true), ":1\r\n", "#t\r\n");
        yield return Case("Boolean false", w => w.Boolean(false), ":0\r\n", "#f\r\n");
        yield return Case("VerbatimString", w => w.VerbatimString("txt"u8, "Some string"u8),
            "$11\r\nSome string\r\n", "=15\r\ntxt:Some string\r\n");
        yield return Case("BigNumber", w => w.BigNumber("3492890328409238509324850943850943825024385"u8),
            "$43\r\n3492890328409238509324850943850943825024385\r\n", "(3492890328409238509324850943850943825024385\r\n");
        yield return Case("Raw", w => w.Raw(RespReplies.Ok), "+OK\r\n", "+OK\r\n");
        yield return Case("Nested", w =>
        {
            w.MapHeader(1);
            w.BulkString("k"u8);
            w.ArrayHeader(2);
            w.Integer(1);
            w.Null();
        }, "*2\r\n$1\r\nk\r\n*2\r\n:1\r\n$-1\r\n", "%1\r\n$1\r\nk\r\n*2\r\n:1\r\n_\r\n");
    }

    private static TestCaseData Case(string name, Action<RespWriter> write, string resp2, string resp3) =>
        new TestCaseData(write, resp2, resp3).SetArgDisplayNames(name);

    [TestCaseSource(nameof(Golden))]
    public void Writes_golden_bytes(Action<RespWriter> write, string resp2, string resp3)
    {
        Assert.That(Write(2, write), Is.EqualTo(resp2), "RESP2");
        Assert.That(Write(3, write), Is.EqualTo(resp3), "RESP3");
    }

    [Test]
    public void Large_bulk_is_written_in_pieces_into_a_pipe()
    {
        byte[] value = new byte[1_000_000];
        new Random(1).NextBytes(value);
        var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 0));
        var writer = new RespWriter(pipe.Writer);
        writer.BulkString(value);
        pipe.Writer.FlushAsync().AsTask().Wait();
        Assert.That(pipe.Reader.TryRead(out var result));
        var buffer = result.Buffer;
        Assert.That(RespReplyReader.TryRead(ref buffer, out RespReply? reply));
        Assert.That(reply!.Bytes.ToArray(), Is.EqualTo(value));
        pipe.Reader.AdvanceTo(buffer.End);
    }

    [Test]
    public void Integer_and_bulk_writes_do_not_allocate()
    {
        var output = new ArrayBufferWriter<byte>(4096);
        var writer = new RespWriter(output);
        writer.Integer(1);
        writer.Double(0.1);
        output.ResetWrittenCount();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            writer.Integer(i * 1234567);
            writer.BulkString("value"u8);
            writer.Double(i / 3.0);
            writer.ArrayHeader(i);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Protocol_must_be_2_or_3()
    {
        var writer = new RespWriter(new ArrayBufferWriter<byte>());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Protocol = 4);
        Assert.Throws<ArgumentException>(() => writer.VerbatimString("text"u8, "x"u8));
    }
}
