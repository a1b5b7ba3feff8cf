using Reborn.Core;

namespace Reborn.Resp.Commands;

/// <summary>
/// Container commands (CLIENT, CONFIG, OBJECT, COMMAND): the subcommand table of each, and the lookup
/// and arity check Redis 7.0 does before running a subcommand, with its error texts.
/// </summary>
internal static class Subcommands
{
    /// <summary>Subcommands keyed by their upper-case name after the '|' ("CLIENT|KILL" is "KILL").</summary>
    public static IReadOnlyDictionary<string, CommandSpec> Of(params CommandSpec[] specs) =>
        specs.ToDictionary(s => s.Name[(s.Name.IndexOf('|') + 1)..], StringComparer.OrdinalIgnoreCase);

    /// <summary>Runs the subcommand named by argument 1; records "container|sub" as the command name.</summary>
    public static ValueTask Run(CommandContext c, string container, IReadOnlyDictionary<string, CommandSpec> table)
    {
        if (Check(c, container, table, out var spec) is { } error)
        {
            c.Outcome = CommandOutcome.Rejected;
            c.Writer.Error(error);
            return default;
        }
        c.Session.LastCommand = c.CommandName;
        return spec!.Handler(c);
    }

    /// <summary>
    /// The error Redis 7.0 answers, before running or queueing a container command, when the
    /// subcommand named by argument 1 is unknown or has the wrong arity; null when it may run. Sets
    /// the name commandstats counts it under: "container|sub", or none for an unknown subcommand.
    /// </summary>
    public static string? Check(CommandContext c, string container, IReadOnlyDictionary<string, CommandSpec> table, out CommandSpec? spec)
    {
        string name = c.Args.GetString(1);
        if (!table.TryGetValue(name, out spec))
        {
            c.CommandName = "";
            return $"ERR unknown subcommand '{(name.Length > 128 ? name[..128] : name)}'. Try {container} HELP.";
        }
        c.CommandName = spec.Name.ToLowerInvariant();
        bool arity = spec.Arity > 0 ? c.ArgCount == spec.Arity : c.ArgCount >= -spec.Arity;
        return arity ? null : $"ERR wrong number of arguments for '{c.CommandName}' command";
    }

    /// <summary>A HELP reply: one status line per text line, as Redis's addReplyHelp.</summary>
    public static void Help(CommandContext c, string container, string[] lines)
    {
        c.Writer.ArrayHeader(lines.Length + 3);
        c.Writer.SimpleString($"{container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        foreach (var line in lines) c.Writer.SimpleString(line);
        c.Writer.SimpleString("HELP");
        c.Writer.SimpleString("    Prints this help.");
    }
}
