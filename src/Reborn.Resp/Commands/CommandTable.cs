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
            .Concat(HashCommands.Specs)
            .Concat(ListCommands.Specs)
            .Concat(SetCommands.Specs)
            .Concat(SortedSetCommands.Specs)
            .Concat(TransactionCommands.Specs)
            .Concat(PubSubCommands.Specs)
            .Concat(BlockingCommands.Specs));

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

    /// <summary>
    /// <see cref="Find(ReadOnlySpan{byte})"/> that first compares with the command found last on the
    /// same connection (<paramref name="last"/>, updated): a pipeline mostly repeats one command.
    /// </summary>
    public CommandSpec? Find(ReadOnlySpan<byte> name, ref CommandSpec? last)
    {
        if (last is not null && System.Text.Ascii.EqualsIgnoreCase(name, last.LowerNameBytes)) return last;
        var spec = Find(name);
        if (spec is not null) last = spec;
        return spec;
    }

    internal static string Lower(ReadOnlySpan<byte> name) => Encoding.UTF8.GetString(name).ToLowerInvariant();
}
