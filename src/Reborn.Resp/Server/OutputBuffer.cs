using System.Buffers;

namespace Reborn.Resp.Server;

/// <summary>
/// A connection's pending bytes on the event loop: replies are written at the end, sends take from
/// the front. One growable array; it shrinks back once emptied after a large reply. Not thread-safe.
/// </summary>
internal sealed class OutputBuffer(int initialSize) : IBufferWriter<byte>
{
    private readonly int _initialSize = initialSize;
    private byte[] _buffer = new byte[initialSize];
    private int _start;
    private int _end;

    public int Length => _end - _start;

    public ReadOnlySpan<byte> Pending => _buffer.AsSpan(_start, _end - _start);

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_end);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_end);
    }

    public void Advance(int count) => _end += count;

    /// <summary>Drops <paramref name="count"/> bytes from the front (they were sent).</summary>
    public void Consume(int count)
    {
        _start += count;
        if (_start == _end) Clear();
    }

    public void Clear()
    {
        _start = _end = 0;
        if (_buffer.Length > 4 * _initialSize && _buffer.Length > 64 * 1024) _buffer = new byte[_initialSize];
    }

    private void Reserve(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _end >= needed) return;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
            if (_buffer.Length - _end >= needed) return;
        }
        var grown = new byte[Math.Max((int)Math.Min(2L * _buffer.Length, Array.MaxLength), checked(_end + needed))];
        _buffer.AsSpan(0, _end).CopyTo(grown);
        _buffer = grown;
    }
}
