using System.Reflection;
using NUnit.Framework;

namespace Reborn.Storage.Tests;

/// <summary>
/// The RocksDB iterator's direct calls resolve on Linux: a package bump that changes the library's
/// soname fails here instead of silently falling back to the slower bindings.
/// </summary>
public sealed class RocksDbDirectCallsTests
{
    [Test]
    public void DirectIteratorCallsResolveOnLinux()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("The direct calls are resolved on Linux only.");
        var calls = typeof(IStorageEngine).Assembly.GetType("Reborn.Storage.Engines.RocksDbDirectCalls", throwOnError: true)!;
        var available = calls.GetField("Available", BindingFlags.Public | BindingFlags.Static)!;
        Assert.That((bool)available.GetValue(null)!, Is.True, "librocksdb was not found by its soname; update RocksDbDirectCalls.LinuxSoname");
    }
}
