namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// A DUMP payload that RESTORE must refuse. <see cref="Exception.Message"/> is Redis's own error text
/// without the "ERR " prefix, so a server can reply <c>"-ERR " + Message</c>.
/// </summary>
public sealed class DumpPayloadException : Exception
{
    /// <summary>Redis's text for a payload whose footer (length, RDB version or CRC64) is wrong.</summary>
    public const string VersionOrChecksumMessage = "DUMP payload version or checksum are wrong";

    /// <summary>Redis's text for a payload whose footer is sound but whose object body is not.</summary>
    public const string BadDataFormatMessage = "Bad data format";

    private DumpPayloadException(string message, bool isFooterError) : base(message) => IsFooterError = isFooterError;

    /// <summary>True when the footer was rejected; false when the body was malformed.</summary>
    public bool IsFooterError { get; }

    internal static DumpPayloadException VersionOrChecksum() => new(VersionOrChecksumMessage, true);

    internal static DumpPayloadException BadDataFormat() => new(BadDataFormatMessage, false);
}
