using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Reborn.Resp.Protocol;

/// <summary>
/// Client side of RESP: reads one whole reply of any RESP2/RESP3 type (nested aggregates,
/// attributes, nulls) from a receive buffer. A cheap framing pass checks the reply is complete
/// before anything is allocated, so a large reply arriving in pieces costs no garbage per read.
/// Streamed RESP3 aggregates ("$?", "*?"), which Redis never sends, are not supported.
/// </summary>
public static class RespReplyReader
{
    /// <summary>Deepest nesting accepted; deeper replies are a protocol error.</summary>
    public const int MaxDepth = 512;

    /// <summary>
    /// Reads one reply and slices <paramref name="buffer"/> past it; false (buffer unchanged)
    /// when the reply is not complete yet.
    /// </summary>
    /// <exception cref="RespProtocolException">The bytes are not RESP.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, [NotNullWhen(true)] out RespReply? reply)
    {
        if (!TryGetLength(buffer, out long length))
        {
            reply = null;
            return false;
        }
        var reader = new SequenceReader<byte>(buffer.Slice(0, length));
        reply = Build(ref reader, 0);
        buffer = buffer.Slice(length);
        return true;
    }

    /// <summary>The byte length of the first reply in <paramref name="buffer"/>, if it is complete.</summary>
    public static bool TryGetLength(in ReadOnlySequence<byte> buffer, out long length)
    {
        var reader = new SequenceReader<byte>(buffer);
        bool complete = TrySkip(ref reader, 0);
        length = complete ? reader.Consumed : 0;
        return complete;
    }

    /// <summary>Reads exactly one reply that fills <paramref name="bytes"/> (tests, tools).</summary>
    public static RespReply Read(ReadOnlySpan<byte> bytes)
    {
        var buffer = new ReadOnlySequence<byte>(bytes.ToArray());
        if (!TryRead(ref buffer, out RespReply? reply))
            throw new RespProtocolException("Protocol error: incomplete reply");
        if (!buffer.IsEmpty)
            throw new RespProtocolException("Protocol error: bytes after the reply");
        return reply;
    }

    private static bool TrySkip(ref SequenceReader<byte> reader, int depth)
    {
        if (depth > MaxDepth)
            throw new RespProtocolException("Protocol error: reply nested too deeply");
        if (!reader.TryRead(out byte type))
            return false;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
            return false;

        switch ((RespReplyType)type)
        {
            case RespReplyType.SimpleString:
            case RespReplyType.Error:
            case RespReplyType.Integer:
            case RespReplyType.Double:
            case RespReplyType.Boolean:
            case RespReplyType.BigNumber:
            case RespReplyType.Null:
                return true;
            case RespReplyType.BulkString:
            case RespReplyType.BulkError:
            case RespReplyType.VerbatimString:
            {
                long length = ParseLength(line, type);
                if (length < 0)
                    return true;
                if (reader.Remaining < length + 2)
                    return false;
                reader.Advance(length + 2);
                return true;
            }
            case RespReplyType.Array:
            case RespReplyType.Set:
            case RespReplyType.Push:
            case RespReplyType.Map:
            case RespReplyType.Attribute:
            {
                long count = ParseLength(line, type);
                if (type is (byte)'%' or (byte)'|')
                    count *= 2;
                for (long i = 0; i < count; i++)
                {
                    if (!TrySkip(ref reader, depth + 1))
                        return false;
                }
                // An attribute is followed by the reply it describes.
                return type != (byte)'|' || TrySkip(ref reader, depth + 1);
            }
            default:
                throw UnexpectedType(type);
        }
    }

