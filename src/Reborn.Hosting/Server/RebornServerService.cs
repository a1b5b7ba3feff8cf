using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reborn.Core.Cluster;
using Reborn.Hosting.Metrics;
using Reborn.Resp.Server;

namespace Reborn.Hosting.Server;

/// <summary>
/// The RESP endpoint as a hosted service: listens when the host starts, stops accepting, drains
/// clients and flushes when it stops, and stops the host when a client sends SHUTDOWN.
/// Resolves the server lazily so that constructing the hosted services opens nothing.
/// </summary>
internal sealed class RebornServerService(IServiceProvider services, IHostApplicationLifetime lifetime, ILogger<RebornServerService> logger) : IHostedService
{
    private RespServer? _server;
    private volatile bool _stopping;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var server = services.GetRequiredService<RespServer>();
        services.GetRequiredService<RebornMetrics>().Attach(server);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException error) when (error.InnerException is SocketException)
        {
            throw new RebornStartupException(error.Message, error);
        }
        _server = server;
        _ = server.ShutdownRequested.ContinueWith(_ =>
        {
            if (_stopping) return;
            logger.LogInformation("SHUTDOWN received from a client: stopping the host");
            lifetime.StopApplication();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (_server is { } server) await server.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The singleton's factory: one server over the cluster singleton.</summary>
    public static RespServer Create(IServiceProvider services) => new(
        services.GetRequiredService<IKeyValueCluster>(),
        services.GetRequiredService<IOptions<RespServerOptions>>().Value,
        services.GetRequiredService<ILogger<RespServer>>());
}
