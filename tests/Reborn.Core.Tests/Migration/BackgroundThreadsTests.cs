using NUnit.Framework;
using Reborn.Core.Migration;

namespace Reborn.Core.Tests.Migration;

/// <summary>A migration's background threads run at SCHED_IDLE (Linux): commands take the cores from them at once.</summary>
public sealed class BackgroundThreadsTests
{
    [Test]
    public async Task BackgroundWorkRunsAtIdlePriority()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("Thread policies are set on Linux only.");
        int policy = -1;
        await BackgroundThreads.Run("priority-test", () =>
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            // The policy is field 41 of stat: the 39th after the parenthesised name.
            policy = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[38], System.Globalization.CultureInfo.InvariantCulture);
        });
        Assert.That(policy, Is.EqualTo(5), "SCHED_IDLE");
    }
}
