using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Reborn.Benchmarks.Embedded;

/// <summary>
/// A short job for the embedded suites: one process per case, 2 warmup and 5 measured iterations of
/// about 100 ms each (BenchmarkDotNet sizes the invocation count in its pilot stage). Enough to see
/// a ratio against the raw engine; too short for sub-5% claims.
/// With REBORN_BENCH_INPROCESS=1 the cases run inside the host process on the binaries already built,
/// instead of BenchmarkDotNet rebuilding src/ per run: use it while src/ is being edited, and expect
/// a little more noise (cases share one GC heap and JIT state).
/// Every embedded suite also reports allocations and its categories, grouped by category, so each
/// category's Baseline is the ratio's denominator.
/// </summary>
internal sealed class EmbeddedBenchmarkConfig : ManualConfig
{
    public EmbeddedBenchmarkConfig()
    {
        var job = Job.Default
            .WithId("Short")
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithIterationTime(TimeInterval.FromMilliseconds(100));
        if (Environment.GetEnvironmentVariable("REBORN_BENCH_INPROCESS") == "1")
            job = job.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortInProcess");
        AddJob(job);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(CategoriesColumn.Default);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
    }
}
