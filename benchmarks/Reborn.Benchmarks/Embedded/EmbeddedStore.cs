using System.Buffers.Binary;
using System.Text;
using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Storage;

namespace Reborn.Benchmarks.Embedded;

/// <summary>
/// An embedded cluster and a raw engine of the same kind and options, side by side in one temporary
/// directory, both holding the same <see cref="KeyCount"/> keys with 100-byte values. The raw engine
/// is the baseline: what a point read or a one-op batch costs with no data model above it.
/// Raw keys are shaped like metadata keys (slot, database, kind, user key); the slot is the key's
/// index mod 1024, not the real hash slot, which only changes where a key sorts.
/// </summary>
internal sealed class EmbeddedStore : IDisposable
{
    public const int KeyCount = 100_000;
    public const int ValueLength = 100;

    private static readonly ValueReader<int, int> ReadLength = static (value, _) => value.Length;

    private readonly string? _directory;
    private readonly IWriteBatch _rawBatch;
    private int _next;

    private EmbeddedStore(string? directory, IKeyValueCluster cluster, IStorageEngine raw)
    {
        _directory = directory;
        Cluster = cluster;
        Database = cluster.GetDatabase(0);
        Raw = raw;
        _rawBatch = raw.CreateBatch();
        Value = Encoding.ASCII.GetBytes(new string('v', ValueLength));
        Keys = new RebornKey[KeyCount];
        RawKeys = new byte[KeyCount][];
        for (int i = 0; i < KeyCount; i++)
        {
            var user = Encoding.ASCII.GetBytes("key:" + i.ToString("D6"));
            Keys[i] = user;
            var rawKey = new byte[4 + user.Length];
            BinaryPrimitives.WriteUInt16BigEndian(rawKey, (ushort)(i % 1024));
            rawKey[3] = 0x01;
            user.CopyTo(rawKey, 4);
            RawKeys[i] = rawKey;
        }
    }

    /// <summary>
    /// The engines to run: all three, or the comma-separated list in REBORN_BENCH_ENGINES
    /// (for example "RocksDb,Memory").
    /// </summary>
    public static IEnumerable<EngineKind> Engines =>
        Environment.GetEnvironmentVariable("REBORN_BENCH_ENGINES") is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.TrimEntries).Select(Enum.Parse<EngineKind>)
            : [EngineKind.RocksDb, EngineKind.Faster, EngineKind.Memory];

    public IKeyValueCluster Cluster { get; }
    public KeyValueDatabase Database { get; }
    public IStorageEngine Raw { get; }
    public byte[] Value { get; }
    public RebornKey[] Keys { get; }
    public byte[][] RawKeys { get; }

    /// <summary>Opens both stores (default durability, EverySecond) and loads the keys into each.</summary>
    public static EmbeddedStore Open(EngineKind kind)
    {
        string? directory = kind == EngineKind.Memory
            ? null
            : Path.Combine(Path.GetTempPath(), "reborn-bench-" + Guid.NewGuid().ToString("N"));
        var cluster = RebornCluster.OpenAsync(new RebornClusterOptions
        {
            Engine = kind,
            DataDirectory = directory is null ? "unused" : Path.Combine(directory, "embedded"),
        }).AsTask().GetAwaiter().GetResult();
        var raw = StorageEngines.Open(new EngineOptions
        {
            Kind = kind,
            Path = directory is null ? null : Path.Combine(directory, "raw"),
        });
        var store = new EmbeddedStore(directory, cluster, raw);
        store.Load();
        return store;
    }

    private void Load()
    {
        const int chunk = 1000;
        using var batch = Raw.CreateBatch();
        var pairs = new KeyValuePair<RebornKey, RebornValue>[chunk];
        for (int start = 0; start < KeyCount; start += chunk)
        {
            batch.Clear();
            for (int i = 0; i < chunk; i++)
            {
                batch.Put(RawKeys[start + i], Value);
                pairs[i] = new(Keys[start + i], Value);
            }
            Raw.Write(batch);
            Database.StringSetAsync(pairs).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The next key index, round robin over all keys.</summary>
    public int NextIndex()
    {
        int i = _next;
        _next = i + 1 == KeyCount ? 0 : i + 1;
        return i;
    }

    /// <summary>A raw point read that sees the stored bytes in place (no copy): the floor for GET.</summary>
    public int RawRead(int index) => Raw.TryRead(RawKeys[index], 0, ReadLength, out int length) ? length : -1;

    /// <summary>A raw one-op batch write of a 100-byte value: the floor for SET.</summary>
    public void RawWrite(int index)
    {
        _rawBatch.Clear();
        _rawBatch.Put(RawKeys[index], Value);
        Raw.Write(_rawBatch);
    }

    public void Dispose()
    {
        _rawBatch.Dispose();
        Cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Raw.Dispose();
        if (_directory is not null && Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
