using System.Text;
using BenchmarkDotNet.Attributes;
using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Storage;

namespace Reborn.Benchmarks.Embedded;

/// <summary>
/// GET, SET and INCR through the embedded API, each beside the raw engine's own point read or
/// one-op batch write on the same 100,000 keys of 100-byte values (the Baseline of its category,
/// so Ratio is embedded / raw). Keys are precomputed: key encoding is not measured.
///
/// Run: dotnet run -c Release --project benchmarks/Reborn.Benchmarks -- --filter '*Embedded*'
/// (or '*EmbeddedString*' for this class only). Each engine runs with its default durability,
/// EverySecond; the data lives under Path.GetTempPath() and is deleted in GlobalCleanup.
/// </summary>
[Config(typeof(EmbeddedBenchmarkConfig))]
public class EmbeddedStringBenchmarks
{
    private const int CounterCount = 1000;

    private EmbeddedStore _store = null!;
    private KeyValueDatabase _db = null!;
    private RebornValue _value;
    private RebornKey[] _counters = [];
    private int _nextCounter;

    [ParamsSource(typeof(EmbeddedStore), nameof(EmbeddedStore.Engines))]
    public EngineKind Engine { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = EmbeddedStore.Open(Engine);
        _db = _store.Database;
        _value = _store.Value;
        _counters = new RebornKey[CounterCount];
        for (int i = 0; i < CounterCount; i++)
        {
            _counters[i] = Encoding.ASCII.GetBytes("counter:" + i.ToString("D4"));
            _db.StringSetAsync(_counters[i], "0").AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [Benchmark(Baseline = true, Description = "raw TryRead")]
    [BenchmarkCategory("GET")]
    public int RawGet() => _store.RawRead(_store.NextIndex());

    [Benchmark(Description = "raw Get (copy)")]
    [BenchmarkCategory("GET")]
    public byte[]? RawGetCopy() => _store.Raw.Get(_store.RawKeys[_store.NextIndex()]);

    [Benchmark(Description = "GET")]
    [BenchmarkCategory("GET")]
    public ValueTask<RebornValue> StringGet() => _db.StringGetAsync(_store.Keys[_store.NextIndex()]);

    [Benchmark(Baseline = true, Description = "raw Write (1-op batch)")]
    [BenchmarkCategory("SET")]
    public void RawPut() => _store.RawWrite(_store.NextIndex());

    [Benchmark(Description = "SET")]
    [BenchmarkCategory("SET")]
    public ValueTask<StringSetResult> StringSet() => _db.StringSetAsync(_store.Keys[_store.NextIndex()], _value);

    [Benchmark(Description = "INCR")]
    [BenchmarkCategory("SET")]
    public ValueTask<long> Incr()
    {
        int i = _nextCounter;
        _nextCounter = i + 1 == CounterCount ? 0 : i + 1;
        return _db.StringIncrementAsync(_counters[i]);
    }
}
