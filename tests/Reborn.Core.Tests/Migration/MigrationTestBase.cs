using NUnit.Framework;

namespace Reborn.Core.Tests.Migration;

/// <summary>A fresh data directory per test for the clusters a migration test opens, removed after it.</summary>
public abstract class MigrationTestBase
{
    protected string DataDirectory { get; private set; } = null!;

    [SetUp]
    public void CreateDataDirectory() =>
        DataDirectory = Path.Combine(Path.GetTempPath(), $"reborn-{GetType().Name.ToLowerInvariant()}-{Guid.NewGuid():N}");

    [TearDown]
    public void RemoveDataDirectory()
    {
        if (Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }
}
