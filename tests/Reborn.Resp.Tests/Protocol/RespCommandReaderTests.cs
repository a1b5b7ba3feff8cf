using System.Buffers;
using System.Text;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Tests.Protocol;

public class RespCommandReaderTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static readonly string[][] PipelinedCommands =
    [
        ["SET", "key", "value"],
        ["GET", "key"],
        ["PING"],
        ["SET", "bin", "a\r\nb\0c"],
        ["MSET", "", "empty", "k2", new string('x', 300)],
    ];

    private static byte[] Multibulk(params string[][] commands)
    {
        var builder = new StringBuilder();
        foreach (string[] command in commands)
        {
            builder.Append('*').Append(command.Length).Append("\r\n");
            foreach (string arg in command)
                builder.Append('$').Append(arg.Length).Append("\r\n").Append(arg).Append("\r\n");
        }
        return B(builder.ToString());
    }

    [Test]
    public void Parses_pipelined_multibulk_commands()
    {
        byte[] bytes = Multibulk(PipelinedCommands);
        var buffer = new ReadOnlySequence<byte>(bytes);
        List<string[]> commands = ParsedCommands.ReadAll(ref buffer);
        Assert.That(commands, Is.EqualTo(PipelinedCommands));
        Assert.That(buffer.IsEmpty);
    }

    [Test]
    public void Every_split_point_yields_the_same_commands()
    {
        byte[] bytes = [.. Multibulk(PipelinedCommands), .. B("SET inline \"quoted \\x41\"\r\nPING\n")];
        string[][] expected = [.. PipelinedCommands, ["SET", "inline", "quoted A"], ["PING"]];
        for (int cut = 0; cut <= bytes.Length; cut++)
        {
            Assert.That(ParsedCommands.ReadInTwoReads(bytes, cut), Is.EqualTo(expected), $"cut at {cut}");
            var twoSegments = Segments.SplitAt(bytes, cut);
            Assert.That(ParsedCommands.ReadAll(ref twoSegments), Is.EqualTo(expected), $"segments cut at {cut}");
        }
    }

    [Test]
    public void One_byte_segments_yield_the_same_commands()
    {
        byte[] bytes = [.. Multibulk(PipelinedCommands), .. B("ECHO 'it\\'s'\r\n")];
        var buffer = Segments.Of(bytes.Select(b => new[] { b }).ToArray());
        Assert.That(ParsedCommands.ReadAll(ref buffer), Is.EqualTo([.. PipelinedCommands, ["ECHO", "it's"]]));
    }

    [Test]
    public void Incomplete_command_leaves_the_buffer_at_its_start()
    {
        byte[] bytes = Multibulk(["GET", "a"], ["SET", "b", "c"]);
        var buffer = new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 3);
        List<string[]> commands = ParsedCommands.ReadAll(ref buffer);
        Assert.That(commands, Is.EqualTo(new[] { new[] { "GET", "a" } }));
        Assert.That(buffer.Length, Is.EqualTo(Multibulk(["SET", "b", "c"]).Length - 3));
    }

    [Test]
    public void Args_are_views_into_a_single_segment_buffer()
    {
        byte[] bytes = Multibulk(["SET", "k", "v"]);
        var buffer = new ReadOnlySequence<byte>(bytes);
        var reader = new RespCommandReader();
        using var args = new RespCommandArgs();
        Assert.That(reader.TryReadCommand(ref buffer, args));
        Assert.That(args.GetMemory(2).Span.Overlaps(bytes), Is.True);
        Assert.That(args.Is(0, "set"u8));
        Assert.That(args.Command.SequenceEqual("SET"u8));
    }

    [Test]
    public void Binary_safe_arguments()
    {
        byte[] value = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        byte[] bytes = [.. B("*2\r\n$3\r\nSET\r\n$256\r\n"), .. value, .. B("\r\n")];
        var buffer = new ReadOnlySequence<byte>(bytes);
        using var args = new RespCommandArgs();
        Assert.That(new RespCommandReader().TryReadCommand(ref buffer, args));
        Assert.That(args[1].ToArray(), Is.EqualTo(value));
    }

    [Test]
    public void Empty_multibulk_and_blank_inline_lines_are_skipped()
    {
        Assert.That(ParsedCommands.ReadAll(B("*0\r\n*-1\r\n*-7\r\n\r\n   \r\n\nPING\r\n")), Is.EqualTo(new[] { new[] { "PING" } }));
    }

    [Test]
    public void Payload_trailer_is_skipped_unchecked_as_redis_does()
    {
        Assert.That(ParsedCommands.ReadAll(B("*1\r\n$4\r\nPINGxy*1\r\n$4\r\nPING\r\n")),
            Is.EqualTo(new[] { new[] { "PING" }, new[] { "PING" } }));
    }

    [TestCase("PING\r\n", new[] { "PING" })]
    [TestCase("PING\n", new[] { "PING" })]
    [TestCase("  SET  a   b  \r\n", new[] { "SET", "a", "b" })]
    [TestCase("SET\ta\tb\r\n", new[] { "SET", "a", "b" })]
    [TestCase("SET \"a b\" 'c d'\r\n", new[] { "SET", "a b", "c d" })]
    [TestCase("ECHO \"\\n\\r\\t\\b\\a\\\\\\\"\\q\"\r\n", new[] { "ECHO", "\n\r\t\b\a\\\"q" })]
    [TestCase("ECHO \"\\x41\\x4a\\x4G\"\r\n", new[] { "ECHO", "AJx4G" })]
    [TestCase("ECHO 'it\\'s' 'a\\nb'\r\n", new[] { "ECHO", "it's", "a\\nb" })]
    [TestCase("ECHO \"\" ''\r\n", new[] { "ECHO", "", "" })]
    [TestCase("ECHO a\"b c\"\r\n", new[] { "ECHO", "ab c" })]
    [TestCase("ECHO a\vb\r\n", new[] { "ECHO", "a\vb" })]
    [TestCase("ECHO a\0 b\r\n", new[] { "ECHO", "a" })]
    [TestCase("ECHO \"a\" \"b\"\r\n", new[] { "ECHO", "a", "b" })]
    public void Inline_commands_follow_sdssplitargs(string line, string[] expected)
    {
        Assert.That(ParsedCommands.ReadAll(B(line)), Is.EqualTo(new[] { expected }));
        // The same across a segment boundary at every position.
        byte[] bytes = B(line);
        for (int cut = 1; cut < bytes.Length; cut++)
        {
            var buffer = Segments.SplitAt(bytes, cut);
            Assert.That(ParsedCommands.ReadAll(ref buffer), Is.EqualTo(new[] { expected }), $"cut at {cut}");
        }
    }

    [Test]
    public void Inline_without_newline_waits()
    {
        var buffer = new ReadOnlySequence<byte>(B("GET key"));
        Assert.That(ParsedCommands.ReadAll(ref buffer), Is.Empty);
        Assert.That(buffer.Length, Is.EqualTo(7));
    }

    [Test]
    public void Args_survive_many_commands_and_grow_past_initial_capacity()
    {
        string[] command = [.. Enumerable.Range(0, 100).Select(i => "arg" + i)];
        byte[] bytes = Multibulk(command, command);
        Assert.That(ParsedCommands.ReadAll(bytes), Is.EqualTo(new[] { command, command }));
    }
}
