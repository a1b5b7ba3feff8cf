using System.Runtime.CompilerServices;
using Reborn.Core;

namespace Reborn.Resp.Commands;

/// <summary>
/// Server commands: INFO, CONFIG, TIME, LASTSAVE, SAVE, BGSAVE, SHUTDOWN, OBJECT. Split by command:
/// ServerCommands.Info.cs, .Config.cs, .Object.cs.
/// </summary>
internal static partial class ServerCommands
{
    private const CommandFlags LoadingStale = CommandFlags.Loading | CommandFlags.Stale;
    private const CommandFlags Persisting = CommandFlags.Admin | CommandFlags.NoScript | CommandFlags.NoAsyncLoading;

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("INFO", -1, LoadingStale, 0, 0, 0, "@slow @dangerous", Info) { Tips = ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"] },
        new("CONFIG", -2, CommandFlags.None, 0, 0, 0, "@slow", c => Subcommands.Run(c, "CONFIG", ConfigTable)) { Subcommands = ConfigTable },
        new("OBJECT", -2, CommandFlags.None, 0, 0, 0, "@slow", c => Subcommands.Run(c, "OBJECT", ObjectTable)) { Subcommands = ObjectTable },
        new("TIME", 1, LoadingStale | CommandFlags.Fast, 0, 0, 0, "@fast", Time) { Tips = ["nondeterministic_output"] },
        new("LASTSAVE", 1, LoadingStale | CommandFlags.Fast, 0, 0, 0, "@admin @fast @dangerous", LastSave) { Tips = ["nondeterministic_output"] },
        new("SAVE", 1, Persisting | CommandFlags.NoMulti, 0, 0, 0, "@admin @slow @dangerous", Save),
        new("BGSAVE", -1, Persisting, 0, 0, 0, "@admin @slow @dangerous", BackgroundSave),
        new("SHUTDOWN", -1, CommandFlags.Admin | CommandFlags.NoScript | LoadingStale | CommandFlags.NoMulti | CommandFlags.AllowBusy, 0, 0, 0, "@admin @slow @dangerous", Shutdown),
    ];

    // ---- per-server state the commands keep (CONFIG values without a RespServerOptions home, save times) ----

    private static readonly ConditionalWeakTable<Server.RespServer, ServerState> States = new();
    private static readonly ServerState InProcess = new();

    private static ServerState State(CommandContext c) => c.Server is null ? InProcess : States.GetValue(c.Server, static _ => new ServerState());

    private sealed class ServerState
    {
        public readonly string RunId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        public readonly string ReplicationId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        public readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;
        public readonly Dictionary<string, string> Values = new(StringComparer.Ordinal);
        public readonly Lock Gate = new();
        public long LastSaveUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        public Task BackgroundSave = Task.CompletedTask;
        public long Saves;
    }

    private static ValueTask Time(CommandContext c)
    {
        long micros = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        c.Writer.ArrayHeader(2);
        c.Writer.BulkString(micros / 1_000_000);
        c.Writer.BulkString(micros % 1_000_000);
        return default;
    }

    private static ValueTask LastSave(CommandContext c)
    {
        c.Writer.Integer(Interlocked.Read(ref State(c).LastSaveUnixSeconds));
        return default;
    }

    /// <summary>SAVE: makes every write so far durable on every engine.</summary>
    private static async ValueTask Save(CommandContext c)
    {
        var state = State(c);
        await c.Cluster.FlushAsync().ConfigureAwait(false);
        Saved(c.Server, state);
        c.Ok();
    }

    private static void Saved(Server.RespServer? server, ServerState state)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Interlocked.Exchange(ref state.LastSaveUnixSeconds, now);
        Interlocked.Increment(ref state.Saves);
        if (server is not null) Interlocked.Exchange(ref server.Statistics.LastSaveUnixSeconds, now);
    }

    /// <summary>BGSAVE [SCHEDULE]: the engines flush in the background.</summary>
    private static ValueTask BackgroundSave(CommandContext c)
    {
        if (c.ArgCount > 2 || (c.ArgCount == 2 && !c.Is(1, "SCHEDULE"u8))) throw CommandContext.Syntax();
        var state = State(c);
        lock (state.Gate)
        {
            if (!state.BackgroundSave.IsCompleted) throw new RebornException("ERR Background save already in progress");
            var cluster = c.Cluster;
            var server = c.Server;
            state.BackgroundSave = Task.Run(async () =>
            {
                await cluster.FlushAsync().ConfigureAwait(false);
                Saved(server, state);
            });
        }
        c.Writer.SimpleString("Background saving started"u8);
        return default;
    }

    /// <summary>
    /// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] | ABORT: flushes the engines (unless NOSAVE), asks the server to
    /// stop, and closes this connection without a reply, as Redis does.
    /// </summary>
    private static async ValueTask Shutdown(CommandContext c)
    {
        bool noSave = false, save = false, abort = false;
        for (int i = 1; i < c.ArgCount; i++)
        {
            if (c.Is(i, "NOSAVE"u8)) noSave = true;
            else if (c.Is(i, "SAVE"u8)) save = true;
            else if (c.Is(i, "NOW"u8) || c.Is(i, "FORCE"u8)) { }
            else if (c.Is(i, "ABORT"u8)) abort = true;
            else throw CommandContext.Syntax();
        }
        if ((noSave && save) || (abort && c.ArgCount > 2)) throw CommandContext.Syntax();
        if (abort) throw new RebornException("ERR No shutdown in progress.");

        if (!noSave) await c.Cluster.FlushAsync().ConfigureAwait(false);
        c.Session.CloseRequested = true;
        c.Server?.RequestShutdown();
    }
}
