using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Reborn.Core.Cluster;
using Reborn.Hosting.Cluster;
using Reborn.Hosting.Metrics;
using Reborn.Hosting.Options;
using Reborn.Hosting.Server;
using Reborn.Resp.Server;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Reborn with the generic host.</summary>
public static class RebornServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IKeyValueCluster"/> as a singleton opened when the host starts and
    /// flushed and closed when it stops. Options bind from the configuration section "Reborn"
    /// (Reborn:DataDirectory, Reborn:Engine, Reborn:Durability, ...), then <paramref name="configure"/>
    /// applies; they are validated at start. Calling it again only adds <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddReborn(this IServiceCollection services, Action<RebornOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(RebornClusterService)))
        {
            services.AddOptions<RebornOptions>().BindConfiguration(RebornOptions.SectionName).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RebornOptions>, RebornOptionsValidator>());
            services.TryAddSingleton<IKeyValueCluster>(RebornClusterService.Open);
            services.AddSingleton<RebornClusterService>();
            services.AddHostedService(sp => sp.GetRequiredService<RebornClusterService>());
        }
        if (configure is not null) services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Adds the RESP endpoint (<see cref="RespServer"/>, also a singleton) as a hosted service: it
    /// listens when the host starts, drains and flushes when it stops, and a client's SHUTDOWN
    /// stops the host. Options bind from "Reborn:Server" (Port, Bind, RequirePass, MaxClients,
    /// IdleTimeout, ...), then <paramref name="configure"/> applies; they are validated at start.
    /// Calls <see cref="AddReborn"/> when it has not been called. Publishes the "Reborn" meter.
    /// </summary>
    public static IServiceCollection AddRebornServer(this IServiceCollection services, Action<RespServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddReborn();
        if (!services.Any(d => d.ServiceType == typeof(RebornServerService)))
        {
            services.AddMetrics();
            services.AddOptions<RespServerOptions>().BindConfiguration(RebornOptions.ServerSectionName).ValidateOnStart();
            // requirepass "" means no password, as in redis.conf (and an empty environment variable).
            services.PostConfigure<RespServerOptions>(o => { if (string.IsNullOrEmpty(o.RequirePass)) o.RequirePass = null; });
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RespServerOptions>, RespServerOptionsValidator>());
            services.TryAddSingleton<RebornMetrics>();
            services.TryAddSingleton(RebornServerService.Create);
            services.AddSingleton<RebornServerService>();
            services.AddHostedService(sp => sp.GetRequiredService<RebornServerService>());
        }
        if (configure is not null) services.Configure(configure);
        return services;
    }
}
