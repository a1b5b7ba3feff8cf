using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Reborn.Resp.Client;
using Reborn.Resp.Protocol;

namespace Reborn.Cli.Admin;

/// <summary>A failure the operator can read in one line: an error reply, or a server that cannot be reached.</summary>
internal sealed class AdminException(string message) : Exception(message);

/// <summary>
/// The admin verbs' link to a running server: --host, --port and --password, one RESP connection
/// (RESP2; maps arrive as flat key/value arrays), error replies turned into <see cref="AdminException"/>.
/// </summary>
internal sealed class AdminConnection : IAsyncDisposable
{
    private readonly RespConnection _connection;

    private AdminConnection(RespConnection connection, string endpoint)
    {
        _connection = connection;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    /// <summary>The options every admin verb takes.</summary>
    public sealed class Options
    {
        public Option<string> Host { get; } = new("--host") { Description = "Server host", DefaultValueFactory = _ => "127.0.0.1" };
        public Option<int> Port { get; } = new("--port", "-p") { Description = "Server port", DefaultValueFactory = _ => 6379 };
        public Option<string?> Password { get; } = new("--password", "-a") { Description = "Password to AUTH with" };

        public void AddTo(Command command)
        {
            command.Options.Add(Host);
            command.Options.Add(Port);
            command.Options.Add(Password);
        }
    }

    public static async Task<AdminConnection> OpenAsync(ParseResult parse, Options options, CancellationToken cancellationToken)
    {
        string host = parse.GetValue(options.Host) ?? "127.0.0.1";
        int port = parse.GetValue(options.Port);
        string endpoint = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        RespConnection connection;
        try
        {
            connection = await RespConnection.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException error)
        {
            throw new AdminException($"cannot connect to {endpoint}: {error.Message}");
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new AdminException($"invalid port {port.ToString(CultureInfo.InvariantCulture)}");
        }
        var admin = new AdminConnection(connection, endpoint);
        try
        {
            if (parse.GetValue(options.Password) is { } password) await admin.ExecuteAsync("AUTH", password).ConfigureAwait(false);
            return admin;
        }
        catch
        {
            await admin.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs one command; an error reply throws its text, with a hint when the server wants a password.</summary>
    public async Task<RespReply> ExecuteAsync(params string[] args)
    {
        RespReply reply;
        try
        {
            reply = await _connection.ExecuteAsync(args).ConfigureAwait(false);
        }
        catch (Exception error) when (error is IOException or SocketException or EndOfStreamException)
        {
            throw new AdminException($"the server at {Endpoint} closed the connection");
        }
        catch (TimeoutException)
        {
            throw new AdminException($"no reply from {Endpoint} within {_connection.ReadTimeout.TotalSeconds:0} s");
        }
        if (!reply.IsError) return reply;
        string text = reply.AsString() ?? "";
        if (text.StartsWith("NOAUTH", StringComparison.Ordinal)) text += " (pass --password)";
        else if (text.StartsWith("ERR unknown command 'REBORN'", StringComparison.OrdinalIgnoreCase)) text = $"the server at {Endpoint} is not a Reborn server (it does not know REBORN)";
        throw new AdminException(text);
    }

    /// <summary>A map reply (RESP3 map or RESP2 flat array of pairs) by field name.</summary>
    public static Dictionary<string, RespReply> Fields(RespReply reply)
    {
        var fields = new Dictionary<string, RespReply>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < reply.Elements.Count; i += 2)
            fields[reply.Elements[i].AsString() ?? ""] = reply.Elements[i + 1];
        return fields;
    }

    /// <summary>Runs a verb: one line on stderr and exit code 1 for anything the operator can fix.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Options options, CancellationToken cancellationToken, Func<AdminConnection, Task<int>> verb)
    {
        try
        {
            await using var connection = await OpenAsync(parse, options, cancellationToken).ConfigureAwait(false);
            return await verb(connection).ConfigureAwait(false);
        }
        catch (AdminException error)
        {
            await Console.Error.WriteLineAsync($"reborn: {error.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
