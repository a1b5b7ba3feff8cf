using System.Text;
using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>
/// Looks a command up in the table, checks its arity, runs it, and turns a RebornException into
/// Redis's error reply. One dispatcher serves every connection.
/// </summary>
public sealed class CommandDispatcher
{
    public CommandDispatcher(CommandTable? table = null) => Table = table ?? CommandTable.Default;

    public CommandTable Table { get; }

    /// <summary>Runs the command in <see cref="CommandContext.Args"/>; always writes exactly one reply.</summary>
    public ValueTask ExecuteAsync(CommandContext context)
    {
        var args = context.Args;
        var spec = Table.Find(args[0]);
        if (spec is null)
        {
            context.Writer.Error(UnknownCommand(context));
            return default;
        }
        context.CommandName = spec.Name.ToLowerInvariant();
        if (spec.Arity > 0 ? args.Count != spec.Arity : args.Count < -spec.Arity)
        {
            context.Writer.Error($"ERR wrong number of arguments for '{context.CommandName}' command");
            return default;
        }
        try
        {
            var pending = spec.Handler(context);
            return pending.IsCompletedSuccessfully ? default : AwaitHandler(pending, context);
        }
        catch (RebornException error)
        {
            context.Writer.Error(error.Message);
            return default;
        }
    }

    private static async ValueTask AwaitHandler(ValueTask pending, CommandContext context)
    {
        try { await pending.ConfigureAwait(false); }
        catch (RebornException error) { context.Writer.Error(error.Message); }
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
