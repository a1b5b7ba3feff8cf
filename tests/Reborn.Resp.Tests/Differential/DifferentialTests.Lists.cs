namespace Reborn.Resp.Tests.Differential;

public sealed partial class DifferentialTests
{
    [Test] public Task Lists() => Run(new ListCommandGenerator(), 4242);
}
