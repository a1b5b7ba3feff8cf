namespace Reborn.Resp.Commands;

/// <summary>
/// Per-connection state that commands read and change: identity, protocol, authentication, the
/// MULTI queue and subscriptions. In process (no server) a default session is used.
/// </summary>
public sealed class ClientSession
{
    private static long _nextId;

    public ClientSession(string remoteAddress = "in-process", string localAddress = "")
    {
        Id = Interlocked.Increment(ref _nextId);
        RemoteAddress = remoteAddress;
        LocalAddress = localAddress;
        CreatedAt = DateTimeOffset.UtcNow;
        LastInteraction = CreatedAt;
    }

    public long Id { get; }
    public string RemoteAddress { get; }
    public string LocalAddress { get; }
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset LastInteraction { get; set; }
    public string? Name { get; set; }
    public string? LibraryName { get; set; }
    public string? LibraryVersion { get; set; }
    public bool Authenticated { get; set; } = true;
    public string LastCommand { get; set; } = "NULL";

    /// <summary>CLIENT REPLY: ON, OFF, or SKIP (the next reply only).</summary>
    public ReplyMode ReplyMode { get; set; } = ReplyMode.On;
    public bool NoEvict { get; set; }

    /// <summary>Set by QUIT, CLIENT KILL and SHUTDOWN: the connection closes after this batch's replies are flushed.</summary>
    public bool CloseRequested { get; set; }

    /// <summary>Closes the connection from another thread (CLIENT KILL).</summary>
    public Action? Kill { get; set; }

    // ---- MULTI / EXEC ----------------------------------------------------------------------
    public bool InTransaction { get; set; }
    public bool TransactionDirty { get; set; }
    public List<byte[][]> QueuedCommands { get; } = new();
    public Core.Cluster.WatchSet? Watches { get; set; }

    // ---- pub/sub ----------------------------------------------------------------------------
    public HashSet<string> Channels { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Patterns { get; } = new(StringComparer.Ordinal);
    public int SubscriptionCount => Channels.Count + Patterns.Count;
}

public enum ReplyMode { On, Off, Skip }
