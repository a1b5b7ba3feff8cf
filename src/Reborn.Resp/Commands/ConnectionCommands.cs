using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>Connection commands that need no server state: PING, ECHO, SELECT.</summary>
internal static class ConnectionCommands
{
    private const CommandFlags F = CommandFlags.Fast | CommandFlags.Stale | CommandFlags.Loading;

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("PING", -1, F, 0, 0, 0, "@fast @connection", Ping),
        new("ECHO", 2, F, 0, 0, 0, "@fast @connection", Echo),
        new("SELECT", 2, F, 0, 0, 0, "@fast @connection", Select),
    ];

    private static ValueTask Ping(CommandContext c)
    {
        if (c.ArgCount > 2) throw new RebornException("ERR wrong number of arguments for 'ping' command");
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
}
