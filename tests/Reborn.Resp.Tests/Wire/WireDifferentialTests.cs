using Reborn.Resp.Tests.Differential;

namespace Reborn.Resp.Tests.Wire;

/// <summary>
/// The foundation's differential test over TCP against an in-process Reborn server and a real
/// redis-server, in RESP2 and (after HELLO 3 on both connections) RESP3. Same generators and
/// seeds as the in-process run; memory engine only, since the in-process run covers every engine.
/// A failure prints the seed; set REBORN_DIFF_SEED to replay it.
/// </summary>
[TestFixture(2)]
[TestFixture(3)]
[NonParallelizable]
public sealed partial class WireDifferentialTests(int protocol)
{
    public const int CommandsPerType = DifferentialTests.CommandsPerType;
    private WireDifferentialHarness _harness = null!;

    [OneTimeSetUp]
    public async Task Start() => _harness = await WireDifferentialHarness.StartAsync(protocol);

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_harness is not null) await _harness.DisposeAsync();
    }

    private async Task Run(ICommandGenerator generator, int seed)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("REBORN_DIFF_SEED"), out int replay)) seed = replay;
        TestContext.Out.WriteLine($"{generator.GetType().Name} seed {seed}, {CommandsPerType} commands over the wire in RESP{protocol}");
        int sent = await _harness.RunAsync(generator, seed, CommandsPerType);
        Assert.That(sent, Is.EqualTo(CommandsPerType));
    }

    [Test] public Task Strings() => Run(new StringCommandGenerator(), 1001);
    [Test] public Task Keys() => Run(new KeyCommandGenerator(), 1002);
    [Test] public Task Hashes() => Run(new HashCommandGenerator(), 4004);
    [Test] public Task Lists() => Run(new ListCommandGenerator(), 4242);
    [Test] public Task Sets() => Run(new SetCommandGenerator(), 4004);
}
