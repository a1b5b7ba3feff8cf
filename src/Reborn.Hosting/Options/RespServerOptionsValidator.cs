using System.Net;
using Microsoft.Extensions.Options;
using Reborn.Resp.Server;

namespace Reborn.Hosting.Options;

/// <summary>Checks "Reborn:Server" at host start; every failure names its setting.</summary>
internal sealed class RespServerOptionsValidator : IValidateOptions<RespServerOptions>
{
    public ValidateOptionsResult Validate(string? name, RespServerOptions options)
    {
        var failures = new List<string>();
        const string S = RebornOptions.ServerSectionName;
        if (options.Port is < 0 or > 65535)
            failures.Add($"{S}:Port: {options.Port} is not a TCP port (0..65535).");
        if (string.IsNullOrWhiteSpace(options.Bind) || !IPAddress.TryParse(options.Bind, out _))
            failures.Add($"{S}:Bind: '{options.Bind}' is not an IP address (for example 127.0.0.1, 0.0.0.0 or ::1).");
        if (options.MaxClients < 1)
            failures.Add($"{S}:MaxClients: must be at least 1 (got {options.MaxClients}).");
        if (options.IdleTimeout < TimeSpan.Zero)
            failures.Add($"{S}:IdleTimeout: cannot be negative (got {options.IdleTimeout}).");
        if (options.ProtoMaxBulkLength < 1L << 20)
            failures.Add($"{S}:ProtoMaxBulkLength: must be at least 1 MB (1048576) (got {options.ProtoMaxBulkLength}).");
        if (options.ClientQueryBufferLimit < 1L << 20)
            failures.Add($"{S}:ClientQueryBufferLimit: must be at least 1 MB (1048576) (got {options.ClientQueryBufferLimit}).");

        if (failures.Count == 0)
        {
            // The server's own rules are the last word: anything they refuse that the checks above let through.
            try { options.Validate(); }
            catch (ArgumentException error) { failures.Add($"{S}:{error.ParamName}: {error.Message}"); }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
