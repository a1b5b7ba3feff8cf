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

    /// <summary>
    /// Runs the subcommand named by argument 1; records "container|sub" as the command name. As in
    /// Redis's commandstats, an unknown subcommand counts nowhere and a wrong arity is a rejected call
    /// of the subcommand.
    /// </summary>
    public static ValueTask Run(CommandContext c, string container, IReadOnlyDictionary<string, CommandSpec> table)
    {
        string name = c.Args.GetString(1);
        if (!table.TryGetValue(name, out var spec))
        {
            c.CommandName = "";
            throw new RebornException($"ERR unknown subcommand '{(name.Length > 128 ? name[..128] : name)}'. Try {container} HELP.");
        }
        string fullName = spec.Name.ToLowerInvariant();
        c.CommandName = fullName;
        if (spec.Arity > 0 ? c.ArgCount != spec.Arity : c.ArgCount < -spec.Arity)
        {
            c.Outcome = CommandOutcome.Rejected;
            c.Writer.Error($"ERR wrong number of arguments for '{fullName}' command");
            return default;
        }
        c.Session.LastCommand = fullName;
        return spec.Handler(c);
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
