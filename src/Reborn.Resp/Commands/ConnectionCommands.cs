using System.Security.Cryptography;
using System.Text;
using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>Connection commands: PING, ECHO, SELECT, AUTH, HELLO, QUIT, RESET.</summary>
internal static class ConnectionCommands
{
    private const CommandFlags F = CommandFlags.Fast | CommandFlags.Stale | CommandFlags.Loading;
    // AUTH HELLO QUIT RESET: served before authentication and while the server is busy.
    private const CommandFlags Handshake = CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast | CommandFlags.NoAuth | CommandFlags.AllowBusy;

    /// <summary>The Redis version HELLO and INFO report, so clients enable what 7.0 offers.</summary>
    public const string RedisVersion = "7.0.15";

    public const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("PING", -1, CommandFlags.Fast, 0, 0, 0, "@fast @connection", Ping) { Tips = ["request_policy:all_shards", "response_policy:all_succeeded"] },
        new("ECHO", 2, F, 0, 0, 0, "@fast @connection", Echo),
        new("SELECT", 2, F, 0, 0, 0, "@fast @connection", Select),
        new("AUTH", -2, Handshake, 0, 0, 0, "@fast @connection", Auth),
        new("HELLO", -1, Handshake, 0, 0, 0, "@fast @connection", Hello),
        new("QUIT", -1, Handshake, 0, 0, 0, "@fast @connection", Quit),
        new("RESET", 1, Handshake, 0, 0, 0, "@fast @connection", Reset),
    ];

    private static ValueTask Ping(CommandContext c)
    {
        if (c.ArgCount > 2) throw new RebornException("ERR wrong number of arguments for 'ping' command");
        if (c.Session.SubscriptionCount > 0 && c.Writer.Protocol == 2)
        {
            // A RESP2 subscriber cannot tell a reply from a message: Redis answers ["pong", argument or ""].
            c.Writer.ArrayHeader(2);
            c.Writer.BulkString("pong"u8);
            c.Writer.BulkString(c.ArgCount == 2 ? c.Arg(1) : default);
            return default;
        }
        if (c.ArgCount == 2) c.Writer.BulkString(c.Arg(1));
        else c.Writer.SimpleString("PONG"u8);
        return default;
    }

    private static ValueTask Echo(CommandContext c)
    {
        c.Writer.BulkString(c.Arg(1));
        return default;
    }

    private static ValueTask Select(CommandContext c)
    {
        int db = c.Int(1);
        if ((uint)db >= c.Cluster.DatabaseCount) throw new RebornException(Errors.DbIndexOutOfRange);
        c.Select(db);
        c.Ok();
        return default;
    }

    private static ValueTask Auth(CommandContext c)
    {
        if (c.ArgCount > 3) throw CommandContext.Syntax();
        if (c.ArgCount == 2 && RequirePass(c) is null)
            throw new RebornException("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        var user = c.ArgCount == 3 ? c.Arg(1) : "default"u8;
        if (!Authenticate(c, user, c.Arg(c.ArgCount - 1))) throw new RebornException(WrongPass);
        c.Ok();
        return default;
    }

    /// <summary>The only user is "default": it has no password unless requirepass is set.</summary>
    private static bool Authenticate(CommandContext c, ReadOnlySpan<byte> user, ReadOnlySpan<byte> password)
    {
        if (!user.SequenceEqual("default"u8)) return false;
        if (RequirePass(c) is { } required
            && !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(required), password)) return false;
        c.Session.Authenticated = true;
        return true;
    }

    private static string? RequirePass(CommandContext c) => c.Server?.Options.RequirePass;

    private static ValueTask Hello(CommandContext c)
    {
        int next = 1;
        long version = 0;
        if (c.ArgCount >= 2)
        {
            if (!Numbers.TryParseInt64(c.Arg(1), out version))
                throw new RebornException("ERR Protocol version is not an integer or out of range");
            if (version is < 2 or > 3) throw new RebornException("NOPROTO unsupported protocol version");
            next = 2;
        }
        int userAt = 0, nameAt = 0;
        for (int i = next; i < c.ArgCount; i++)
        {
            int more = c.ArgCount - 1 - i;
            if (c.Is(i, "AUTH"u8) && more >= 2) { userAt = i + 1; i += 2; }
            else if (c.Is(i, "SETNAME"u8) && more >= 1)
            {
                ClientNames.Validate(c.Arg(i + 1));
                nameAt = i + 1;
                i++;
            }
            else throw new RebornException($"ERR Syntax error in HELLO option '{c.Args.GetString(i)}'");
        }
        if (userAt > 0 && !Authenticate(c, c.Arg(userAt), c.Arg(userAt + 1))) throw new RebornException(WrongPass);
        if (!c.Session.Authenticated)
            throw new RebornException("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        if (nameAt > 0) c.Session.Name = ClientNames.FromArgument(c.Arg(nameAt));
        if (version != 0) c.Writer.Protocol = (int)version;

        var w = c.Writer;
        w.MapHeader(7);
        w.BulkString("server"u8); w.BulkString("redis"u8);
        w.BulkString("version"u8); w.BulkString(RedisVersion);
        w.BulkString("proto"u8); w.Integer(w.Protocol);
        w.BulkString("id"u8); w.Integer(c.Session.Id);
        w.BulkString("mode"u8); w.BulkString("standalone"u8);
        w.BulkString("role"u8); w.BulkString("master"u8);
        w.BulkString("modules"u8); w.ArrayHeader(0);
        return default;
    }

    private static ValueTask Quit(CommandContext c)
    {
        c.Ok();
        c.Session.CloseRequested = true;
        return default;
    }

    /// <summary>
    /// Back to a fresh connection's state, as Redis's clearClientConnectionState: no MULTI, no WATCH, no
    /// subscriptions, RESP2, database 0, no name, replies on, and authenticated only if no password is required.
    /// </summary>
    private static ValueTask Reset(CommandContext c)
    {
        var session = c.Session;
        session.InTransaction = false;
        session.TransactionDirty = false;
        session.QueuedCommands.Clear();
        if (session.Watches is { } watches)
        {
            c.Cluster.Unwatch(watches);
            session.Watches = null;
        }
        if (c.Server is { } server && session.SubscriptionCount > 0)
        {
            foreach (var connection in server.Connections)
                if (connection.Session == session) server.PubSub.RemoveAll(connection);
        }
        session.Channels.Clear();
        session.Patterns.Clear();
        c.Writer.Protocol = 2;
        c.Select(0);
        session.Name = null;
        session.ReplyMode = ReplyMode.On;
        session.NoEvict = false;
        session.Authenticated = RequirePass(c) is null;
        c.Writer.SimpleString("RESET"u8);
        return default;
    }
}

/// <summary>Client names as CLIENT SETNAME and HELLO SETNAME accept them.</summary>
internal static class ClientNames
{
    public static void Validate(ReadOnlySpan<byte> name)
    {
        foreach (byte b in name)
            if (b is < (byte)'!' or > (byte)'~')
                throw new RebornException("ERR Client names cannot contain spaces, newlines or special characters.");
    }

    /// <summary>An empty name clears the name.</summary>
    public static string? FromArgument(ReadOnlySpan<byte> name) => name.IsEmpty ? null : Encoding.ASCII.GetString(name);
}
