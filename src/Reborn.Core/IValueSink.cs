namespace Reborn.Core;

/// <summary>
/// Receives the values of a range read (LRANGE, HGETALL, HKEYS, HVALS, SMEMBERS) while the storage
/// engine still holds them, so a server copies each one straight into its reply buffer: no array
/// per value, no list of them. The read calls <see cref="Begin"/> once, after every check that can
/// fail with a Redis error (WRONGTYPE, a moved slot), then exactly that many <see cref="Value"/>s.
/// An exception after Begin means the engine failed (an I/O error, a missing record): the values
/// already delivered are a truncated answer, and a server must drop the connection rather than
/// follow them with an error reply.
/// </summary>
public interface IValueSink
{
    /// <summary>Called once, before any value, with the number of <see cref="Value"/> calls that follow (0 for a missing key).</summary>
    void Begin(int count);

    /// <summary>One value; the span is valid only during the call.</summary>
    void Value(ReadOnlySpan<byte> value);
}

/// <summary>A sink that also takes scores: a sorted-set range read WITHSCORES calls <see cref="Score"/> after each member.</summary>
public interface IScoredValueSink : IValueSink
{
    /// <summary>The score of the member just handed over; counts as one of the calls announced by Begin.</summary>
    void Score(double score);
}
