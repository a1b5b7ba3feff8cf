namespace Reborn.Resp.Tests.Differential;

public sealed partial class DifferentialTests
{
    [Test] public Task Sets() => Run(new SetCommandGenerator(), 4004);
}
