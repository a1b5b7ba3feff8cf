using System.Buffers;
using System.Text;
using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Resp.Commands;
using Reborn.Resp.Protocol;
using Reborn.Storage;

namespace Reborn.Resp.Tests.Commands;

/// <summary>
/// Range reads write their reply as the engine hands values over. A failure before the header is an
/// error reply as ever; a failure after it must not append an error to a truncated aggregate (the
/// client would read it as the next element): the connection is closed instead.
/// </summary>
public sealed class AggregateReplyTests
{
    private IKeyValueCluster _cluster = null!;
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly RespCommandArgs _args = new();
    private CommandDispatcher _dispatcher = null!;
    private CommandContext _context = null!;

    [SetUp]
    public async Task Open()
    {
        _cluster = await RebornCluster.OpenAsync(new RebornClusterOptions { Engine = EngineKind.Memory, BackgroundSweeps = false });
        _context = new CommandContext(_cluster, new RespWriter(_output)) { Args = _args };
        _dispatcher = new CommandDispatcher(new CommandTable(CommandTable.Default.All.Append(
            new CommandSpec("HALFREPLY", 2, CommandFlags.ReadOnly, 0, 0, 0, "@read", HalfReply))));
    }

    [TearDown]
    public async Task Close()
    {
        await _cluster.DisposeAsync();
        _args.Dispose();
    }

    /// <summary>HALFREPLY before|after: fails before the aggregate's header, or after its first element.</summary>
    private static ValueTask HalfReply(CommandContext c)
    {
        var sink = c.Aggregate(AggregateKind.Array);
        if (c.Is(1, "after"u8))
        {
            sink.Begin(2);
            sink.Value("x"u8);
        }
        throw new InvalidDataException("engine failure");
    }

    private async Task<string> Run(params string[] command)
    {
        _output.Clear();
        _args.Load(command.Select(Encoding.UTF8.GetBytes).ToArray());
        await _dispatcher.ExecuteAsync(_context);
        return Encoding.UTF8.GetString(_output.WrittenSpan);
    }

    [Test]
    public async Task A_failure_after_the_header_closes_the_connection_without_an_error_reply()
    {
        Assert.That(await Run("HALFREPLY", "after"), Is.EqualTo("*2\r\n$1\r\nx\r\n"));
        Assert.That(_context.Session.CloseRequested, Is.True);
    }

    [Test]
    public async Task A_failure_before_the_header_is_an_error_reply()
    {
        Assert.That(await Run("HALFREPLY", "before"), Does.StartWith("-ERR internal error: InvalidDataException"));
        Assert.That(_context.Session.CloseRequested, Is.False);
    }

    [Test]
    public async Task A_completed_range_read_leaves_the_next_failure_an_error_reply()
    {
        await Run("RPUSH", "l", "a", "b");
        Assert.That(await Run("LRANGE", "l", "0", "-1"), Is.EqualTo("*2\r\n$1\r\na\r\n$1\r\nb\r\n"));
        Assert.That(await Run("HGETALL", "l"), Does.StartWith("-WRONGTYPE"));
        Assert.That(await Run("HALFREPLY", "before"), Does.StartWith("-ERR internal error"));
        Assert.That(_context.Session.CloseRequested, Is.False);
    }
}
