using Reborn.Core;

namespace Reborn.Resp.Commands;

/// <summary>
/// MULTI EXEC DISCARD WATCH UNWATCH, as Redis 7.0's multi.c. Queueing itself is CommandDispatcher's:
/// between MULTI and EXEC it answers QUEUED and marks the transaction dirty when it rejects a command
/// (unknown, wrong arity, NOAUTH ...), which EXEC then answers with EXECABORT.
/// </summary>
internal static class TransactionCommands
{
    private const CommandFlags Control = CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast | CommandFlags.AllowBusy;

    public const string ExecAbort = "EXECABORT Transaction discarded because of previous errors.";

    private static readonly CommandDispatcher InProcessDispatcher = new();

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("MULTI", 1, Control, 0, 0, 0, "@fast @transaction", Multi),
        new("EXEC", 1, CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.SkipSlowlog, 0, 0, 0, "@slow @transaction", Exec),
        new("DISCARD", 1, Control, 0, 0, 0, "@fast @transaction", Discard),
        new("WATCH", -2, Control, 1, -1, 1, "@fast @transaction", Watch),
        new("UNWATCH", 1, Control, 0, 0, 0, "@fast @transaction", Unwatch),
    ];

    private static ValueTask Multi(CommandContext c)
    {
        var session = c.Session;
        // Not a rejection: the open transaction stays clean, as in Redis.
        if (session.InTransaction) throw new RebornException("ERR MULTI calls can not be nested");
        session.InTransaction = true;
        session.TransactionDirty = false;
        session.QueuedCommands.Clear();
        c.Ok();
        return default;
    }

    private static ValueTask Discard(CommandContext c)
    {
        if (!c.Session.InTransaction) throw new RebornException("ERR DISCARD without MULTI");
        EndTransaction(c);
        c.Ok();
        return default;
    }

    private static ValueTask Watch(CommandContext c)
    {
        if (c.Session.InTransaction) throw new RebornException("ERR WATCH inside MULTI is not allowed");
        c.Session.Watches = c.Cluster.Watch(c.Session.Watches, c.DatabaseIndex, c.Keys(1, c.ArgCount - 1));
        c.Ok();
        return default;
    }

    /// <summary>Queued like any command inside MULTI; forgets every watched key.</summary>
    private static ValueTask Unwatch(CommandContext c)
    {
        ForgetWatches(c);
        c.Ok();
        return default;
    }

    /// <summary>
    /// Runs the queued commands alone against the whole cluster, their replies as one array. A
    /// rejected command while queueing aborts with EXECABORT; a write to a WATCHed key (checked under
    /// the same exclusive scope, so no write slips in between) aborts with the null array. Errors of
    /// single commands at run time are elements of the array, and the others still run.
    /// </summary>
    private static ValueTask Exec(CommandContext c)
    {
        var session = c.Session;
        if (!session.InTransaction) throw new RebornException("ERR EXEC without MULTI");
        var queued = session.QueuedCommands.ToArray();
        bool dirty = session.TransactionDirty;
        var watches = session.Watches;
        if (dirty)
        {
            EndTransaction(c);
            c.Outcome = CommandOutcome.Failed;
            c.Writer.Error(ExecAbort);
            return default;
        }
        // Out of MULTI before running, but still watching until the check below is done.
        session.InTransaction = false;
        session.QueuedCommands.Clear();

        var dispatcher = c.Server?.Dispatcher ?? InProcessDispatcher;
        var execArgs = c.Args;
        var commandArgs = new Protocol.RespCommandArgs();
        try
        {
            // Operations inside must complete on this thread: the scope holds thread-owned locks.
            using (c.Cluster.BeginExclusive())
            {
                if (watches is { IsDirty: true })
                {
                    c.Writer.NullArray();
                    return default;
                }
                c.InExec = true;
                c.Writer.ArrayHeader(queued.Length);
                var statCache = default(Server.ServerStatistics.CommandStatCache);
                foreach (var command in queued)
                {
                    commandArgs.Load(command);
                    c.Args = commandArgs;
                    var spec = dispatcher.Table.Find(commandArgs[0]);
                    if (spec is null)
                    {
                        // Unknown commands are rejected while queueing; kept for a table that changed meanwhile.
                        c.Writer.Error($"ERR unknown command '{commandArgs.GetString(0)}'");
                        continue;
                    }
                    c.CommandName = spec.LowerName;
                    c.Outcome = CommandOutcome.Done;
                    long started = System.Diagnostics.Stopwatch.GetTimestamp();
                    var pending = dispatcher.Run(spec, c);
                    if (!pending.IsCompletedSuccessfully) pending.AsTask().GetAwaiter().GetResult();
                    // Each queued command counts in the statistics as it runs, as Redis's call() counts it.
                    c.Server?.RecordCommand(c.CommandName, System.Diagnostics.Stopwatch.GetTimestamp() - started, c.Outcome, ref statCache);
                }
            }
        }
        finally
        {
            ForgetWatches(c);
            c.InExec = false;
            c.Args = execArgs;
            c.CommandName = "exec";
            c.Outcome = CommandOutcome.Done; // the queued commands' errors are theirs, not EXEC's
            commandArgs.Dispose();
        }
        return default;
    }

    /// <summary>
    /// EXEC rejected before it runs (wrong arity, NOAUTH ...) inside MULTI: the transaction is
    /// discarded and the reply names the reason, as Redis's execCommandAbort.
    /// </summary>
    public static string AbortExec(CommandContext c, string error)
    {
        EndTransaction(c);
        return "EXECABORT Transaction discarded because of: " + (error.StartsWith("ERR ", StringComparison.Ordinal) ? error[4..] : error);
    }

    /// <summary>Leaves MULTI state and releases the WATCH set, as Redis's discardTransaction.</summary>
    private static void EndTransaction(CommandContext c)
    {
        var session = c.Session;
        session.InTransaction = false;
        session.TransactionDirty = false;
        session.QueuedCommands.Clear();
        ForgetWatches(c);
    }

    private static void ForgetWatches(CommandContext c)
    {
        if (c.Session.Watches is not { } watches) return;
        c.Cluster.Unwatch(watches);
        c.Session.Watches = null;
    }
}
