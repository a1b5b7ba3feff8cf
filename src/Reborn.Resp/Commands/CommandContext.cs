using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Commands;

/// <summary>
/// One client's session as commands see it: the cluster, the selected database, the arguments of
/// the command being run and the writer its reply goes to. One per connection, reused.
/// </summary>
public sealed partial class CommandContext
{
    public CommandContext(IKeyValueCluster cluster, RespWriter writer)
    {
        Cluster = cluster;
        Writer = writer;
        Db = cluster.GetDatabase(0);
        _aggregate = new AggregateReply(this);
    }

    private readonly AggregateReply _aggregate;

    /// <summary>The command this connection ran last (CommandTable.Find's shortcut).</summary>
    internal CommandSpec? LastSpec;

    public IKeyValueCluster Cluster { get; }
    public RespWriter Writer { get; set; }

    /// <summary>The connection's state. In process (no server) a fresh, authenticated session.</summary>
    public ClientSession Session { get; set; } = new();

    /// <summary>The server this client is connected to; null in process.</summary>
    public Server.RespServer? Server { get; set; }

    /// <summary>True while EXEC runs queued commands: blocking commands must not wait.</summary>
    public bool InExec { get; set; }

    /// <summary>Cancelled when the connection closes (client gone, CLIENT KILL, shutdown): blocking waits observe it.</summary>
    public CancellationToken Aborted { get; set; }
    public RespCommandArgs Args { get; set; } = null!;
    public KeyValueDatabase Db { get; private set; }
    public int DatabaseIndex => Db.Database;

    /// <summary>The lower-case name of the running command, for error texts.</summary>
    public string CommandName { get; set; } = "";

    /// <summary>How the running command ended, for INFO commandstats: rejected before it ran, failed with an error reply, or done.</summary>
    internal CommandOutcome Outcome { get; set; }

    public void Select(int db) => Db = Cluster.GetDatabase(db);

    // ---- argument helpers: throw Redis's error texts ----------------------------------------

    public int ArgCount => Args.Count;
    public ReadOnlySpan<byte> Arg(int index) => Args[index];
    public RebornKey Key(int index) => new(Args.GetMemory(index));
    public RebornValue Value(int index) => new(Args.GetMemory(index));
    public byte[] Bytes(int index) => Args.ToArray(index);
    public bool Is(int index, ReadOnlySpan<byte> ascii) => Args.Is(index, ascii);

    public long Long(int index, string error = Errors.NotInteger)
        => Numbers.TryParseInt64(Args[index], out long value) ? value : throw new RebornException(error);

    public int Int(int index, string error = Errors.NotInteger)
    {
        long value = Long(index, error);
        return value is >= int.MinValue and <= int.MaxValue ? (int)value : throw new RebornException(error);
    }

    public double Double(int index, string error = Errors.NotFloat)
        => Numbers.TryParseDouble(Args[index], out double value) ? value : throw new RebornException(error);

    public RebornKey[] Keys(int first, int lastInclusive, int step = 1)
    {
        var keys = new RebornKey[(lastInclusive - first) / step + 1];
        for (int i = 0; i < keys.Length; i++) keys[i] = Key(first + i * step);
        return keys;
    }

    public static RebornException Syntax() => new(Errors.Syntax);

    // ---- reply helpers --------------------------------------------------------------------

    public void Ok() => Writer.SimpleString("OK"u8);

    public void Bulk(RebornValue value)
    {
        if (value.IsNull) Writer.Null();
        else Writer.BulkString(value.Span);
    }

    /// <summary>
    /// The sink a range read writes its reply through, as an aggregate of <paramref name="kind"/>.
    /// A handler that fails after the sink's Begin gets its connection closed instead of an error
    /// reply (see <see cref="IValueSink"/>).
    /// </summary>
    public IScoredValueSink Aggregate(AggregateKind kind) => _aggregate.As(kind);

    /// <summary>True when the running command wrote part of an aggregate reply and then failed.</summary>
    internal bool ReplyIncomplete => _aggregate.Incomplete;

    public void BulkArray(IReadOnlyList<RebornValue> values)
    {
        Writer.ArrayHeader(values.Count);
        foreach (var value in values) Bulk(value);
    }

    public void BulkArray(IReadOnlyList<byte[]> values)
    {
        Writer.ArrayHeader(values.Count);
        foreach (var value in values) Writer.BulkString(value);
    }
}

/// <summary>How a command ended, as Redis's commandstats count it (calls, rejected_calls, failed_calls).</summary>
internal enum CommandOutcome : byte
{
    Done,
    /// <summary>Refused before it ran (wrong arity, NOAUTH, not allowed while subscribed): not a call.</summary>
    Rejected,
    /// <summary>Ran and answered an error.</summary>
    Failed,
}
