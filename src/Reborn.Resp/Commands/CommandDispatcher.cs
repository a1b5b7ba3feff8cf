using System.Text;
using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>
/// Looks a command up in the table, checks arity, authentication, MULTI queueing and the
/// subscribed context in Redis 7.0's order, runs it, and turns a RebornException into Redis's
/// error reply. One dispatcher serves every connection.
/// </summary>
public sealed class CommandDispatcher
{
    public CommandDispatcher(CommandTable? table = null) => Table = table ?? CommandTable.Default;

    public CommandTable Table { get; }

    /// <summary>Runs the command in <see cref="CommandContext.Args"/>; always writes exactly one reply.</summary>
    public ValueTask ExecuteAsync(CommandContext context)
    {
        var args = context.Args;
        var session = context.Session;
        var spec = Table.Find(args[0], ref context.LastSpec);
        context.Outcome = CommandOutcome.Done;
        if (spec is null)
        {
            context.CommandName = ""; // an unknown command counts nowhere, as in Redis
            Reject(context, UnknownCommand(context));
            return default;
        }
        context.CommandName = spec.LowerName;
        if (spec.Arity > 0 ? args.Count != spec.Arity : args.Count < -spec.Arity)
        {
            Reject(context, $"ERR wrong number of arguments for '{context.CommandName}' command");
            return default;
        }
        // A container's subcommand is looked up and checked here too, so inside MULTI a bad one aborts the transaction.
        if (spec.Subcommands is { } subcommands && args.Count > 1 && Subcommands.Check(context, spec.Name, subcommands, out _) is { } subcommandError)
        {
            Reject(context, subcommandError);
            return default;
        }
        if (!session.Authenticated && (spec.Flags & CommandFlags.NoAuth) == 0)
        {
            Reject(context, "NOAUTH Authentication required.");
            return default;
        }
        if (session.SubscriptionCount > 0 && context.Writer.Protocol == 2 && !AllowedWhileSubscribed(spec.Name))
        {
            Reject(context, $"ERR Can't execute '{context.CommandName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return default;
        }
        if (session.InTransaction && !IsTransactionControl(spec.Name))
        {
            var queued = new byte[args.Count][];
            for (int i = 0; i < queued.Length; i++) queued[i] = args.ToArray(i);
            session.QueuedCommands.Add(queued);
            context.CommandName = ""; // counted when EXEC runs it, as in Redis
            context.Writer.SimpleString("QUEUED"u8);
            return default;
        }
        session.LastCommand = context.CommandName;
        return Run(spec, context);
    }

    /// <summary>Runs a command already checked (EXEC's queued commands come through here).</summary>
    internal ValueTask Run(CommandSpec spec, CommandContext context)
    {
        try
        {
            var pending = spec.Handler(context);
            return pending.IsCompletedSuccessfully ? default : AwaitHandler(pending, context);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            Fail(context, error);
            return default;
        }
    }

    /// <summary>
    /// A RebornException is Redis's error reply. Anything else is a bug or an engine failure: the
    /// client gets an error reply, never a dropped connection, unless part of the reply is already
    /// written (a range read that failed half-way): then the connection closes, since an error after
    /// a truncated aggregate would be read as its next element.
    /// </summary>
    private static void Fail(CommandContext context, Exception error)
    {
        context.Outcome = CommandOutcome.Failed;
        if (context.ReplyIncomplete)
        {
            context.Session.CloseRequested = true;
            return;
        }
        context.Writer.Error(error is RebornException reborn ? reborn.Message : InternalError(error));
    }

    private static string InternalError(Exception error) => $"ERR internal error: {error.GetType().Name}: {error.Message}".ReplaceLineEndings(" ");

    private static void Reject(CommandContext context, string error)
    {
        context.Outcome = CommandOutcome.Rejected;
        if (context.Session.InTransaction) context.Session.TransactionDirty = true;
        // A rejected EXEC, in MULTI or not, ends any transaction and names the reason (Redis's execCommandAbort).
        if (context.Args.Is(0, "EXEC"u8)) error = TransactionCommands.AbortExec(context, error);
        context.Writer.Error(error);
    }

    private static bool IsTransactionControl(string name) =>
        name is "EXEC" or "DISCARD" or "MULTI" or "WATCH" or "QUIT" or "RESET";

    private static bool AllowedWhileSubscribed(string name) =>
        name is "SUBSCRIBE" or "UNSUBSCRIBE" or "PSUBSCRIBE" or "PUNSUBSCRIBE" or "SSUBSCRIBE" or "SUNSUBSCRIBE" or "PING" or "QUIT" or "RESET";

    private static async ValueTask AwaitHandler(ValueTask pending, CommandContext context)
    {
        try { await pending.ConfigureAwait(false); }
        catch (Exception error) when (error is not OperationCanceledException) { Fail(context, error); }
    }

    private static string UnknownCommand(CommandContext context)
    {
        var args = context.Args;
        var text = new StringBuilder("ERR unknown command '").Append(Truncate(args.GetString(0))).Append("', with args beginning with: ");
        for (int i = 1; i < args.Count && text.Length < 128; i++)
            text.Append('\'').Append(Truncate(args.GetString(i))).Append("' ");
        return text.ToString();
    }

    private static string Truncate(string text) => text.Length > 128 ? text[..128] : text;
}
