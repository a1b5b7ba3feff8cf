using System.Security.Cryptography.X509Certificates;

namespace Reborn.Resp.Server;

/// <summary>The RESP endpoint's settings. Names follow redis.conf where one exists.</summary>
public sealed class RespServerOptions
{
    /// <summary>bind: the address to listen on.</summary>
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>port; 0 picks a free port (tests).</summary>
    public int Port { get; set; } = 6379;

    /// <summary>requirepass: when set, clients must AUTH (or HELLO ... AUTH) first.</summary>
    public string? RequirePass { get; set; }

    /// <summary>maxclients: further connections get "ERR max number of clients reached".</summary>
    public int MaxClients { get; set; } = 10000;

    /// <summary>timeout: close a client idle this long; zero means never.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>proto-max-bulk-len.</summary>
    public long ProtoMaxBulkLength { get; set; } = 512L * 1024 * 1024;

    /// <summary>client-query-buffer-limit: a client whose unparsed input exceeds this is closed.</summary>
    public long ClientQueryBufferLimit { get; set; } = 1024L * 1024 * 1024;

    /// <summary>TLS: when set, every connection is TLS with this certificate.</summary>
    public X509Certificate2? TlsCertificate { get; set; }

    /// <summary>
    /// On Linux, serve plain TCP clients on Reborn's own epoll loop (one thread, one commit and one
    /// round of sends for every client ready at once, as Redis does); false uses .NET's socket engine
    /// and a stream per client, as TLS clients always do.
    /// </summary>
    public bool EventLoop { get; set; } = true;

    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"Reborn server: Port {Port} is not a TCP port (0..65535).", nameof(Port));
        if (string.IsNullOrWhiteSpace(Bind) || !System.Net.IPAddress.TryParse(Bind, out _))
            throw new ArgumentException($"Reborn server: Bind '{Bind}' is not an IP address.", nameof(Bind));
        if (MaxClients < 1) throw new ArgumentException("Reborn server: MaxClients must be at least 1.", nameof(MaxClients));
        if (ProtoMaxBulkLength < 1024 * 1024) throw new ArgumentException("Reborn server: ProtoMaxBulkLength must be at least 1 MB.", nameof(ProtoMaxBulkLength));
        if (IdleTimeout < TimeSpan.Zero) throw new ArgumentException("Reborn server: IdleTimeout cannot be negative.", nameof(IdleTimeout));
    }
}
