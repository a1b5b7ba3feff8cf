using System.Text;
using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>CLIENT: ID SETNAME GETNAME LIST INFO KILL NO-EVICT REPLY GETREDIR UNPAUSE HELP, with Redis 7.0's replies and errors.</summary>
internal static class ClientCommands
{
    private const CommandFlags Own = CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale;
    private const CommandFlags Admin = CommandFlags.Admin | Own;
    private const string OwnCategories = "@slow @connection";
    private const string AdminCategories = "@admin @slow @dangerous @connection";

    private static readonly IReadOnlyDictionary<string, CommandSpec> Table = Subcommands.Of(
        new("CLIENT|ID", 2, Own, 0, 0, 0, OwnCategories, Id),
        new("CLIENT|SETNAME", 3, Own, 0, 0, 0, OwnCategories, SetName),
        new("CLIENT|GETNAME", 2, Own, 0, 0, 0, OwnCategories, GetName),
        new("CLIENT|LIST", -2, Admin, 0, 0, 0, AdminCategories, List) { Tips = ["nondeterministic_output"] },
        new("CLIENT|INFO", 2, Own, 0, 0, 0, OwnCategories, Info) { Tips = ["nondeterministic_output"] },
        new("CLIENT|KILL", -3, Admin, 0, 0, 0, AdminCategories, Kill),
        new("CLIENT|NO-EVICT", 3, Admin, 0, 0, 0, AdminCategories, NoEvict),
        new("CLIENT|REPLY", 3, Own, 0, 0, 0, OwnCategories, Reply),
        new("CLIENT|GETREDIR", 2, Own, 0, 0, 0, OwnCategories, GetRedirect),
        new("CLIENT|UNPAUSE", 2, Admin, 0, 0, 0, AdminCategories, Unpause),
        new("CLIENT|HELP", 2, CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, OwnCategories, Help));

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("CLIENT", -2, CommandFlags.None, 0, 0, 0, "@slow", c => Subcommands.Run(c, "CLIENT", Table)) { Subcommands = Table },
    ];

    private static ValueTask Id(CommandContext c)
    {
        c.Writer.Integer(c.Session.Id);
        return default;
    }

    private static ValueTask SetName(CommandContext c)
    {
        ClientNames.Validate(c.Arg(2));
        c.Session.Name = ClientNames.FromArgument(c.Arg(2));
        c.Ok();
        return default;
    }

    private static ValueTask GetName(CommandContext c)
    {
        if (c.Session.Name is { } name) c.Writer.BulkString(name);
        else c.Writer.Null();
        return default;
    }

    /// <summary>CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID id ...].</summary>
    private static ValueTask List(CommandContext c)
    {
        string? type = null;
        HashSet<long>? ids = null;
        if (c.ArgCount == 4 && c.Is(2, "TYPE"u8))
        {
            type = c.Args.GetString(3).ToLowerInvariant();
            if (type == "slave") type = "replica";
            if (type is not ("normal" or "master" or "replica" or "pubsub"))
                throw new RebornException($"ERR Unknown client type '{c.Args.GetString(3)}'");
        }
        else if (c.ArgCount > 3 && c.Is(2, "ID"u8))
        {
            ids = new HashSet<long>();
            for (int i = 3; i < c.ArgCount; i++)
            {
                if (!Numbers.TryParseInt64(c.Arg(i), out long id)) throw new RebornException("ERR Invalid client ID");
                ids.Add(id);
            }
        }
        else if (c.ArgCount != 2) throw CommandContext.Syntax();

        var text = new StringBuilder();
        foreach (var client in Clients(c))
        {
            if (ids is not null && !ids.Contains(client.Session.Id)) continue;
            if (type is not null && type != TypeOf(client.Session)) continue;
            AppendInfo(text, client, c);
            text.Append('\n');
        }
        c.Writer.VerbatimString("txt"u8, Encoding.UTF8.GetBytes(text.ToString()));
        return default;
    }

    private static ValueTask Info(CommandContext c)
    {
        var text = new StringBuilder();
        AppendInfo(text, new ClientView(c.Session, c.DatabaseIndex, c.Writer.Protocol), c);
        text.Append('\n');
        c.Writer.VerbatimString("txt"u8, Encoding.UTF8.GetBytes(text.ToString()));
        return default;
    }

    /// <summary>
    /// CLIENT KILL ip:port (the old form: an error when none matched, may kill the caller) or
    /// CLIENT KILL [ID id] [TYPE type] [USER name] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no]: the number killed.
    /// </summary>
    private static ValueTask Kill(CommandContext c)
    {
        long? id = null;
        string? type = null, address = null, localAddress = null;
        bool skipMe = true, oldForm = c.ArgCount == 3;
        if (oldForm)
        {
            address = c.Args.GetString(2);
            skipMe = false;
        }
        else
        {
            if ((c.ArgCount & 1) != 0) throw CommandContext.Syntax();
            for (int i = 2; i < c.ArgCount; i += 2)
            {
                string value = c.Args.GetString(i + 1);
                if (c.Is(i, "ID"u8))
                {
                    if (!Numbers.TryParseInt64(c.Arg(i + 1), out long parsed) || parsed <= 0)
                        throw new RebornException("ERR client-id should be greater than 0");
                    id = parsed;
                }
                else if (c.Is(i, "TYPE"u8))
                {
                    type = value.ToLowerInvariant();
                    if (type == "slave") type = "replica";
                    if (type is not ("normal" or "master" or "replica" or "pubsub"))
                        throw new RebornException($"ERR Unknown client type '{value}'");
                }
                else if (c.Is(i, "USER"u8))
                {
                    if (value != "default") throw new RebornException($"ERR No such user '{value}'");
                }
                else if (c.Is(i, "ADDR"u8)) address = value;
                else if (c.Is(i, "LADDR"u8)) localAddress = value;
                else if (c.Is(i, "SKIPME"u8))
                {
                    if (c.Is(i + 1, "YES"u8)) skipMe = true;
                    else if (c.Is(i + 1, "NO"u8)) skipMe = false;
                    else throw CommandContext.Syntax();
                }
                else throw CommandContext.Syntax();
            }
        }

        long killed = 0;
        bool killSelf = false;
        foreach (var client in Clients(c))
        {
            var session = client.Session;
            if (id is { } wanted && session.Id != wanted) continue;
            if (type is not null && type != TypeOf(session)) continue;
            if (address is not null && session.RemoteAddress != address) continue;
            if (localAddress is not null && session.LocalAddress != localAddress) continue;
            if (session == c.Session)
            {
                if (skipMe) continue;
                killSelf = true; // closed after this reply is flushed, as Redis's CLIENT_CLOSE_AFTER_REPLY
            }
            else client.Kill();
            killed++;
        }
        if (oldForm)
        {
            if (killed == 0) throw new RebornException("ERR No such client");
            c.Ok();
        }
        else c.Writer.Integer(killed);
        if (killSelf) c.Session.CloseRequested = true;
        return default;
    }

    private static ValueTask NoEvict(CommandContext c)
    {
        if (c.Is(2, "ON"u8)) c.Session.NoEvict = true;
        else if (c.Is(2, "OFF"u8)) c.Session.NoEvict = false;
        else throw CommandContext.Syntax();
        c.Ok();
        return default;
    }

    /// <summary>ON answers OK; OFF and SKIP answer nothing (SKIP silences the next command's reply).</summary>
    private static ValueTask Reply(CommandContext c)
    {
        if (c.Is(2, "ON"u8))
        {
            c.Session.ReplyMode = ReplyMode.On;
            c.Ok();
        }
        else if (c.Is(2, "OFF"u8)) c.Session.ReplyMode = ReplyMode.Off;
        else if (c.Is(2, "SKIP"u8))
        {
            if (c.Session.ReplyMode != ReplyMode.Off) c.Session.ReplyMode = ReplyMode.Skip;
        }
        else throw CommandContext.Syntax();
        return default;
    }

    private static ValueTask GetRedirect(CommandContext c)
    {
        c.Writer.Integer(-1);
        return default;
    }

    private static ValueTask Unpause(CommandContext c)
    {
        c.Ok();
        return default;
    }

    private static ValueTask Help(CommandContext c)
    {
        Subcommands.Help(c, "CLIENT",
        [
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ]);
        return default;
    }

    // ---- the clients as CLIENT LIST sees them -------------------------------------------------

    /// <summary>One client's session with the state its connection holds (database, protocol); Kill closes it.</summary>
    private readonly record struct ClientView(ClientSession Session, int Database, int Protocol)
    {
        public void Kill() => Session.Kill?.Invoke();
    }

    private static IEnumerable<ClientView> Clients(CommandContext c)
    {
        if (c.Server is null)
        {
            yield return new ClientView(c.Session, c.DatabaseIndex, c.Writer.Protocol);
            yield break;
        }
        foreach (var connection in c.Server.Connections.OrderBy(x => x.Session.Id))
        {
            if (connection.Session == c.Session) yield return new ClientView(c.Session, c.DatabaseIndex, c.Writer.Protocol);
            else if (connection.Context is { } context) yield return new ClientView(connection.Session, context.DatabaseIndex, context.Writer.Protocol);
            else yield return new ClientView(connection.Session, 0, 2);
        }
    }

    private static string TypeOf(ClientSession session) => session.SubscriptionCount > 0 ? "pubsub" : "normal";

    /// <summary>Redis 7.0's client line. Buffer and memory fields Reborn does not track are 0.</summary>
    private static void AppendInfo(StringBuilder text, ClientView client, CommandContext c)
    {
        var s = client.Session;
        var now = DateTimeOffset.UtcNow;
        string flags = (s.SubscriptionCount > 0 ? "P" : "") + (s.InTransaction ? "x" : "") + (s.CloseRequested ? "c" : "") + (s.NoEvict ? "e" : "");
        text.Append("id=").Append(s.Id)
            .Append(" addr=").Append(s.RemoteAddress)
            .Append(" laddr=").Append(s.LocalAddress)
            .Append(" fd=-1")
            .Append(" name=").Append(s.Name)
            .Append(" age=").Append((long)(now - s.CreatedAt).TotalSeconds)
            .Append(" idle=").Append(Math.Max(0, (long)(now - s.LastInteraction).TotalSeconds))
            .Append(" flags=").Append(flags.Length == 0 ? "N" : flags)
            .Append(" db=").Append(client.Database)
            .Append(" sub=").Append(s.Channels.Count)
            .Append(" psub=").Append(s.Patterns.Count)
            .Append(" ssub=0")
            .Append(" multi=").Append(s.InTransaction ? s.QueuedCommands.Count : -1)
            .Append(" qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0")
            .Append(" events=r")
            .Append(" cmd=").Append(s == c.Session ? c.CommandName : s.LastCommand)
            .Append(" user=default redir=-1")
            .Append(" resp=").Append(client.Protocol);
    }
}
