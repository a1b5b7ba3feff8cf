namespace Reborn.Resp.Protocol;

/// <summary>The RESP2/RESP3 reply types; each value is its wire prefix byte (append-only).</summary>
public enum RespReplyType : byte
{
    SimpleString = (byte)'+',
    Error = (byte)'-',
    Integer = (byte)':',
    BulkString = (byte)'$',
    Array = (byte)'*',
    Null = (byte)'_',
    Double = (byte)',',
    Boolean = (byte)'#',
    BigNumber = (byte)'(',
    BulkError = (byte)'!',
    VerbatimString = (byte)'=',
    Map = (byte)'%',
    Set = (byte)'~',
    Attribute = (byte)'|',
    Push = (byte)'>',
}
