using System.Text;
using NUnit.Framework;

namespace Reborn.Storage.Tests;

/// <summary>
/// The conformance suite every engine passes. One fixture, run once per engine kind; each test
/// gets a fresh temporary directory that is deleted afterwards. The suite is split by topic into
/// partial files. No test depends on timing or sleeps.
/// </summary>
[TestFixture(EngineKind.RocksDb)]
[TestFixture(EngineKind.Faster)]
[TestFixture(EngineKind.Memory)]
[Parallelizable(ParallelScope.None)]
public sealed partial class EngineConformanceTests(EngineKind kind)
{
    private readonly List<IDisposable> _opened = [];
    private string _root = "";

    private bool IsDurable => kind != EngineKind.Memory;

    /// <summary>The engine directory of the current test (inside the temporary root, not created yet).</summary>
    private string EnginePath => Path.Combine(_root, "db");

    [SetUp]
    public void CreateRoot()
    {
        _root = Path.Combine(Path.GetTempPath(), "reborn-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
    }

    [TearDown]
    public void DeleteRoot()
    {
        for (var i = _opened.Count - 1; i >= 0; i--)
            _opened[i].Dispose();
        _opened.Clear();
        Directory.Delete(_root, recursive: true);
    }

    private EngineOptions Options(Durability durability = Durability.Never, string? path = null, bool createIfMissing = true) => new()
    {
        Kind = kind,
        Path = kind == EngineKind.Memory ? null : path ?? EnginePath,
        Durability = durability,
        CreateIfMissing = createIfMissing,
        MemoryBudgetBytes = 64L << 20,
    };

    /// <summary>Opens an engine that the teardown disposes (disposing twice is allowed).</summary>
    private IStorageEngine Open(Durability durability = Durability.Never, string? path = null)
        => Track(StorageEngines.Open(Options(durability, path)));

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _opened.Add(disposable);
        return disposable;
    }

    private void RequireDurable()
    {
        if (!IsDurable)
            Assert.Ignore("The memory engine keeps nothing on disk");
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static string S(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private static string? S(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);

    private static void Put(IStorageEngine engine, string key, string value) => Put(engine, B(key), B(value));

    private static void Put(IStorageEngine engine, byte[] key, byte[] value)
    {
        using var batch = engine.CreateBatch();
        batch.Put(key, value);
        engine.Write(batch);
    }

    private static void Delete(IStorageEngine engine, string key)
    {
        using var batch = engine.CreateBatch();
        batch.Delete(B(key));
        engine.Write(batch);
    }

    private static void DeleteRange(IStorageEngine engine, string start, string end)
    {
        using var batch = engine.CreateBatch();
        batch.DeleteRange(B(start), B(end));
        engine.Write(batch);
    }

    /// <summary>Every key and value of the reader in [lower, upper), forward.</summary>
    private static List<(string Key, string Value)> Scan(IStorageReader reader, string lower = "", string upper = "")
    {
        var result = new List<(string, string)>();
        using var iterator = reader.CreateIterator(B(lower), B(upper));
        for (iterator.SeekToFirst(); iterator.Valid; iterator.Next())
            result.Add((S(iterator.Key), S(iterator.Value)));
        return result;
    }

    /// <summary>Every key of the reader in [lower, upper), backward.</summary>
    private static List<string> ScanBackward(IStorageReader reader, string lower = "", string upper = "")
    {
        var result = new List<string>();
        using var iterator = reader.CreateIterator(B(lower), B(upper));
        for (iterator.SeekToLast(); iterator.Valid; iterator.Prev())
            result.Add(S(iterator.Key));
        return result;
    }

    private static string K(int i) => $"key:{i:D6}";

    private static void WriteKeys(IStorageEngine engine, int count, string valuePrefix = "v", int batchSize = 500)
    {
        using var batch = engine.CreateBatch();
        for (var i = 0; i < count; i++)
        {
            batch.Put(B(K(i)), B(valuePrefix + i));
            if (batch.Count == batchSize)
            {
                engine.Write(batch);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
            engine.Write(batch);
    }
}
