using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Storage;

namespace Reborn.Core.Tests;

/// <summary>
/// A fresh cluster on one engine per test, in its own temporary directory, closed and deleted
/// afterwards. Fixtures derive from it with [TestFixture(EngineKind.X)] rows.
/// </summary>
public abstract class EngineTestBase(EngineKind engine)
{
    protected EngineKind Engine { get; } = engine;
    protected string DataDirectory { get; private set; } = null!;
    protected IKeyValueCluster Cluster { get; private set; } = null!;
    protected KeyValueDatabase Db { get; private set; } = null!;

    /// <summary>The clock the cluster uses; override to control expiry.</summary>
    protected virtual TimeProvider Time => TimeProvider.System;

    [SetUp]
    public async Task OpenFreshCluster()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), $"reborn-{GetType().Name.ToLowerInvariant()}-{Guid.NewGuid():N}");
        await OpenClusterAsync();
    }

    /// <summary>Opens the cluster on <see cref="DataDirectory"/> (again, after a close, to test reopening).</summary>
    protected async Task OpenClusterAsync()
    {
        Cluster = await RebornCluster.OpenAsync(new RebornClusterOptions
        {
            Engine = Engine,
            DataDirectory = DataDirectory,
            Durability = Durability.Never,
            BackgroundSweeps = false,
            Time = Time,
        });
        Db = Cluster.GetDatabase(0);
    }

    /// <summary>Records of one kind (element, score ...) in every group's engine, live or garbage.</summary>
    protected long RecordsOfKind(byte kind)
    {
        long count = 0;
        foreach (var keyspace in ((RebornCluster)Cluster).AllKeyspaces)
        {
            using var it = keyspace.Engine.CreateIterator([], [KeyEncoding.SystemPrefix, KeyEncoding.SystemPrefix]);
            for (it.SeekToFirst(); it.Valid; it.Next())
                if (it.Key[KeyEncoding.PrefixLength - 1] == kind) count++;
        }
        return count;
    }

    /// <summary>Element records in every group's engine, live or garbage.</summary>
    protected long ElementRecords() => RecordsOfKind(KeyEncoding.KindElement);

    [TearDown]
    public async Task CloseCluster()
    {
        await Cluster.DisposeAsync();
        if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }
}
