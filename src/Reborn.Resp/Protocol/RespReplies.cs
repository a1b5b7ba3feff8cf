namespace Reborn.Resp.Protocol;

/// <summary>
/// Complete pre-encoded replies, written with <see cref="RespWriter.Raw"/>. Only replies that
/// are the same in RESP2 and RESP3 live here (nulls differ: use <see cref="RespWriter.Null"/>),
/// except the explicitly versioned null encodings. Error texts are Redis 7.0's.
/// </summary>
public static class RespReplies
{
    public static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    public static ReadOnlySpan<byte> Ok => "+OK\r\n"u8;
    public static ReadOnlySpan<byte> Pong => "+PONG\r\n"u8;
    public static ReadOnlySpan<byte> Queued => "+QUEUED\r\n"u8;
    public static ReadOnlySpan<byte> None => "+none\r\n"u8;

    public static ReadOnlySpan<byte> Zero => ":0\r\n"u8;
    public static ReadOnlySpan<byte> One => ":1\r\n"u8;
    public static ReadOnlySpan<byte> MinusOne => ":-1\r\n"u8;
    public static ReadOnlySpan<byte> MinusTwo => ":-2\r\n"u8;

    public static ReadOnlySpan<byte> EmptyArray => "*0\r\n"u8;
    public static ReadOnlySpan<byte> EmptyBulk => "$0\r\n\r\n"u8;

    /// <summary>RESP2 null bulk string.</summary>
    public static ReadOnlySpan<byte> NullBulk => "$-1\r\n"u8;
    /// <summary>RESP2 null array.</summary>
    public static ReadOnlySpan<byte> NullArray => "*-1\r\n"u8;
    /// <summary>RESP3 null.</summary>
    public static ReadOnlySpan<byte> Null3 => "_\r\n"u8;

    public static ReadOnlySpan<byte> WrongType => "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"u8;
    public static ReadOnlySpan<byte> SyntaxError => "-ERR syntax error\r\n"u8;
    public static ReadOnlySpan<byte> NotInteger => "-ERR value is not an integer or out of range\r\n"u8;
    public static ReadOnlySpan<byte> NotFloat => "-ERR value is not a valid float\r\n"u8;
    public static ReadOnlySpan<byte> NoSuchKey => "-ERR no such key\r\n"u8;
    public static ReadOnlySpan<byte> IndexOutOfRange => "-ERR index out of range\r\n"u8;
    public static ReadOnlySpan<byte> Overflow => "-ERR increment or decrement would overflow\r\n"u8;
    public static ReadOnlySpan<byte> IncrNaNOrInfinity => "-ERR increment would produce NaN or Infinity\r\n"u8;
    public static ReadOnlySpan<byte> DbIndexOutOfRange => "-ERR DB index is out of range\r\n"u8;
    public static ReadOnlySpan<byte> StringTooLong => "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"u8;
    public static ReadOnlySpan<byte> NoAuth => "-NOAUTH Authentication required.\r\n"u8;
    public static ReadOnlySpan<byte> ExecAbort => "-EXECABORT Transaction discarded because of previous errors.\r\n"u8;
    public static ReadOnlySpan<byte> BusyKey => "-BUSYKEY Target key name already exists.\r\n"u8;
    public static ReadOnlySpan<byte> NoProto => "-NOPROTO unsupported protocol version\r\n"u8;
}
