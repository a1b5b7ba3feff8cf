using Reborn.Core.DataModel;

namespace Reborn.Core.Cluster;

/// <summary>
/// The typed Redis operations of one numbered database. Every method has Redis 7.0's semantics and
/// throws <see cref="RebornException"/> with Redis's error text. Operations return ValueTask: a call
/// served in process completes synchronously and allocates nothing for the task. The command
/// families are partial files: KeyValueDatabase.Strings.cs, .Keys.cs, .Hashes.cs, ...
/// </summary>
public sealed partial class KeyValueDatabase
{
    private readonly RebornCluster _cluster;

    internal KeyValueDatabase(RebornCluster cluster, int database)
    {
        _cluster = cluster;
        Database = database;
    }

    /// <summary>The database number (SELECT index).</summary>
    public int Database { get; }

    public IKeyValueCluster Cluster => _cluster;

    private Keyspace Route(RebornKey key) => _cluster.Route(Database, key.Span);

    private Keyspace RouteAll(byte[][] keys) => _cluster.RouteAll(Database, keys);

    private static byte[][] ToArrays(ReadOnlySpan<RebornKey> keys)
    {
        var arrays = new byte[keys.Length][];
        for (int i = 0; i < keys.Length; i++) arrays[i] = keys[i].Span.ToArray();
        return arrays;
    }

    private static RebornValue Value(byte[]? bytes) => bytes is null ? RebornValue.Null : new RebornValue(bytes);

    private static RebornValue[] Values(byte[]?[] bytes)
    {
        var values = new RebornValue[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) values[i] = Value(bytes[i]);
        return values;
    }
}
