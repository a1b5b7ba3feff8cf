using System.Diagnostics;

namespace Reborn.Benchmarks.Migration;

/// <summary>
/// Latencies of one kind of operation, recorded by one thread into a preallocated array (no
/// allocation or locking while measuring), merged and sorted once at the end for percentiles.
/// </summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly long[] _ticks = new long[capacity];

    public int Count { get; private set; }

    /// <summary>Records a latency in Stopwatch ticks; beyond the capacity only the maximum is kept.</summary>
    public void Record(long ticks)
    {
        if (Count < _ticks.Length) _ticks[Count++] = ticks;
        else if (ticks > _ticks[^1]) _ticks[^1] = ticks;
    }

    public static LatencySummary Summarise(IEnumerable<LatencyRecorder> recorders)
    {
        var all = recorders.SelectMany(r => r._ticks.Take(r.Count)).ToArray();
        if (all.Length == 0) return new LatencySummary(0, 0, 0, 0);
        Array.Sort(all);
        return new LatencySummary(all.Length, Ms(Percentile(all, 0.50)), Ms(Percentile(all, 0.99)), Ms(all[^1]));
    }

    private static long Percentile(long[] sorted, double p) => sorted[(int)Math.Round(p * (sorted.Length - 1))];

    public static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>Percentiles of a set of latencies, in milliseconds.</summary>
internal readonly record struct LatencySummary(int Count, double P50Ms, double P99Ms, double MaxMs);
