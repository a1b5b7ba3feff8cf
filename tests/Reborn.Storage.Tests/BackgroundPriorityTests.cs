using NUnit.Framework;

namespace Reborn.Storage.Tests;

/// <summary>
/// RocksDB's flush and compaction threads run at SCHED_IDLE once an engine is open (Linux), so a
/// migration's seconds of flushes and compactions never keep a command's thread from a core.
/// </summary>
public sealed class BackgroundPriorityTests
{
    private const int SchedIdle = 5;

    [Test]
    public void RocksDbBackgroundThreadsRunAtIdlePriority()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("Thread policies are set on Linux only.");
        var path = Path.Combine(Path.GetTempPath(), "reborn-priority-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (StorageEngines.Open(new EngineOptions { Kind = EngineKind.RocksDb, Path = path, CreateIfMissing = true, MemoryBudgetBytes = 64L << 20 }))
            {
                var policies = new List<(string Name, int Policy)>();
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
                    // Fields after the parenthesised name: the policy is field 41 of stat, the 39th after ") ".
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    policies.Add((name, int.Parse(fields[38], System.Globalization.CultureInfo.InvariantCulture)));
                }
                Assert.That(policies, Is.Not.Empty, "no rocksdb: thread found");
                Assert.That(policies.Select(p => p.Policy), Is.All.EqualTo(SchedIdle), string.Join(", ", policies));
            }
        }
        finally
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
    }
}
