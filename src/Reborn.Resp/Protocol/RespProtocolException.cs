namespace Reborn.Resp.Protocol;

/// <summary>
/// The peer broke the RESP framing. <see cref="Exception.Message"/> is Redis 7.0's text without
/// the "ERR " prefix (for example "Protocol error: invalid bulk length").
/// </summary>
/// <remarks>
/// A server that catches this must reply <see cref="ErrorReply"/>, flush, and close the
/// connection: the rest of the receive buffer cannot be framed any more. Commands parsed before
/// the error in the same batch have already been handed out and are executed, as Redis does.
/// </remarks>
public sealed class RespProtocolException : Exception
{
    public RespProtocolException(string message) : base(message) { }

    /// <summary>The error reply text to pass to <see cref="RespWriter.Error(string)"/>.</summary>
    public string ErrorReply => "ERR " + Message;

    internal static RespProtocolException InvalidMultibulkLength() => new("Protocol error: invalid multibulk length");
    internal static RespProtocolException InvalidBulkLength() => new("Protocol error: invalid bulk length");
    internal static RespProtocolException ExpectedDollar(byte got) => new($"Protocol error: expected '$', got '{(char)got}'");
    internal static RespProtocolException TooBigInlineRequest() => new("Protocol error: too big inline request");
    internal static RespProtocolException TooBigMultibulkCount() => new("Protocol error: too big mbulk count string");
    internal static RespProtocolException TooBigBulkCount() => new("Protocol error: too big bulk count string");
    internal static RespProtocolException UnbalancedQuotes() => new("Protocol error: unbalanced quotes in request");
    internal static RespProtocolException CommandTooLarge() => new("Protocol error: command exceeds the query buffer limit");
}
