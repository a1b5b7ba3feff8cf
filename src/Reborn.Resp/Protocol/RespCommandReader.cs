using System.Buffers;

namespace Reborn.Resp.Protocol;

/// <summary>
/// Server side of RESP: frames client commands (multibulk and inline) out of the receive
/// buffer, with Redis 7.0's limits and protocol error texts (networking.c processMultibulkBuffer
/// and processInlineBuffer). One instance per connection; not thread-safe.
/// </summary>
/// <example>
/// A server loop parses every complete command of one read, executes each, and flushes once:
/// <code>
/// var buffer = read.Buffer;
/// while (reader.TryReadCommand(ref buffer, args)) Execute(args);
/// pipeReader.AdvanceTo(buffer.Start, buffer.End);
/// await pipeWriter.FlushAsync();
/// </code>
/// </example>
public sealed partial class RespCommandReader
{
    /// <summary>Redis's PROTO_INLINE_MAX_SIZE: longest inline line or count line without a newline.</summary>
    public const int InlineMaxSize = 64 * 1024;

    /// <summary>Redis's proto-max-bulk-len default (512 MB).</summary>
    public const long DefaultMaxBulkLength = 512L * 1024 * 1024;

    /// <summary>Default largest argument count of one multibulk command.</summary>
    public const int DefaultMaxMultibulkLength = 1024 * 1024;

    private enum ParseResult { Incomplete, Complete, Empty }

    /// <summary>proto-max-bulk-len: a longer declared bulk is "invalid bulk length".</summary>
    public long MaxBulkLength { get; set; } = DefaultMaxBulkLength;

    /// <summary>
    /// A larger declared argument count is "invalid multibulk length". Redis 7.0 itself allows up
    /// to int.MaxValue (6.x allowed 1024*1024); set int.MaxValue to match 7.0 exactly. Declared
    /// counts never allocate up front either way.
    /// </summary>
    public int MaxMultibulkLength { get; set; } = DefaultMaxMultibulkLength;

    /// <summary>
    /// Frames the next command of <paramref name="buffer"/> into <paramref name="args"/> and
    /// slices <paramref name="buffer"/> past it. Empty commands (<c>*0</c>, <c>*-1</c>, blank
    /// inline lines) are consumed and skipped, as Redis does. Returns false when more bytes are
    /// needed; <paramref name="buffer"/> then starts at the first incomplete command, so
    /// <c>AdvanceTo(buffer.Start, buffer.End)</c> is the right call. Nothing is allocated for a
    /// declared length until its bytes have arrived.
    /// </summary>
    /// <exception cref="RespProtocolException">The connection must be closed after replying.</exception>
    public bool TryReadCommand(ref ReadOnlySequence<byte> buffer, RespCommandArgs args)
    {
        while (!buffer.IsEmpty)
        {
            args.Clear();
            ParseResult result;
            long consumed;
            if (FirstByte(buffer) == (byte)'*')
                result = ReadMultibulk(buffer, args, out consumed);
            else
                result = ReadInline(buffer, args, out consumed);

            if (result == ParseResult.Incomplete)
            {
                args.Clear();
                return false;
            }
            buffer = buffer.Slice(consumed);
            if (result == ParseResult.Complete)
                return true;
        }
        return false;
    }

    private static byte FirstByte(in ReadOnlySequence<byte> buffer)
    {
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (!first.IsEmpty)
            return first[0];
        new SequenceReader<byte>(buffer).TryPeek(out byte value); // empty leading segments
        return value;
    }

    private ParseResult ReadMultibulk(in ReadOnlySequence<byte> buffer, RespCommandArgs args, out long consumed)
    {
        var fast = new SpanCursor(buffer.FirstSpan);
        ParseResult result = ParseMultibulk(ref fast, args);
        consumed = fast.Consumed;
        if (result != ParseResult.Incomplete)
        {
            args.SetSource(buffer.First);
            return result;
        }
        if (buffer.IsSingleSegment)
            return result;

        // The command spans segments: frame it over the sequence, then copy it once, whole,
        // into the scratch buffer so every argument is still one contiguous span.
        args.Clear();
        var slow = new SequenceCursor(buffer);
        result = ParseMultibulk(ref slow, args);
        consumed = slow.Consumed;
        if (result == ParseResult.Complete)
        {
            byte[] scratch = args.Scratch((int)consumed);
            buffer.Slice(0, consumed).CopyTo(scratch);
            args.SetSource(scratch.AsMemory(0, (int)consumed));
        }
        return result;
    }

    private ParseResult ParseMultibulk<TCursor>(ref TCursor cursor, RespCommandArgs args)
        where TCursor : IRespByteCursor, allows ref struct
    {
        long lineEnd = cursor.IndexOf((byte)'\r');
        if (lineEnd < 0)
        {
            if (cursor.Remaining > InlineMaxSize)
                throw RespProtocolException.TooBigMultibulkCount();
            return ParseResult.Incomplete;
        }
        if (lineEnd > cursor.Remaining - 2)
            return ParseResult.Incomplete; // the '\n' has not arrived

        if (!TryParseLineNumber(ref cursor, lineEnd, out long count) || count > int.MaxValue || count > MaxMultibulkLength)
            throw RespProtocolException.InvalidMultibulkLength();
        cursor.Advance(lineEnd + 2);
        if (count <= 0)
            return ParseResult.Empty;

        for (long i = 0; i < count; i++)
        {
            lineEnd = cursor.IndexOf((byte)'\r');
            if (lineEnd < 0)
            {
                if (cursor.Remaining > InlineMaxSize)
                    throw RespProtocolException.TooBigBulkCount();
                return ParseResult.Incomplete;
            }
            if (lineEnd > cursor.Remaining - 2)
                return ParseResult.Incomplete;

            byte marker = cursor.Peek();
            if (marker != (byte)'$')
                throw RespProtocolException.ExpectedDollar(marker);
            if (!TryParseLineNumber(ref cursor, lineEnd, out long length) || length < 0 || length > MaxBulkLength)
                throw RespProtocolException.InvalidBulkLength();
            cursor.Advance(lineEnd + 2);

            // Redis skips the two bytes after the payload without checking they are "\r\n".
            if (cursor.Remaining < length + 2)
                return ParseResult.Incomplete;
            long offset = cursor.Consumed;
            if (offset + length + 2 > int.MaxValue)
                throw RespProtocolException.CommandTooLarge();
            args.Add((int)offset, (int)length);
            cursor.Advance(length + 2);
        }
        return ParseResult.Complete;
    }

    // The number between the type byte and the '\r' at lineEnd, read with string2ll.
    private static bool TryParseLineNumber<TCursor>(ref TCursor cursor, long lineEnd, out long value)
        where TCursor : IRespByteCursor, allows ref struct
    {
        long length = lineEnd - 1;
        if (length <= 0 || length > IntegerFormat.MaxLength)
        {
            value = 0;
            return false;
        }
        Span<byte> digits = stackalloc byte[IntegerFormat.MaxLength];
        digits = digits[..(int)length];
        cursor.CopyTo(1, digits);
        return IntegerFormat.TryParseRedisLong(digits, out value);
    }
}
