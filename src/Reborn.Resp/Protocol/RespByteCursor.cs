using System.Buffers;

namespace Reborn.Resp.Protocol;

/// <summary>
/// The few moves the multibulk grammar needs, over a span (the hot path) or over a
/// multi-segment sequence (a command that spans segments). Positions are relative to the
/// start of the command.
/// </summary>
internal interface IRespByteCursor
{
    long Consumed { get; }
    long Remaining { get; }
    byte Peek();
    /// <summary>Offset of the next <paramref name="value"/> from the current position, or -1.</summary>
    long IndexOf(byte value);
    /// <summary>Copies the bytes at [offset, offset + destination.Length) from the current position.</summary>
    void CopyTo(int offset, scoped Span<byte> destination);
    void Advance(long count);
}

internal ref struct SpanCursor : IRespByteCursor
{
    private readonly ReadOnlySpan<byte> _span;
    private int _position;

    public SpanCursor(ReadOnlySpan<byte> span)
    {
        _span = span;
        _position = 0;
    }

    public readonly long Consumed => _position;
    public readonly long Remaining => _span.Length - _position;
    public readonly byte Peek() => _span[_position];
    public readonly long IndexOf(byte value) => _span[_position..].IndexOf(value);
    public readonly void CopyTo(int offset, scoped Span<byte> destination) => _span.Slice(_position + offset, destination.Length).CopyTo(destination);
    public void Advance(long count) => _position += checked((int)count);
}

internal ref struct SequenceCursor : IRespByteCursor
{
    private SequenceReader<byte> _reader;

    public SequenceCursor(ReadOnlySequence<byte> sequence) => _reader = new SequenceReader<byte>(sequence);

    public readonly long Consumed => _reader.Consumed;
    public readonly long Remaining => _reader.Remaining;

    public readonly byte Peek()
    {
        _reader.TryPeek(out byte value);
        return value;
    }

    public readonly long IndexOf(byte value)
    {
        SequenceReader<byte> probe = _reader;
        return probe.TryAdvanceTo(value, advancePastDelimiter: false) ? probe.Consumed - _reader.Consumed : -1;
    }

    public readonly void CopyTo(int offset, scoped Span<byte> destination)
    {
        SequenceReader<byte> probe = _reader;
        probe.Advance(offset);
        probe.TryCopyTo(destination);
    }

    public void Advance(long count) => _reader.Advance(count);
}
