using Reborn.Core;

namespace Reborn.Resp.Commands;

/// <summary>The RESP aggregate a range read's values are written as.</summary>
public enum AggregateKind
{
    /// <summary>"*n" in both protocols (LRANGE, HKEYS, HVALS).</summary>
    Array,

    /// <summary>RESP3 "~n", RESP2 an array (SMEMBERS).</summary>
    Set,

    /// <summary>RESP3 "%n/2", RESP2 an array of n; the values alternate key, value (HGETALL).</summary>
    Map,

    /// <summary>
    /// Members each followed by its score (ZRANGE WITHSCORES): RESP3 an array of n/2 [member, score]
    /// pairs with double scores, RESP2 a flat array of n with scores as bulk strings.
    /// </summary>
    ScoredMembers,

    /// <summary>No aggregate: the one value as a bulk string, or null when there is none (LPOP / RPOP without a count).</summary>
    Single,
}

/// <summary>
/// A range read's reply, written as the engine hands the values over: the aggregate header from
/// the count, then one bulk string per value, copied from the engine's buffer into the output.
/// One per connection, reused; <see cref="Incomplete"/> tells the dispatcher that a command failed
/// half-way through its reply, which it must not follow with an error.
/// </summary>
internal sealed class AggregateReply(CommandContext context) : IScoredValueSink
{
    private AggregateKind _kind;
    private int _pending;

    /// <summary>True between a Begin and the last of its values.</summary>
    public bool Incomplete => _pending > 0;

    /// <summary>Prepares the sink for one command's reply.</summary>
    public AggregateReply As(AggregateKind kind)
    {
        _kind = kind;
        _pending = 0;
        return this;
    }

    public void Begin(int count)
    {
        var writer = context.Writer;
        switch (_kind)
        {
            case AggregateKind.Set: writer.SetHeader(count); break;
            case AggregateKind.Map: writer.MapHeader(count / 2); break;
            case AggregateKind.ScoredMembers: writer.ArrayHeader(writer.Protocol == 3 ? count / 2 : count); break;
            case AggregateKind.Single: if (count == 0) writer.Null(); break;
            default: writer.ArrayHeader(count); break;
        }
        _pending = count;
    }

    public void Value(ReadOnlySpan<byte> value)
    {
        Take();
        if (_kind == AggregateKind.ScoredMembers && context.Writer.Protocol == 3) context.Writer.ArrayHeader(2);
        context.Writer.BulkString(value);
    }

    public void Score(double score)
    {
        Take();
        context.Writer.Double(score);
    }

    private void Take()
    {
        if (_pending == 0) throw new InvalidOperationException("more values than the reply's header announced");
        _pending--;
    }
}
