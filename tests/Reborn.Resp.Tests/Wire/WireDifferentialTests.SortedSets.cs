using Reborn.Resp.Tests.Differential;

namespace Reborn.Resp.Tests.Wire;

public sealed partial class WireDifferentialTests
{
    [Test] public Task SortedSets() => Run(new SortedSetCommandGenerator(), 5005);
}
