using NUnit.Framework;
using Reborn.Core.Migration;

namespace Reborn.Core.Tests.Migration;

/// <summary>
/// The key mover's judgement of whether commands write (it gives way while they do), from the groups'
/// write count before and after each of its holds. Times are plain ticks: nothing here waits.
/// </summary>
public sealed class CommandActivityTests
{
    private const long Window = 1000;

    [Test]
    public void NoWriteBetweenHoldsIsNoActivity()
    {
        var activity = new CommandActivity(Window);
        Assert.That(activity.AfterHold(before: 0, after: 1, now: 10), Is.False, "the first hold has nothing to compare with");
        Assert.That(activity.AfterHold(before: 1, after: 2, now: 20), Is.False, "the count moved only by the mover's own write");
        Assert.That(activity.AfterHold(before: 2, after: 3, now: 5000), Is.False);
    }

    [Test]
    public void AWriteBetweenHoldsIsActivity()
    {
        var activity = new CommandActivity(Window);
        activity.AfterHold(before: 0, after: 1, now: 10);
        Assert.That(activity.AfterHold(before: 4, after: 5, now: 20), Is.True, "three writes were made between the holds");
    }

    [Test]
    public void ActivityLastsTheWindowThoughBackToBackHoldsSeeNoWrite()
    {
        // Commands that arrive during a hold wait for it; holds a yield apart leave them no moment to write.
        var activity = new CommandActivity(Window);
        activity.AfterHold(before: 0, after: 1, now: 10);
        activity.AfterHold(before: 2, after: 3, now: 20);
        Assert.That(activity.AfterHold(before: 3, after: 4, now: 30), Is.True);
        Assert.That(activity.AfterHold(before: 4, after: 5, now: 20 + Window - 1), Is.True);
        Assert.That(activity.AfterHold(before: 5, after: 6, now: 20 + Window), Is.False, "no command wrote for a whole window");
    }

    [Test]
    public void EachWriteRenewsTheWindow()
    {
        var activity = new CommandActivity(Window);
        activity.AfterHold(before: 0, after: 1, now: 0);
        activity.AfterHold(before: 2, after: 3, now: 100);
        activity.AfterHold(before: 4, after: 5, now: 900);
        Assert.That(activity.AfterHold(before: 5, after: 6, now: 1500), Is.True, "the write seen at 900 keeps it until 1900");
        Assert.That(activity.AfterHold(before: 6, after: 7, now: 1900), Is.False);
    }
}
