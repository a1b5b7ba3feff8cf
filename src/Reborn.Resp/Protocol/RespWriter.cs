using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Reborn.Resp.Protocol;

/// <summary>
/// Writes RESP replies (and, on the client side, requests) straight into an
/// <see cref="IBufferWriter{T}"/> such as a PipeWriter. <see cref="Protocol"/> selects RESP2 or
/// RESP3 encodings for the types that differ. Nothing here allocates; one instance per
/// connection; not thread-safe.
/// </summary>
public sealed class RespWriter
{
    // Header of a length-prefixed element: type byte, 20 digits or "-1", CRLF.
    private const int MaxHeaderLength = 1 + 20 + 2;
    // Payloads larger than this are copied in pieces so the output never has to provide one
    // contiguous block of the full size.
    private const int ChunkSize = 16 * 1024;

    private IBufferWriter<byte> _output;
    private int _protocol = 2;

    public RespWriter(IBufferWriter<byte> output) => _output = output;

    /// <summary>The output; may be replaced between replies (e.g. a pooled writer per connection).</summary>
    public IBufferWriter<byte> Output
    {
        get => _output;
        set => _output = value;
    }

    /// <summary>2 (default) or 3, as negotiated by HELLO.</summary>
    public int Protocol
    {
        get => _protocol;
        set
        {
            if (value is not (2 or 3))
                throw new ArgumentOutOfRangeException(nameof(value), "RESP protocol must be 2 or 3.");
            _protocol = value;
        }
    }

    /// <summary>Pre-encoded bytes, e.g. a <see cref="RespReplies"/> constant.</summary>
    public void Raw(ReadOnlySpan<byte> bytes) => WriteBytes(bytes);

    /// <summary>"+text\r\n"; CR and LF in <paramref name="text"/> are written as spaces.</summary>
    public void SimpleString(ReadOnlySpan<byte> text) => Line((byte)'+', text);

    public void SimpleString(string text) => Line((byte)'+', text);

    /// <summary>"-text\r\n": pass "ERR ...", "WRONGTYPE ..."; CR and LF are written as spaces.</summary>
    public void Error(ReadOnlySpan<byte> text) => Line((byte)'-', text);

    public void Error(string text) => Line((byte)'-', text);

    public void Integer(long value) => Header((byte)':', value);

    public void BulkString(ReadOnlySpan<byte> value)
    {
        if (value.Length > ChunkSize)
        {
            Header((byte)'$', value.Length);
            WriteBytes(value);
            Crlf();
            return;
        }

        // Header, payload and CRLF in one block: one GetSpan and one Advance per element of a range reply.
        Span<byte> span = _output.GetSpan(MaxHeaderLength + value.Length + 2);
        span[0] = (byte)'$';
        Utf8Formatter.TryFormat(value.Length, span[1..], out int digits);
        int at = digits + 1;
        span[at] = (byte)'\r';
        span[at + 1] = (byte)'\n';
        at += 2;
        value.CopyTo(span[at..]);
        at += value.Length;
        span[at] = (byte)'\r';
        span[at + 1] = (byte)'\n';
        _output.Advance(at + 2);
    }

    /// <summary>The UTF-8 bytes of <paramref name="value"/> as a bulk string.</summary>
    public void BulkString(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        Header((byte)'$', length);
        Span<byte> span = _output.GetSpan(length + 2);
        int written = Encoding.UTF8.GetBytes(value, span);
        span[written] = (byte)'\r';
        span[written + 1] = (byte)'\n';
        _output.Advance(written + 2);
    }

    /// <summary>The decimal text of <paramref name="value"/> as a bulk string (addReplyBulkLongLong).</summary>
    public void BulkString(long value)
    {
        Span<byte> digits = stackalloc byte[IntegerFormat.MaxLength];
        int length = IntegerFormat.Format(value, digits);
        BulkString(digits[..length]);
    }

    /// <summary>The missing value: RESP2 "$-1", RESP3 "_".</summary>
    public void Null() => WriteBytes(_protocol == 3 ? RespReplies.Null3 : RespReplies.NullBulk);

    /// <summary>The missing aggregate: RESP2 "*-1", RESP3 "_".</summary>
    public void NullArray() => WriteBytes(_protocol == 3 ? RespReplies.Null3 : RespReplies.NullArray);

    public void ArrayHeader(int count) => Header((byte)'*', count);

