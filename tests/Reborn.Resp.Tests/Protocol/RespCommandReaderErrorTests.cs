using System.Buffers;
using System.Text;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Tests.Protocol;

public class RespCommandReaderErrorTests
{
    /// <summary>Malformed requests and Redis 7.0.15's reply to each (checked against redis-server in RedisOracleTests).</summary>
    public static readonly (string Request, string Error)[] Cases =
    [
        ("*abc\r\n", "Protocol error: invalid multibulk length"),
        ("*\r\n", "Protocol error: invalid multibulk length"),
        ("*01\r\n", "Protocol error: invalid multibulk length"),
        ("*+1\r\n", "Protocol error: invalid multibulk length"),
        ("* 1\r\n", "Protocol error: invalid multibulk length"),
        ("*99999999999999999999\r\n", "Protocol error: invalid multibulk length"),
        ("*1\r\n$abc\r\n", "Protocol error: invalid bulk length"),
        ("*1\r\n$\r\n", "Protocol error: invalid bulk length"),
        ("*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
        ("*1\r\n$04\r\nPING\r\n", "Protocol error: invalid bulk length"),
        ("*1\r\n$600000000\r\n", "Protocol error: invalid bulk length"),
        ("*1\r\nX3\r\n", "Protocol error: expected '$', got 'X'"),
        ("*2\r\n$4\r\nECHO\r\n:1\r\n", "Protocol error: expected '$', got ':'"),
        ("\"abc\r\n", "Protocol error: unbalanced quotes in request"),
        ("'abc\r\n", "Protocol error: unbalanced quotes in request"),
        ("'a'b\r\n", "Protocol error: unbalanced quotes in request"),
        ("ECHO \"a\"b\r\n", "Protocol error: unbalanced quotes in request"),
        ("ECHO \"a\0\"\r\n", "Protocol error: unbalanced quotes in request"),
        ("*" + new string('1', 70000), "Protocol error: too big mbulk count string"),
        ("*1\r\n$" + new string('1', 70000), "Protocol error: too big bulk count string"),
        (new string('A', 70000), "Protocol error: too big inline request"),
    ];

    private static IEnumerable<TestCaseData> ErrorCases() =>
        Cases.Select(c => new TestCaseData(c.Request, c.Error).SetArgDisplayNames(Display(c.Request)));

    private static string Display(string request) =>
        (request.Length > 30 ? request[..30] + "..." : request).Replace("\r", "\\r").Replace("\n", "\\n").Replace("\0", "\\0");

    [TestCaseSource(nameof(ErrorCases))]
    public void Protocol_errors_have_redis_texts(string request, string error)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(request);
        var reader = new RespCommandReader();
        using var args = new RespCommandArgs();

        var buffer = new ReadOnlySequence<byte>(bytes);
        var exception = Assert.Throws<RespProtocolException>(() => reader.TryReadCommand(ref buffer, args));
        Assert.That(exception!.Message, Is.EqualTo(error));
        Assert.That(exception.ErrorReply, Is.EqualTo("ERR " + error));

        // The same when the bytes arrive in two segments.
        var split = Segments.SplitAt(bytes, bytes.Length / 2);
        exception = Assert.Throws<RespProtocolException>(() => reader.TryReadCommand(ref split, args));
        Assert.That(exception!.Message, Is.EqualTo(error));
    }

    [Test]
    public void Commands_before_an_error_are_returned_first()
    {
        var buffer = new ReadOnlySequence<byte>("PING\r\n*1\r\nX\r\n"u8.ToArray());
        var reader = new RespCommandReader();
        using var args = new RespCommandArgs();
        Assert.That(reader.TryReadCommand(ref buffer, args));
        Assert.That(args.GetString(0), Is.EqualTo("PING"));
        Assert.Throws<RespProtocolException>(() => reader.TryReadCommand(ref buffer, args));
    }

    [Test]
    public void Limits_are_configurable()
    {
        var reader = new RespCommandReader { MaxBulkLength = 3, MaxMultibulkLength = 2 };
        using var args = new RespCommandArgs();
        var ok = new ReadOnlySequence<byte>("*2\r\n$3\r\nGET\r\n$3\r\nabc\r\n"u8.ToArray());
        Assert.That(reader.TryReadCommand(ref ok, args));

        var bulk = new ReadOnlySequence<byte>("*1\r\n$4\r\n"u8.ToArray());
        Assert.That(Assert.Throws<RespProtocolException>(() => reader.TryReadCommand(ref bulk, args))!.Message,
            Is.EqualTo("Protocol error: invalid bulk length"));
        var count = new ReadOnlySequence<byte>("*3\r\n"u8.ToArray());
        Assert.That(Assert.Throws<RespProtocolException>(() => reader.TryReadCommand(ref count, args))!.Message,
            Is.EqualTo("Protocol error: invalid multibulk length"));
        Assert.That(new RespCommandReader().MaxBulkLength, Is.EqualTo(512L * 1024 * 1024));
    }

    [Test]
    public void Multibulk_count_up_to_the_limit_is_accepted_and_waits()
    {
        var reader = new RespCommandReader();
        using var args = new RespCommandArgs();
        var buffer = new ReadOnlySequence<byte>("*1048576\r\n"u8.ToArray());
        Assert.That(reader.TryReadCommand(ref buffer, args), Is.False);
        var over = new ReadOnlySequence<byte>("*1048577\r\n"u8.ToArray());
        Assert.Throws<RespProtocolException>(() => reader.TryReadCommand(ref over, args));
    }

    [Test]
    public void Huge_declared_bulk_does_not_allocate()
    {
        var reader = new RespCommandReader();
        using var args = new RespCommandArgs();
        byte[] bytes = "*2\r\n$3\r\nSET\r\n$536870911\r\nabc"u8.ToArray();
        var single = new ReadOnlySequence<byte>(bytes);
        var split = Segments.SplitAt(bytes, 5, 20);
        // Warm up (JIT, first-use statics).
        reader.TryReadCommand(ref single, args);
        reader.TryReadCommand(ref split, args);

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool anyComplete = false;
        for (int i = 0; i < 100; i++)
        {
            single = new ReadOnlySequence<byte>(bytes);
            anyComplete |= reader.TryReadCommand(ref single, args);
            anyComplete |= reader.TryReadCommand(ref split, args);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(anyComplete, Is.False);
        Assert.That(single.Length, Is.EqualTo(bytes.Length));
        Assert.That(split.Length, Is.EqualTo(bytes.Length));
        Assert.That(allocated, Is.LessThan(1024));
    }

    [Test]
    public void Parsing_a_single_segment_batch_does_not_allocate()
    {
        var builder = new StringBuilder();
        for (int i = 0; i < 50; i++)
            builder.Append("*3\r\n$3\r\nSET\r\n$4\r\nkey").Append(i % 10).Append("\r\n$5\r\nvalue\r\n");
        byte[] bytes = Encoding.ASCII.GetBytes(builder.ToString());
        var reader = new RespCommandReader();
        using var args = new RespCommandArgs();
        var warm = new ReadOnlySequence<byte>(bytes);
        while (reader.TryReadCommand(ref warm, args)) { }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var buffer = new ReadOnlySequence<byte>(bytes);
        int count = 0;
        while (reader.TryReadCommand(ref buffer, args))
            count++;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(count, Is.EqualTo(50));
        Assert.That(allocated, Is.Zero);
    }
}