    private static RespReply Build(ref SequenceReader<byte> reader, int depth)
    {
        reader.TryRead(out byte type);
        reader.TryReadTo(out ReadOnlySequence<byte> lineSequence, "\r\n"u8);
        byte[] line = lineSequence.ToArray();

        switch ((RespReplyType)type)
        {
            case RespReplyType.SimpleString:
            case RespReplyType.Error:
            case RespReplyType.BigNumber:
                return RespReply.Create((RespReplyType)type, bytes: line);
            case RespReplyType.Integer:
                return RespReply.Create(RespReplyType.Integer, integer: ParseInteger(line));
            case RespReplyType.Double:
                return RespReply.Create(RespReplyType.Double, bytes: line, @double: ParseDouble(line));
            case RespReplyType.Boolean:
                if (line is [(byte)'t'])
                    return RespReply.True;
                if (line is [(byte)'f'])
                    return RespReply.False;
                throw new RespProtocolException("Protocol error: bad boolean");
            case RespReplyType.Null:
                if (line.Length != 0)
                    throw new RespProtocolException("Protocol error: bad null");
                return RespReply.Null;
            case RespReplyType.BulkString:
            case RespReplyType.BulkError:
            case RespReplyType.VerbatimString:
                return BuildBulk(ref reader, type, line);
            default:
                return BuildAggregate(ref reader, type, line, depth);
        }
    }

    private static RespReply BuildBulk(ref SequenceReader<byte> reader, byte type, byte[] line)
    {
        long length = ParseLength(new ReadOnlySequence<byte>(line), type);
        if (length < 0)
            return RespReply.NullBulkString;
        byte[] payload = new byte[length];
        reader.TryCopyTo(payload);
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
            throw new RespProtocolException("Protocol error: bulk payload not followed by CRLF");
        if (type != (byte)'=')
            return RespReply.Create((RespReplyType)type, bytes: payload);
        if (payload.Length < 4 || payload[3] != (byte)':')
            throw new RespProtocolException("Protocol error: bad verbatim string");
        return RespReply.Create(RespReplyType.VerbatimString, bytes: payload[4..], format: Encoding.ASCII.GetString(payload, 0, 3));
    }

    private static RespReply BuildAggregate(ref SequenceReader<byte> reader, byte type, byte[] line, int depth)
    {
        long count = ParseLength(new ReadOnlySequence<byte>(line), type);
        if (count < 0)
            return RespReply.NullArray;
        if (type is (byte)'%' or (byte)'|')
            count *= 2;
        var elements = new RespReply[count];
        for (long i = 0; i < count; i++)
            elements[i] = Build(ref reader, depth + 1);
        if (type == (byte)'|')
        {
            RespReply attributes = RespReply.Create(RespReplyType.Attribute, elements: elements);
            return Build(ref reader, depth + 1).WithAttributes(attributes);
        }
        return RespReply.Create((RespReplyType)type, elements: elements);
    }

    // A length or count: -1 means null where RESP allows it (bulk strings and arrays).
    private static long ParseLength(in ReadOnlySequence<byte> line, byte type)
    {
        Span<byte> scratch = stackalloc byte[IntegerFormat.MaxLength];
        if (line.Length > scratch.Length)
            throw new RespProtocolException($"Protocol error: bad length for '{(char)type}'");
        line.CopyTo(scratch);
        if (!IntegerFormat.TryParseRedisLong(scratch[..(int)line.Length], out long value) || value < -1
            || (value == -1 && type is not ((byte)'$' or (byte)'*')) || value > int.MaxValue)
            throw new RespProtocolException($"Protocol error: bad length for '{(char)type}'");
        return value;
    }

    private static long ParseInteger(byte[] line)
    {
        if (!long.TryParse(line, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw new RespProtocolException("Protocol error: bad integer");
        return value;
    }

    private static double ParseDouble(byte[] line)
    {
        if (Ascii.EqualsIgnoreCase(line, "inf"u8) || Ascii.EqualsIgnoreCase(line, "+inf"u8))
            return double.PositiveInfinity;
        if (Ascii.EqualsIgnoreCase(line, "-inf"u8))
            return double.NegativeInfinity;
        if (Ascii.EqualsIgnoreCase(line, "nan"u8) || Ascii.EqualsIgnoreCase(line, "-nan"u8))
            return double.NaN;
        if (!double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new RespProtocolException("Protocol error: bad double");
        return value;
    }

    private static RespProtocolException UnexpectedType(byte type) =>
        new($"Protocol error: unexpected reply type byte 0x{type:x2}");
}
