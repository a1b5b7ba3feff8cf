namespace Reborn.Core.Migration;

/// <summary>
/// Whether commands are writing to the groups a key-by-key move joins, judged by the mover after each
/// of its holds of their gates from the groups' write count (<see cref="Storage.IStorageEngine.WriteCount"/>).
/// Writes counted between two holds are commands'. Those alone cannot tell: commands that arrive during a
/// hold wait for it, and back-to-back holds a yield apart leave them almost no moment to write in, so
/// almost no write to notice. After a write by commands, they count as writing for a while
/// (<paramref name="windowTicks"/>), whatever the next holds see.
/// </summary>
internal sealed class CommandActivity(long windowTicks)
{
    private long _writesAfterHold = -1; // the count when the last hold ended
    private long _activeUntil = long.MinValue;

    /// <summary>
    /// After a hold that began with <paramref name="before"/> writes counted and ended with
    /// <paramref name="after"/>, at <paramref name="now"/> (Stopwatch ticks): true while commands write.
    /// </summary>
    public bool AfterHold(long before, long after, long now)
    {
        if (_writesAfterHold >= 0 && before != _writesAfterHold) _activeUntil = now + windowTicks;
        _writesAfterHold = after;
        return Writing(now);
    }

    /// <summary>True at <paramref name="now"/> while commands count as writing, as the last hold judged.</summary>
    public bool Writing(long now) => now < _activeUntil;
}
