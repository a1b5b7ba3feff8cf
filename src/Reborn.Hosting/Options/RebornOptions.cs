using Reborn.Core.Cluster;
using Reborn.Storage;

namespace Reborn.Hosting.Options;

/// <summary>
/// The configuration section "Reborn": how to open the cluster. A mutable mirror of
/// <see cref="RebornClusterOptions"/> (an init-only record) so that configuration binding and
/// <c>AddReborn(o =&gt; ...)</c> can set it; the defaults are the record's.
/// The RESP endpoint's settings live below it, in "Reborn:Server" (<see cref="Reborn.Resp.Server.RespServerOptions"/>).
/// </summary>
public sealed class RebornOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Reborn";

    /// <summary>The section of the RESP endpoint's options.</summary>
    public const string ServerSectionName = "Reborn:Server";

    private static readonly RebornClusterOptions Defaults = new();

    /// <summary>Reborn:DataDirectory — each local group keeps its engine in a folder below it.</summary>
    public string DataDirectory { get; set; } = Defaults.DataDirectory;

    /// <summary>Reborn:Engine — RocksDb, Faster or Memory.</summary>
    public EngineKind Engine { get; set; } = Defaults.Engine;

    /// <summary>Reborn:Durability — Always, EverySecond or Never.</summary>
    public Durability Durability { get; set; } = Defaults.Durability;

    /// <summary>Reborn:MemoryBudgetBytes — memory for hot data per group.</summary>
    public long MemoryBudgetBytes { get; set; } = Defaults.MemoryBudgetBytes;

    /// <summary>Reborn:BackgroundSweeps — run the expiry and garbage sweeps in the background.</summary>
    public bool BackgroundSweeps { get; set; } = Defaults.BackgroundSweeps;

    /// <summary>Reborn:SweepInterval — how often the sweeps run.</summary>
    public TimeSpan SweepInterval { get; set; } = Defaults.SweepInterval;

    /// <summary>Reborn:ExpiryBudget — CPU budget of one active-expiry step.</summary>
    public TimeSpan ExpiryBudget { get; set; } = Defaults.ExpiryBudget;

    /// <summary>Reborn:GarbageVersionsPerSweep — dead collection versions removed per sweep step.</summary>
    public int GarbageVersionsPerSweep { get; set; } = Defaults.GarbageVersionsPerSweep;

    /// <summary>The options the cluster opens with.</summary>
    public RebornClusterOptions ToClusterOptions(TimeProvider? time = null) => new()
    {
        DataDirectory = DataDirectory,
        Engine = Engine,
        Durability = Durability,
        MemoryBudgetBytes = MemoryBudgetBytes,
        BackgroundSweeps = BackgroundSweeps,
        SweepInterval = SweepInterval,
        ExpiryBudget = ExpiryBudget,
        GarbageVersionsPerSweep = GarbageVersionsPerSweep,
        Time = time ?? TimeProvider.System,
    };
}
