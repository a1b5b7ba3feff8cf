using Reborn.Storage;

namespace Reborn.Core.Cluster;

/// <summary>How to open a cluster. The defaults give RocksDB in ./data with all slots in one group.</summary>
public sealed record RebornClusterOptions
{
    /// <summary>The data directory; each local group keeps its engine in a folder below it.</summary>
    public string DataDirectory { get; init; } = "data";

    public EngineKind Engine { get; init; } = EngineKind.RocksDb;
    public Durability Durability { get; init; } = Durability.EverySecond;

    /// <summary>Memory for hot data per group (block cache or FASTER's in-memory log), bytes.</summary>
    public long MemoryBudgetBytes { get; init; } = 256L << 20;

    /// <summary>The clock for expiry. Tests pass a controllable one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Run the expiry and garbage sweeps in the background. Tests may turn them off and call the sweeps directly.</summary>
    public bool BackgroundSweeps { get; init; } = true;

    /// <summary>How often the sweeps run (Redis's hz 10 is every 100 ms).</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>CPU budget of one active-expiry step (Redis allows about 25% of a 100 ms tick).</summary>
    public TimeSpan ExpiryBudget { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Dead collection versions the garbage sweep removes per step.</summary>
    public int GarbageVersionsPerSweep { get; init; } = 64;

    /// <summary>Where migration and recovery say what they did. Null: nowhere.</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }

    public void Validate()
    {
        if (Engine != EngineKind.Memory && string.IsNullOrWhiteSpace(DataDirectory))
            throw new ArgumentException("Reborn: DataDirectory must name a directory for a durable engine.", nameof(DataDirectory));
        if (SweepInterval <= TimeSpan.Zero) throw new ArgumentException("Reborn: SweepInterval must be positive.", nameof(SweepInterval));
        if (ExpiryBudget <= TimeSpan.Zero) throw new ArgumentException("Reborn: ExpiryBudget must be positive.", nameof(ExpiryBudget));
        if (GarbageVersionsPerSweep <= 0) throw new ArgumentException("Reborn: GarbageVersionsPerSweep must be positive.", nameof(GarbageVersionsPerSweep));
    }
}
