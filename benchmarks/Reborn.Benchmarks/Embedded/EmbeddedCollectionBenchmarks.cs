using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Storage;

namespace Reborn.Benchmarks.Embedded;

/// <summary>
/// Hash, list, set and sorted-set commands through the embedded API, beside the raw engine's point
/// read and one-op batch write on 100,000 keys of 100-byte values (the Baseline of each category, so
/// Ratio is embedded / raw). Keys, fields and values are precomputed: encoding them is not measured.
/// What each case does:
///   HSET  overwrites one field of 1,000 hashes x 100 fields (100-byte values); HGET reads it back.
///   LPUSH pushes a 100-byte value onto one of 1,000 lists (they grow during the run).
///   LPUSH+LPOP pushes then pops on one of 1,000 lists, so lists keep their size; LPOP ~ the pair
///         minus LPUSH (a lone LPOP would empty the lists part way through the pilot stage).
///   SADD / ZADD add a new 8-byte member (a counter written into one reused buffer, which the API
///         copies) to one of 1,000 sets / sorted sets.
///   ZRANGE 0 9 of one 1,000-member sorted set.
///
/// Run: dotnet run -c Release --project benchmarks/Reborn.Benchmarks -- --filter '*Embedded*'
/// (or '*EmbeddedCollection*' for this class only). Each engine runs with its default durability,
/// EverySecond; the data lives under Path.GetTempPath() and is deleted in GlobalCleanup.
/// </summary>
[Config(typeof(EmbeddedBenchmarkConfig))]
public class EmbeddedCollectionBenchmarks
{
    private const int CollectionCount = 1000;
    private const int FieldsPerHash = 100;
    private const int PreloadPerCollection = 10;
    private const int RangeSetSize = 1000;

    private EmbeddedStore _store = null!;
    private KeyValueDatabase _db = null!;
    private RebornKey[] _hashes = [], _lists = [], _sets = [], _sortedSets = [];
    private RebornValue[] _fields = [];
    private RebornValue _value;
    private RebornValue[] _valueArgs = [];
    private readonly byte[] _member = new byte[8];
    private RebornValue[] _memberArgs = [];
    private RebornKey _rangeKey;
    private int _nextField, _nextCollection;
    private long _memberCounter;

    [ParamsSource(typeof(EmbeddedStore), nameof(EmbeddedStore.Engines))]
    public EngineKind Engine { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = EmbeddedStore.Open(Engine);
        _db = _store.Database;
        _value = _store.Value;
        _valueArgs = [_value];
        _memberArgs = [new RebornValue(_member)];
        _hashes = Names("hash:", CollectionCount);
        _lists = Names("list:", CollectionCount);
        _sets = Names("set:", CollectionCount);
        _sortedSets = Names("zset:", CollectionCount);
        _fields = Array.ConvertAll(Names("field:", FieldsPerHash), f => new RebornValue(f.Bytes));
        _rangeKey = Encoding.ASCII.GetBytes("zrange");

        var entries = Array.ConvertAll(_fields, f => new HashEntry(f, _value));
        var tenValues = Enumerable.Repeat(_value, PreloadPerCollection).ToArray();
        for (int c = 0; c < CollectionCount; c++)
        {
            Wait(_db.HashSetAsync(_hashes[c], entries));
            Wait(_db.ListLeftPushAsync(_lists[c], tenValues));
            for (int m = 0; m < PreloadPerCollection; m++)
            {
                Wait(_db.SetAddAsync(_sets[c], NextMember()));
                Wait(_db.SortedSetAddAsync(_sortedSets[c], _memberArgs[0], _memberCounter));
            }
        }
        var range = new SortedSetEntry[RangeSetSize];
        for (int i = 0; i < RangeSetSize; i++) range[i] = new(Encoding.ASCII.GetBytes("member:" + i.ToString("D4")), i);
        Wait(_db.SortedSetAddAsync(_rangeKey, range));
    }

    [GlobalCleanup]
    public void Cleanup() => _store.Dispose();

    private static RebornKey[] Names(string prefix, int count)
    {
        var names = new RebornKey[count];
        for (int i = 0; i < count; i++) names[i] = Encoding.ASCII.GetBytes(prefix + i.ToString("D4"));
        return names;
    }

    private static void Wait<T>(ValueTask<T> task) => task.AsTask().GetAwaiter().GetResult();

    /// <summary>Writes the next unique member into the reused buffer and returns the one-element argument array.</summary>
    private RebornValue[] NextMember()
    {
        BinaryPrimitives.WriteInt64BigEndian(_member, ++_memberCounter);
        return _memberArgs;
    }

    private RebornKey NextCollection(RebornKey[] keys)
    {
        int i = _nextCollection;
        _nextCollection = i + 1 == CollectionCount ? 0 : i + 1;
        return keys[i];
    }

    /// <summary>Round robin over every (hash, field) pair, visiting all hashes before the next field.</summary>
    private (RebornKey Key, RebornValue Field) NextHashField()
    {
        int i = _nextField;
        _nextField = i + 1 == CollectionCount * FieldsPerHash ? 0 : i + 1;
        return (_hashes[i % CollectionCount], _fields[i / CollectionCount]);
    }

    [Benchmark(Baseline = true, Description = "raw TryRead")]
    [BenchmarkCategory("Read")]
    public int RawGet() => _store.RawRead(_store.NextIndex());

    [Benchmark(Description = "HGET")]
    [BenchmarkCategory("Read")]
    public ValueTask<RebornValue> HashGet()
    {
        var (key, field) = NextHashField();
        return _db.HashGetAsync(key, field);
    }

    [Benchmark(Description = "ZRANGE 0 9 (of 1,000)")]
    [BenchmarkCategory("Read")]
    public ValueTask<SortedSetEntry[]> SortedSetRange() => _db.SortedSetRangeByRankAsync(_rangeKey, 0, 9);

    [Benchmark(Baseline = true, Description = "raw Write (1-op batch)")]
    [BenchmarkCategory("Write")]
    public void RawPut() => _store.RawWrite(_store.NextIndex());

    [Benchmark(Description = "HSET (overwrite)")]
    [BenchmarkCategory("Write")]
    public ValueTask<bool> HashSet()
    {
        var (key, field) = NextHashField();
        return _db.HashSetAsync(key, field, _value);
    }

    [Benchmark(Description = "LPUSH")]
    [BenchmarkCategory("Write")]
    public ValueTask<long> ListLeftPush() => _db.ListLeftPushAsync(NextCollection(_lists), _valueArgs);

    [Benchmark(Description = "LPUSH+LPOP")]
    [BenchmarkCategory("Write")]
    public RebornValue ListLeftPushPop()
    {
        var key = NextCollection(_lists);
        _db.ListLeftPushAsync(key, _valueArgs).GetAwaiter().GetResult();
        return _db.ListLeftPopAsync(key).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "SADD (new member)")]
    [BenchmarkCategory("Write")]
    public ValueTask<long> SetAdd() => _db.SetAddAsync(NextCollection(_sets), NextMember());

    [Benchmark(Description = "ZADD (new member)")]
    [BenchmarkCategory("Write")]
    public ValueTask<bool> SortedSetAdd()
    {
        var key = NextCollection(_sortedSets);
        var member = NextMember();
        return _db.SortedSetAddAsync(key, member[0], _memberCounter);
    }
}
