using NUnit.Framework;
using Reborn.Core.Migration;

namespace Reborn.Core.Tests.Migration;

/// <summary>
/// A migration's background threads run at SCHED_IDLE (Linux): commands take the cores from them at
/// once; the raw copy's, which take no gate, at nice 10.
/// </summary>
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

    [Test]
    public async Task TheRawCopyRunsNiced()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Ignore("Thread priorities are set on Linux only.");
        int policy = -1, nice = 0;
        await BackgroundThreads.Run("priority-test", () =>
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the name: nice is field 19 of stat (the 17th), the policy field 41 (the 39th).
            nice = int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
            policy = int.Parse(fields[38], System.Globalization.CultureInfo.InvariantCulture);
        }, idle: false);
        Assert.That((policy, nice), Is.EqualTo((0, 10)), "SCHED_OTHER at nice 10");
    }
}