    /// <summary>RESP3 "%pairs"; RESP2 an array of 2 x pairs elements (key, value, ...).</summary>
    public void MapHeader(int pairs)
    {
        if (_protocol == 3)
            Header((byte)'%', pairs);
        else
            Header((byte)'*', 2L * pairs);
    }

    /// <summary>RESP3 "~count"; RESP2 an array.</summary>
    public void SetHeader(int count) => Header(_protocol == 3 ? (byte)'~' : (byte)'*', count);

    /// <summary>RESP3 "&gt;count" (out-of-band push); RESP2 an array.</summary>
    public void PushHeader(int count) => Header(_protocol == 3 ? (byte)'>' : (byte)'*', count);

    /// <summary>
    /// As Redis 7.0's addReplyDouble: RESP3 ",%.17g" (",inf", ",-inf", ",nan"); RESP2 a bulk
    /// string of the same text.
    /// </summary>
    public void Double(double value)
    {
        Span<byte> text = stackalloc byte[DoubleFormat.MaxG17Length];
        int length = DoubleFormat.FormatG17(value, text);
        if (_protocol == 3)
            Line((byte)',', text[..length]);
        else
            BulkString(text[..length]);
    }

    /// <summary>RESP3 "#t" / "#f"; RESP2 ":1" / ":0".</summary>
    public void Boolean(bool value)
    {
        if (_protocol == 3)
            WriteBytes(value ? "#t\r\n"u8 : "#f\r\n"u8);
        else
            WriteBytes(value ? RespReplies.One : RespReplies.Zero);
    }

    /// <summary>RESP3 "=len\r\nfmt:text"; RESP2 a bulk string of <paramref name="text"/>.</summary>
    /// <param name="format">Exactly three bytes, e.g. "txt"u8 or "mkd"u8.</param>
    public void VerbatimString(ReadOnlySpan<byte> format, ReadOnlySpan<byte> text)
    {
        if (format.Length != 3)
            throw new ArgumentException("A verbatim string format is exactly 3 bytes.", nameof(format));
        if (_protocol != 3)
        {
            BulkString(text);
            return;
        }
        Header((byte)'=', text.Length + 4L);
        Span<byte> prefix = _output.GetSpan(4);
        format.CopyTo(prefix);
        prefix[3] = (byte)':';
        _output.Advance(4);
        WriteBytes(text);
        Crlf();
    }

    /// <summary>RESP3 "(digits"; RESP2 a bulk string of the digits.</summary>
    public void BigNumber(ReadOnlySpan<byte> digits)
    {
        if (_protocol == 3)
            Line((byte)'(', digits);
        else
            BulkString(digits);
    }

    private void Header(byte type, long value)
    {
        Span<byte> span = _output.GetSpan(MaxHeaderLength);
        span[0] = type;
        Utf8Formatter.TryFormat(value, span[1..], out int written);
        span[written + 1] = (byte)'\r';
        span[written + 2] = (byte)'\n';
        _output.Advance(written + 3);
    }

    private void Line(byte type, ReadOnlySpan<byte> text)
    {
        Span<byte> span = _output.GetSpan(text.Length + 3);
        span[0] = type;
        Span<byte> body = span.Slice(1, text.Length);
        text.CopyTo(body);
        if (body.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
        {
            body.Replace((byte)'\r', (byte)' ');
            body.Replace((byte)'\n', (byte)' ');
        }
        span[text.Length + 1] = (byte)'\r';
        span[text.Length + 2] = (byte)'\n';
        _output.Advance(text.Length + 3);
    }

    private void Line(byte type, string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        Span<byte> span = _output.GetSpan(length + 3);
        span[0] = type;
        Span<byte> body = span.Slice(1, length);
        Encoding.UTF8.GetBytes(text, body);
        if (body.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
        {
            body.Replace((byte)'\r', (byte)' ');
            body.Replace((byte)'\n', (byte)' ');
        }
        span[length + 1] = (byte)'\r';
        span[length + 2] = (byte)'\n';
        _output.Advance(length + 3);
    }

    private void Crlf()
    {
        Span<byte> span = _output.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        _output.Advance(2);
    }

    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            Span<byte> span = _output.GetSpan(Math.Min(bytes.Length, ChunkSize));
            int count = Math.Min(span.Length, bytes.Length);
            bytes[..count].CopyTo(span);
            _output.Advance(count);
            bytes = bytes[count..];
        }
    }
}
