using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Resp.Commands;
using Reborn.Resp.Protocol;
using Reborn.Storage;

namespace Reborn.Benchmarks.Embedded;

/// <summary>
/// Range reads as the server runs them: LRANGE 0 99 of a 100,000-element list of 3-byte values
/// (redis-benchmark's lrange_100 shape) and HGETALL of a 100-field hash, each written as a RESP2
/// reply into a reused buffer. "via array" is the path before replies streamed (the .NET API's
/// array, then one bulk string per element); "streamed" goes through the reply sink, each value
/// copied once from the engine's buffer into the output. The Baseline of each category is the
/// array API alone (no reply), so Ratio shows what writing the reply adds, or saves.
///
/// Run: dotnet run -c Release --project benchmarks/Reborn.Benchmarks -- --filter '*EmbeddedRange*'
/// (REBORN_BENCH_ENGINES=RocksDb for the production engine only).
/// </summary>
[Config(typeof(EmbeddedBenchmarkConfig))]
public class EmbeddedRangeBenchmarks
{
    private const int ListLength = 100_000;
    private const int HashFields = 100;

    private EmbeddedStore _store = null!;
    private KeyValueDatabase _db = null!;
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private RespWriter _writer = null!;
    private CommandContext _context = null!;
    private readonly RebornKey _list = Encoding.ASCII.GetBytes("mylist");
    private readonly RebornKey _hash = Encoding.ASCII.GetBytes("myhash");

    [ParamsSource(typeof(EmbeddedStore), nameof(EmbeddedStore.Engines))]
    public EngineKind Engine { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = EmbeddedStore.Open(Engine);
        _db = _store.Database;
        _writer = new RespWriter(_output);
        _context = new CommandContext(_store.Cluster, _writer);
        RebornValue xxx = "xxx";
        var batch = Enumerable.Repeat(xxx, 1000).ToArray();
        for (int i = 0; i < ListLength / batch.Length; i++) _db.ListLeftPushAsync(_list, batch).AsTask().GetAwaiter().GetResult();
        var entries = new HashEntry[HashFields];
        for (int i = 0; i < HashFields; i++) entries[i] = new("field:" + i.ToString("D3"), _store.Value);
        _db.HashSetAsync(_hash, entries).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    [Benchmark(Baseline = true, Description = "LRANGE 0 99 array")]
    [BenchmarkCategory("LRANGE")]
    public int ListRangeArray() => _db.ListRangeAsync(_list, 0, 99).Result.Length;

    [Benchmark(Description = "LRANGE 0 99 reply via array")]
    [BenchmarkCategory("LRANGE")]
    public int ListRangeReplyViaArray()
    {
        _output.ResetWrittenCount();
        var values = _db.ListRangeAsync(_list, 0, 99).Result;
        _writer.ArrayHeader(values.Length);
        foreach (var value in values) _writer.BulkString(value.Span);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "LRANGE 0 99 reply streamed")]
    [BenchmarkCategory("LRANGE")]
    public int ListRangeReplyStreamed()
    {
        _output.ResetWrittenCount();
        _db.ListRangeAsync(_list, 0, 99, _context.Aggregate(AggregateKind.Array)).GetAwaiter().GetResult();
        return _output.WrittenCount;
    }

    [Benchmark(Baseline = true, Description = "HGETALL 100 array")]
    [BenchmarkCategory("HGETALL")]
    public int HashGetAllArray() => _db.HashGetAllAsync(_hash).Result.Length;

    [Benchmark(Description = "HGETALL 100 reply via array")]
    [BenchmarkCategory("HGETALL")]
    public int HashGetAllReplyViaArray()
    {
        _output.ResetWrittenCount();
        var entries = _db.HashGetAllAsync(_hash).Result;
        _writer.MapHeader(entries.Length);
        foreach (var entry in entries)
        {
            _writer.BulkString(entry.Name.Span);
            _writer.BulkString(entry.Value.Span);
        }
        return _output.WrittenCount;
    }

    [Benchmark(Description = "HGETALL 100 reply streamed")]
    [BenchmarkCategory("HGETALL")]
    public int HashGetAllReplyStreamed()
    {
        _output.ResetWrittenCount();
        _db.HashGetAllAsync(_hash, _context.Aggregate(AggregateKind.Map)).GetAwaiter().GetResult();
        return _output.WrittenCount;
    }
}
