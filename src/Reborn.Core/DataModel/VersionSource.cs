namespace Reborn.Core.DataModel;

/// <summary>
/// Collection versions, unique across every group of a process (seeded from the clock at start,
/// then incremented), so records can move between groups verbatim without colliding with a dead
/// version still waiting for the garbage sweep.
/// </summary>
internal sealed class VersionSource
{
    private ulong _last = (ulong)DateTime.UtcNow.Ticks;

    public ulong Next() => Interlocked.Increment(ref _last);
}
