using System.Text;

namespace Reborn.Resp.Commands;

/// <summary>
/// The one command table: every command Reborn serves, declared once by its family
/// (StringCommands, KeyCommands, ...). Dispatch, routing and COMMAND all read it.
/// </summary>
public sealed class CommandTable
{
    private readonly Dictionary<string, CommandSpec> _byName;
    private readonly Dictionary<string, CommandSpec>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CommandTable(IEnumerable<CommandSpec> specs)
    {
        _byName = new Dictionary<string, CommandSpec>(StringComparer.OrdinalIgnoreCase);
        foreach (var spec in specs) _byName.Add(spec.Name, spec);
        _lookup = _byName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every command family Reborn serves.</summary>
    public static CommandTable Default { get; } = new(
        StringCommands.Specs
            .Concat(KeyCommands.Specs)
            .Concat(ConnectionCommands.Specs)
            .Concat(ServerCommands.Specs)
            .Concat(ClientCommands.Specs)
            .Concat(CommandCommands.Specs)
            .Concat(AdminCommands.Specs)
            .Concat(CommandFamilies.Extra));

    public IReadOnlyCollection<CommandSpec> All => _byName.Values;

    public int Count => _byName.Count;

    /// <summary>Finds a command by name, ASCII case-insensitively, without allocating.</summary>
    public CommandSpec? Find(ReadOnlySpan<byte> name)
    {
        if (name.Length > 64) return null;
        Span<char> chars = stackalloc char[name.Length];
        for (int i = 0; i < name.Length; i++) chars[i] = (char)name[i];
        return _lookup.TryGetValue(chars, out var spec) ? spec : null;
    }

    public CommandSpec? Find(string name) => _byName.GetValueOrDefault(name);

    internal static string Lower(ReadOnlySpan<byte> name) => Encoding.UTF8.GetString(name).ToLowerInvariant();
}

/// <summary>Command families added by later work register here, one line each.</summary>
internal static partial class CommandFamilies
{
    public static IEnumerable<CommandSpec> Extra =>
        HashFamily.Concat(ListFamily).Concat(SetFamily).Concat(SortedSetFamily).Concat(ServerFamily)
            .Concat(TransactionFamily).Concat(PubSubFamily).Concat(BlockingFamily);

    private static IEnumerable<CommandSpec> HashFamily => HashCommandsOrEmpty();
    private static IEnumerable<CommandSpec> ListFamily => ListCommandsOrEmpty();
    private static IEnumerable<CommandSpec> SetFamily => SetCommandsOrEmpty();
    private static IEnumerable<CommandSpec> SortedSetFamily => SortedSetCommandsOrEmpty();
    private static IEnumerable<CommandSpec> ServerFamily => ServerCommandsOrEmpty();
    private static IEnumerable<CommandSpec> TransactionFamily => TransactionCommandsOrEmpty();
    private static IEnumerable<CommandSpec> PubSubFamily => PubSubCommandsOrEmpty();
    private static IEnumerable<CommandSpec> BlockingFamily => BlockingCommandsOrEmpty();

    static partial void HashCommands(ref IEnumerable<CommandSpec> specs);
    static partial void ListCommands(ref IEnumerable<CommandSpec> specs);
    static partial void SetCommands(ref IEnumerable<CommandSpec> specs);
    static partial void SortedSetCommands(ref IEnumerable<CommandSpec> specs);
    static partial void ServerCommands(ref IEnumerable<CommandSpec> specs);
    static partial void TransactionCommands(ref IEnumerable<CommandSpec> specs);
    static partial void PubSubCommands(ref IEnumerable<CommandSpec> specs);
    static partial void BlockingCommands(ref IEnumerable<CommandSpec> specs);

    private static IEnumerable<CommandSpec> HashCommandsOrEmpty() { IEnumerable<CommandSpec> s = []; HashCommands(ref s); return s; }
    private static IEnumerable<CommandSpec> ListCommandsOrEmpty() { IEnumerable<CommandSpec> s = []; ListCommands(ref s); return s; }
    private static IEnumerable<CommandSpec> SetCommandsOrEmpty() { IEnumerable<CommandSpec> s = []; SetCommands(ref s); return s; }
    private static IEnumerable<CommandSpec> SortedSetCommandsOrEmpty() { IEnumerable<CommandSpec> s = []; SortedSetCommands(ref s); return s; }
    private static IEnumerable<CommandSpec> ServerCommandsOrEmpty() { IEnumerable<CommandSpec> s = []; ServerCommands(ref s); return s; }
    private static IEnumerable<CommandSpec> TransactionCommandsOrEmpty() { IEnumerable<CommandSpec> s = []; TransactionCommands(ref s); return s; }
    private static IEnumerable<CommandSpec> PubSubCommandsOrEmpty() { IEnumerable<CommandSpec> s = []; PubSubCommands(ref s); return s; }
    private static IEnumerable<CommandSpec> BlockingCommandsOrEmpty() { IEnumerable<CommandSpec> s = []; BlockingCommands(ref s); return s; }
}
