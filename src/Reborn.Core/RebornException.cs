namespace Reborn.Core;

/// <summary>
/// A command error with Redis's exact reply text (for example "WRONGTYPE Operation against a key
/// holding the wrong kind of value"). The RESP layer writes Message as the error reply.
/// </summary>
public sealed class RebornException : Exception
{
    public RebornException(string message) : base(message) { }
}
