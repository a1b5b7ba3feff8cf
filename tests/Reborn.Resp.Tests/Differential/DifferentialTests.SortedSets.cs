namespace Reborn.Resp.Tests.Differential;

public sealed partial class DifferentialTests
{
    [Test] public Task SortedSets() => Run(new SortedSetCommandGenerator(), 5005);
}
