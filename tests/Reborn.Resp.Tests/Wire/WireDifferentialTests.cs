using Reborn.Resp.Tests.Differential;
using Reborn.Storage;

namespace Reborn.Resp.Tests.Wire;

/// <summary>
/// The foundation's differential test over TCP against an in-process Reborn server and a real
/// redis-server, in RESP2 and (after HELLO 3 on both connections) RESP3. Same generators and
/// seeds as the in-process run. The memory engine answers one command at a time (the in-process run
/// covers every engine); RocksDB answers pipelined batches of 16 commands, each batch one group commit,
/// so later commands of a batch read the writes still pending in the engine. The server serves its
/// clients on its event loop, and in one fixture on .NET's streams instead (RespServerOptions.EventLoop).
/// A failure prints the seed; set REBORN_DIFF_SEED to replay it.
/// </summary>
[TestFixture(2, EngineKind.Memory, 1, true)]
[TestFixture(3, EngineKind.Memory, 1, true)]
[TestFixture(2, EngineKind.RocksDb, 16, true)]
[TestFixture(2, EngineKind.RocksDb, 16, false)]
[NonParallelizable]
public sealed partial class WireDifferentialTests(int protocol, EngineKind engine, int pipelineDepth, bool eventLoop)
{
    public const int CommandsPerType = DifferentialTests.CommandsPerType;
    private WireDifferentialHarness _harness = null!;

    [OneTimeSetUp]
    public async Task Start() => _harness = await WireDifferentialHarness.StartAsync(protocol, engine, pipelineDepth, eventLoop);

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_harness is not null) await _harness.DisposeAsync();
    }

    private async Task Run(ICommandGenerator generator, int seed)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("REBORN_DIFF_SEED"), out int replay)) seed = replay;
        TestContext.Out.WriteLine($"{generator.GetType().Name} seed {seed}, {CommandsPerType} commands over the wire in RESP{protocol}, {engine}, pipelined {pipelineDepth} deep, {(eventLoop ? "event loop" : "streams")}");
        int sent = await _harness.RunAsync(generator, seed, CommandsPerType);
        Assert.That(sent, Is.EqualTo(CommandsPerType));
    }

    [Test] public Task Strings() => Run(new StringCommandGenerator(), 1001);
    [Test] public Task Keys() => Run(new KeyCommandGenerator(), 1002);
    [Test] public Task Hashes() => Run(new HashCommandGenerator(), 4004);
    [Test] public Task Lists() => Run(new ListCommandGenerator(), 4242);
    [Test] public Task LongLists() => Run(new ListCommandGenerator(keys: 2, pushWidth: 40), 4343);
    [Test] public Task Sets() => Run(new SetCommandGenerator(), 4004);
}
