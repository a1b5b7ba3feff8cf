namespace Reborn.Resp.Tests.Differential;

public sealed partial class DifferentialTests
{
    [Test] public Task Lists() => Run(new ListCommandGenerator(), 4242);

    /// <summary>Two keys and pushes of up to 40 elements: lists span several storage chunks.</summary>
    [Test] public Task LongLists() => Run(new ListCommandGenerator(keys: 2, pushWidth: 40), 4343);
}
