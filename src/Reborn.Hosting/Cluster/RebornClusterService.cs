using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reborn.Core.Cluster;
using Reborn.Hosting.Options;
using Reborn.Storage;

namespace Reborn.Hosting.Cluster;

/// <summary>
/// Opens the <see cref="IKeyValueCluster"/> singleton when the host starts and flushes and closes
/// it when the host stops. Registered before the RESP endpoint, so it starts first and stops last.
/// </summary>
internal sealed class RebornClusterService(IServiceProvider services, ILogger<RebornClusterService> logger) : IHostedService
{
    private IKeyValueCluster? _cluster;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _cluster = services.GetRequiredService<IKeyValueCluster>();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_cluster is null) return;
        await _cluster.FlushAsync().ConfigureAwait(false);
        await _cluster.DisposeAsync().ConfigureAwait(false);
        logger.LogInformation("Reborn closed");
    }

    /// <summary>
    /// The singleton's factory. Opening is synchronous today (the engines open in the constructor),
    /// so waiting here blocks no thread for long. Storage failures become a one-line
    /// <see cref="RebornStartupException"/> that names the setting.
    /// </summary>
    public static IKeyValueCluster Open(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<RebornOptions>>().Value;
        var logger = services.GetRequiredService<ILogger<RebornClusterService>>();
        var clusterOptions = options.ToClusterOptions(services.GetService<TimeProvider>());
        string where = options.Engine == EngineKind.Memory ? "memory" : Path.GetFullPath(options.DataDirectory);
        try
        {
            var opening = RebornCluster.OpenAsync(clusterOptions);
            var cluster = opening.IsCompletedSuccessfully ? opening.Result : opening.AsTask().GetAwaiter().GetResult();
            if (options.Engine == EngineKind.Memory) logger.LogInformation("Reborn opened: Memory engine, not durable");
            else logger.LogInformation("Reborn opened: {Engine} in {Directory}, durability {Durability}", options.Engine, where, options.Durability);
            return cluster;
        }
        catch (StorageException error)
        {
            // RocksDB reports a second opener as "IO error: While lock file: .../LOCK: Resource temporarily unavailable".
            string hint = error.Message.Contains("lock file", StringComparison.OrdinalIgnoreCase) ? " Is another Reborn server using it?" : "";
            throw new RebornStartupException(
                $"Reborn: cannot use the data directory '{where}' ({RebornOptions.SectionName}:DataDirectory): {error.Message}.{hint}", error);
        }
    }
}
