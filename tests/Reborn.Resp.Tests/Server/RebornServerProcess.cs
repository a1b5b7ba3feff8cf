using Reborn.Core.Cluster;
using Reborn.Resp.Server;
using Reborn.Storage;

namespace Reborn.Resp.Tests.Server;

/// <summary>An in-process Reborn RESP server on a free loopback port, over a fresh cluster.</summary>
public sealed class RebornServerProcess : IAsyncDisposable
{
    private readonly string? _directory;

    private RebornServerProcess(IKeyValueCluster cluster, RespServer server, string? directory)
    {
        Cluster = cluster;
        Server = server;
        _directory = directory;
    }

    public IKeyValueCluster Cluster { get; }
    public RespServer Server { get; }
    public int Port => Server.EndPoint.Port;
    public string Host => "127.0.0.1";

    public static async Task<RebornServerProcess> StartAsync(EngineKind engine = EngineKind.Memory, Action<RespServerOptions>? configure = null)
    {
        string? directory = engine == EngineKind.Memory ? null : Path.Combine(Path.GetTempPath(), "reborn-server-" + Guid.NewGuid().ToString("N"));
        var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions { Engine = engine, DataDirectory = directory ?? "unused", Durability = Durability.Never });
        var options = new RespServerOptions { Bind = "127.0.0.1", Port = 0 };
        configure?.Invoke(options);
        var server = new RespServer(cluster, options);
        await server.StartAsync();
        return new RebornServerProcess(cluster, server, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Cluster.DisposeAsync();
        if (_directory is not null && Directory.Exists(_directory)) Directory.Delete(_directory, true);
    }
}
