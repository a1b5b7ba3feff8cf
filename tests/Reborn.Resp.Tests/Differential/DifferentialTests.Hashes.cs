namespace Reborn.Resp.Tests.Differential;

public sealed partial class DifferentialTests
{
    [Test] public Task Hashes() => Run(new HashCommandGenerator(), 4004);
}
