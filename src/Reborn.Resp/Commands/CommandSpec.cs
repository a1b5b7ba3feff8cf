namespace Reborn.Resp.Commands;

/// <summary>Redis's command flags, as COMMAND INFO reports them.</summary>
[Flags]
public enum CommandFlags
{
    None = 0,
    Write = 1 << 0,
    ReadOnly = 1 << 1,
    DenyOom = 1 << 2,
    Admin = 1 << 3,
    PubSub = 1 << 4,
    NoScript = 1 << 5,
    Blocking = 1 << 6,
    Loading = 1 << 7,
    Stale = 1 << 8,
    Fast = 1 << 9,
    NoAuth = 1 << 10,
    MayReplicate = 1 << 11,
    NoMulti = 1 << 12,
    AllowBusy = 1 << 13,
    SkipMonitor = 1 << 14,
    SkipSlowlog = 1 << 15,
    NoMandatoryKeys = 1 << 16,
    NoAsyncLoading = 1 << 17,
    /// <summary>Keys found by parsing (numkeys and the like), not by the FirstKey/LastKey/Step triple.</summary>
    MovableKeys = 1 << 18,
}

/// <summary>Runs one command: reads arguments from the context and writes exactly one reply.</summary>
public delegate ValueTask CommandHandler(CommandContext context);

/// <summary>
/// One row of the command table: what dispatch, routing and COMMAND need to know. Arity is Redis's:
/// positive means exactly that many arguments (command name included), negative means at least.
/// Keys are at FirstKey..LastKey (negative LastKey counts from the end) every Step arguments.
/// </summary>
public sealed record CommandSpec(
    string Name,
    int Arity,
    CommandFlags Flags,
    int FirstKey,
    int LastKey,
    int Step,
    string Categories,
    CommandHandler Handler)
{
    /// <summary>The name as error texts, INFO commandstats and CLIENT LIST show it; computed once, not per call.</summary>
    public string LowerName { get; } = Name.ToLowerInvariant();

    /// <summary>The lower-case name as bytes, to recognise a repeated command without a lookup.</summary>
    internal byte[] LowerNameBytes => field ??= System.Text.Encoding.ASCII.GetBytes(LowerName);

    /// <summary>Subcommands (CONFIG GET, CLIENT LIST ...), by upper-case name; null when none.</summary>
    public IReadOnlyDictionary<string, CommandSpec>? Subcommands { get; init; }

    /// <summary>Redis's command tips as COMMAND INFO lists them ("nondeterministic_output" ...); empty when none.</summary>
    public IReadOnlyList<string> Tips { get; init; } = [];

    /// <summary>The key positions of a concrete invocation.</summary>
    public IEnumerable<int> KeyPositions(int argumentCount)
    {
        if (FirstKey <= 0) yield break;
        int last = LastKey < 0 ? argumentCount + LastKey : LastKey;
        for (int i = FirstKey; i <= last && i < argumentCount; i += Math.Max(1, Step)) yield return i;
    }
}
