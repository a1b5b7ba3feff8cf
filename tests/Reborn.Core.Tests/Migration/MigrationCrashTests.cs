using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.Migration;
using Reborn.Storage;

namespace Reborn.Core.Tests.Migration;

/// <summary>
/// The crash test of issue 4: a child process (tests/Reborn.MigrationHost) migrates slot ranges
/// between three RocksDB groups under writes, synced on every write, and is killed with SIGKILL at
/// seeded points, alternately during a key-by-key move and a snapshot copy. After each kill the
/// cluster is reopened here: every acknowledged write is there, no key is in two groups, and the
/// interrupted migration was either resumed to completion (key by key) or rolled back (snapshot),
/// as recovery said in the log. The next child reopens the same directory.
/// </summary>
[TestFixture]
public sealed class MigrationCrashTests : MigrationTestBase
{
    private const int Iterations = 10;

    [Test]
    public async Task KilledMidMigrationRecoversEveryAcknowledgedWriteAndResumesOrRollsBack()
    {
        var random = new Random(20261126);
        var acked = new Dictionary<string, long>();
        int resumed = 0, rolledBack = 0;
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            string wanted = iteration % 2 == 0 ? "Key" : "Snapshot";
            int acksAfterStart = random.Next(0, 40);
            var run = await RunChildUntilKilledAsync(random.Next(), wanted, acksAfterStart);
            foreach (var (key, value) in run.Acks) acked[key] = Math.Max(acked.GetValueOrDefault(key), value);

            var log = new CapturingLogger();
            await using var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions
            {
                Engine = EngineKind.RocksDb, DataDirectory = DataDirectory, Durability = Durability.Always, Logger = log,
            });
            await cluster.MigrationCompletion; // a resumed key-by-key move
            string said = string.Join(Environment.NewLine, log.Messages);
            var (mode, first, last, target) = run.InFlight ?? throw new AssertionException("no migration was in flight at the kill");
            if (log.Said("resuming the key-by-key migration"))
            {
                resumed++;
                Assert.That(cluster.MigrationStatus.State, Is.EqualTo(MigrationState.Completed), said);
                if (mode == "Key")
                    for (int s = first; s <= last; s++) Assert.That(cluster.Topology[s].Group, Is.EqualTo(target), $"slot {s} after resuming\n{said}");
            }
            if (log.Said("rolled back the interrupted snapshot migration"))
            {
                rolledBack++;
                Assert.That(mode, Is.EqualTo("Snapshot"), said);
                Assert.That(Enumerable.Range(first, last - first + 1).Any(s => cluster.Topology[s].Group != target), Is.True,
                    $"a rolled-back range is (at least partly) on its source\n{said}");
            }
            MigrationInvariants.AssertAllStable(cluster);
            MigrationInvariants.AssertEachKeyInOneGroup(cluster);
            await AssertAcknowledgedAsync(cluster.GetDatabase(0), acked);
            TestContext.Out.WriteLine($"iteration {iteration}: killed during {mode} {first}-{last} to {target} after {run.Acks.Count} acks; " +
                                      $"recovery: {(log.Said("resuming") ? "resumed" : log.Said("rolled back") ? "rolled back" : "nothing to do")}");
        }
        Assert.That(resumed, Is.GreaterThan(0), "no kill interrupted a key-by-key move");
        Assert.That(rolledBack, Is.GreaterThan(0), "no kill interrupted a snapshot copy");
    }

    private static async Task AssertAcknowledgedAsync(KeyValueDatabase db, Dictionary<string, long> acked)
    {
        var lost = new List<string>();
        foreach (var (key, value) in acked)
        {
            long got;
            if (key.StartsWith("c:", StringComparison.Ordinal)) got = long.Parse((string?)await db.StringGetAsync(key) ?? "0", CultureInfo.InvariantCulture);
            else if (key.StartsWith("l:", StringComparison.Ordinal)) got = await db.ListLengthAsync(key);
            else
            {
                int slash = key.LastIndexOf('/');
                got = long.Parse((string?)await db.HashGetAsync(key[..slash], key[(slash + 1)..]) ?? "0", CultureInfo.InvariantCulture);
            }
            if (got < value) lost.Add($"{key}: {got} < acknowledged {value}");
        }
        Assert.That(lost, Is.Empty, "acknowledged writes lost");
    }

    private sealed record ChildRun(List<(string Key, long Value)> Acks, (string Mode, int First, int Last, int Target)? InFlight);

    /// <summary>Runs the child until a migration of <paramref name="mode"/> has started and some writes after it were acknowledged, then SIGKILLs it.</summary>
    private async Task<ChildRun> RunChildUntilKilledAsync(int seed, string mode, int acksAfterStart)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(HostAssembly());
        info.ArgumentList.Add(DataDirectory);
        info.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(info) ?? throw new InvalidOperationException("the migration host did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var acks = new List<(string, long)>();
        (string, int, int, int)? inFlight = null;
        int acksSinceStart = -1;
        bool killed = false;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                var parts = line.Split(' ');
                switch (parts[0])
                {
                    case "ack":
                        acks.Add((parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture)));
                        if (acksSinceStart >= 0) acksSinceStart++;
                        break;
                    case "start":
                        inFlight = (parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture),
                            int.Parse(parts[4], CultureInfo.InvariantCulture));
                        if (!killed && parts[1] == mode) acksSinceStart = 0;
                        break;
                    case "done":
                        if (!killed) { inFlight = null; acksSinceStart = -1; }
                        break;
                }
                if (!killed && acksSinceStart >= acksAfterStart)
                {
                    process.Kill(entireProcessTree: true); // SIGKILL; lines already in the pipe are still read
                    killed = true;
                }
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        string errors = await stderr;
        Assert.That(killed, Is.True, $"the host ended before a {mode} migration was killed (exit {process.ExitCode}): {errors}");
        return new ChildRun(acks, inFlight);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>tests/Reborn.MigrationHost/bin/&lt;Configuration&gt;/&lt;tfm&gt;/Reborn.MigrationHost.dll, built by the test project's reference.</summary>
    private static string HostAssembly()
    {
        string configuration = typeof(MigrationCrashTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "Reborn.sln"))) continue;
            string path = Path.Combine(directory.FullName, "tests", "Reborn.MigrationHost", "bin", configuration, framework, "Reborn.MigrationHost.dll");
            if (File.Exists(path)) return path;
            throw new FileNotFoundException("Build tests/Reborn.MigrationHost first (the test project references it)", path);
        }
        throw new DirectoryNotFoundException("Reborn.sln not found above " + AppContext.BaseDirectory);
    }
}
