using NUnit.Framework;

namespace Reborn.Storage.Tests;

/// <summary>
/// RocksDB's flush and compaction threads run at nice 19 once an engine is open (Linux), so a
/// migration's seconds of flushes and compactions do not keep a command's thread from a core.
/// </summary>
public sealed class BackgroundPriorityTests
{

    [Test]
    public void RocksDbBackgroundThreadsRunAtNice19()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("Thread policies are set on Linux only.");
        var path = Path.Combine(Path.GetTempPath(), "reborn-priority-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (StorageEngines.Open(new EngineOptions { Kind = EngineKind.RocksDb, Path = path, CreateIfMissing = true, MemoryBudgetBytes = 64L << 20 }))
            {
                var nices = new List<(string Name, int Nice)>();
                foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
                {
                    string name, stat;
                    try
                    {
                        name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                        stat = File.ReadAllText(Path.Combine(task, "stat"));
                    }
                    catch (IOException) { continue; }
                    if (!name.StartsWith("rocksdb:", StringComparison.Ordinal)) continue;
                    // Fields after the parenthesised name: the nice value is field 19 of stat, the 17th after ") ".
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    nices.Add((name, int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture)));
                }
                Assert.That(nices, Is.Not.Empty, "no rocksdb: thread found");
                Assert.That(nices.Select(p => p.Nice), Is.All.EqualTo(19), string.Join(", ", nices));
            }
        }
        finally
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
    }
}
