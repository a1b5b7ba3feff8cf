using Reborn.Storage;

namespace Reborn.Resp.Tests.Differential;

/// <summary>
/// Seeded random command sequences sent to a real redis-server and to Reborn, every reply compared.
/// A failure prints the seed; set REBORN_DIFF_SEED to replay it.
/// </summary>
[TestFixture(EngineKind.Memory)]
[TestFixture(EngineKind.RocksDb)]
[TestFixture(EngineKind.Faster)]
[NonParallelizable]
public sealed partial class DifferentialTests(EngineKind engine)
{
    public const int CommandsPerType = 10_000;
    private DifferentialHarness _harness = null!;

    [OneTimeSetUp]
    public async Task Start() => _harness = await DifferentialHarness.StartAsync(engine);

    [OneTimeTearDown]
    public async Task Stop() => await _harness.DisposeAsync();

    private static int Seed(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("REBORN_DIFF_SEED"), out int seed) ? seed : fallback;

    private async Task Run(ICommandGenerator generator, int seed)
    {
        seed = Seed(seed);
        TestContext.Out.WriteLine($"{generator.GetType().Name} seed {seed}, {CommandsPerType} commands on {engine}");
        int sent = await _harness.RunAsync(generator, seed, CommandsPerType);
        Assert.That(sent, Is.EqualTo(CommandsPerType));
    }

    [Test] public Task Strings() => Run(new StringCommandGenerator(), 1001);
    [Test] public Task Keys() => Run(new KeyCommandGenerator(), 1002);
}
