namespace Reborn.Resp.Tests.Differential;

/// <summary>How two replies to the same command are compared.</summary>
public enum CompareMode
{
    /// <summary>Byte for byte.</summary>
    Exact,
    /// <summary>The same elements in any order (arrays compared as multisets, recursively one level).</summary>
    Unordered,
    /// <summary>Integers within a few units or ms (TTL, PTTL): clocks on both sides move.</summary>
    Clock,
    /// <summary>Same reply type and, for arrays, the same length (random picks).</summary>
    Shape,
}

/// <summary>One generated command and how its replies compare.</summary>
public readonly record struct GeneratedCommand(byte[][] Args, CompareMode Mode = CompareMode.Exact)
{
    public override string ToString() => string.Join(' ', Args.Select(a => System.Text.Encoding.UTF8.GetString(a)));
}

/// <summary>Produces seeded, reproducible random commands for one data type.</summary>
public interface ICommandGenerator
{
    GeneratedCommand Next(Random random);
}
