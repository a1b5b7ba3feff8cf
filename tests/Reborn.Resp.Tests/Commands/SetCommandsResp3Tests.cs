using System.Buffers;
using System.Text;
using Reborn.Core.Cluster;
using Reborn.Resp.Commands;
using Reborn.Resp.Protocol;
using Reborn.Storage;

namespace Reborn.Resp.Tests.Commands;

/// <summary>
/// RESP3 reply types of the set family, pinned to what Redis 7.0.15 sends after HELLO 3 (the
/// differential harness speaks RESP2 only): whole sets are '~' sets, SRANDMEMBER with a count is an array.
/// </summary>
public sealed class SetCommandsResp3Tests
{
    private IKeyValueCluster _cluster = null!;
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly RespCommandArgs _args = new();
    private readonly CommandDispatcher _dispatcher = new();
    private CommandContext _context = null!;

    [SetUp]
    public async Task Open()
    {
        _cluster = await RebornCluster.OpenAsync(new RebornClusterOptions { Engine = EngineKind.Memory, BackgroundSweeps = false });
        _context = new CommandContext(_cluster, new RespWriter(_output) { Protocol = 3 }) { Args = _args };
        await Run("SADD a 1 2 3");
    }

    [TearDown]
    public async Task Close()
    {
        await _cluster.DisposeAsync();
        _args.Dispose();
    }

    private async Task<string> Run(string command)
    {
        _output.Clear();
        _args.Load(command.Split(' ').Select(Encoding.UTF8.GetBytes).ToArray());
        await _dispatcher.ExecuteAsync(_context);
        return Encoding.UTF8.GetString(_output.WrittenSpan);
    }

    [TestCase("SMEMBERS a", "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n")]
    [TestCase("SMEMBERS missing", "~0\r\n")]
    [TestCase("SINTER a missing", "~0\r\n")]
    [TestCase("SDIFF missing", "~0\r\n")]
    [TestCase("SUNION a", "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n")]
    [TestCase("SPOP missing 3", "~0\r\n")]
    [TestCase("SPOP a 0", "~0\r\n")]
    [TestCase("SPOP missing", "_\r\n")]
    [TestCase("SRANDMEMBER missing", "_\r\n")]
    [TestCase("SRANDMEMBER missing 5", "*0\r\n")]
    [TestCase("SRANDMEMBER a 0", "*0\r\n")]
    [TestCase("SRANDMEMBER a 5", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n")]
    [TestCase("SMISMEMBER a 1 9", "*2\r\n:1\r\n:0\r\n")]
    [TestCase("SSCAN missing 0", "*2\r\n$1\r\n0\r\n*0\r\n")]
    [TestCase("SINTERCARD 1 a", ":3\r\n")]
    public async Task RepliesLikeRedis(string command, string expected) => Assert.That(await Run(command), Is.EqualTo(expected));

    [Test]
    public async Task PopWithCountIsASet()
    {
        Assert.That(await Run("SPOP a 1"), Does.StartWith("~1\r\n"));
        Assert.That(await Run("SRANDMEMBER a -3"), Does.StartWith("*3\r\n"));
    }
}
