using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Reborn.Resp.Server;

namespace Reborn.Resp.Tests.Hosting;

/// <summary>Generic hosts for the hosting tests: in-memory configuration, no default sources, the endpoint on a free loopback port.</summary>
internal static class TestHosts
{
    public static IHost Build(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        var merged = new Dictionary<string, string?>
        {
            ["Reborn:Engine"] = "Memory",
            ["Reborn:Server:Bind"] = "127.0.0.1",
            ["Reborn:Server:Port"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) merged[key] = value;
        builder.Configuration.AddInMemoryCollection(merged);
        builder.Services.AddReborn().AddRebornServer();
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    public static int Port(this IHost host) => host.Services.GetRequiredService<RespServer>().EndPoint.Port;
}
