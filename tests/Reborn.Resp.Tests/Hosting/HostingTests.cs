using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Reborn.Core.Cluster;
using Reborn.Hosting;
using Reborn.Hosting.Options;
using Reborn.Resp.Client;
using Reborn.Resp.Server;
using Reborn.Storage;

namespace Reborn.Resp.Tests.Hosting;

/// <summary>AddReborn() and AddRebornServer() on the generic host: lifetime, options, validation, SHUTDOWN.</summary>
public sealed class HostingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task TheHostServesOnAFreePortAndStopsListeningWhenItStops()
    {
        using var host = TestHosts.Build();
        await host.StartAsync();
        int port = host.Port();
        Assert.That(port, Is.GreaterThan(0));

        await using (var client = await RespConnection.ConnectAsync("127.0.0.1", port))
        {
            Assert.That((await client.ExecuteAsync("PING")).ToString(), Is.EqualTo("PONG"));
            Assert.That((await client.ExecuteAsync("SET", "k", "v")).ToString(), Is.EqualTo("OK"));
            Assert.That((await client.ExecuteAsync("GET", "k")).ToString(), Is.EqualTo("\"v\""));
        }
        // The endpoint and the injected cluster are one store.
        var cluster = host.Services.GetRequiredService<IKeyValueCluster>();
        Assert.That((string?)await cluster.GetDatabase(0).StringGetAsync("k"), Is.EqualTo("v"));

        await host.StopAsync();
        var refused = Assert.ThrowsAsync<SocketException>(async () => await RespConnection.ConnectAsync("127.0.0.1", port));
        Assert.That(refused!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused));
    }

    [Test]
    public async Task TheClusterIsFlushedAndClosedWhenTheHostStops()
    {
        string directory = Path.Combine(Path.GetTempPath(), "reborn-hosting-" + Guid.NewGuid().ToString("N"));
        try
        {
            var settings = new Dictionary<string, string?> { ["Reborn:Engine"] = "RocksDb", ["Reborn:DataDirectory"] = directory };
            using (var host = TestHosts.Build(settings))
            {
                await host.StartAsync();
                await using var client = await RespConnection.ConnectAsync("127.0.0.1", host.Port());
                await client.ExecuteAsync("SET", "durable", "yes");
                await host.StopAsync();
            }
            // Closed at stop: a second host opens the same directory (RocksDB's lock is released) and sees the write.
            using (var again = TestHosts.Build(settings))
            {
                await again.StartAsync();
                await using var client = await RespConnection.ConnectAsync("127.0.0.1", again.Port());
                Assert.That((await client.ExecuteAsync("GET", "durable")).ToString(), Is.EqualTo("\"yes\""));
                await again.StopAsync();
            }
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public void OptionsBindFromTheRebornSection()
    {
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["Reborn:DataDirectory"] = "/var/lib/reborn",
            ["Reborn:Engine"] = "faster",
            ["Reborn:Durability"] = "Always",
            ["Reborn:MemoryBudgetBytes"] = "67108864",
            ["Reborn:SweepInterval"] = "00:00:00.250",
            ["Reborn:Server:Port"] = "6390",
            ["Reborn:Server:Bind"] = "0.0.0.0",
            ["Reborn:Server:RequirePass"] = "secret",
            ["Reborn:Server:MaxClients"] = "7",
            ["Reborn:Server:IdleTimeout"] = "00:05:00",
        });
        var reborn = host.Services.GetRequiredService<IOptions<RebornOptions>>().Value;
        var server = host.Services.GetRequiredService<IOptions<RespServerOptions>>().Value;
        Assert.Multiple(() =>
        {
            Assert.That(reborn.DataDirectory, Is.EqualTo("/var/lib/reborn"));
            Assert.That(reborn.Engine, Is.EqualTo(EngineKind.Faster));
            Assert.That(reborn.Durability, Is.EqualTo(Durability.Always));
            Assert.That(reborn.MemoryBudgetBytes, Is.EqualTo(64L << 20));
            Assert.That(reborn.SweepInterval, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(server.Port, Is.EqualTo(6390));
            Assert.That(server.Bind, Is.EqualTo("0.0.0.0"));
            Assert.That(server.RequirePass, Is.EqualTo("secret"));
            Assert.That(server.MaxClients, Is.EqualTo(7));
            Assert.That(server.IdleTimeout, Is.EqualTo(TimeSpan.FromMinutes(5)));
        });
    }

    [Test]
    public void CodeConfigurationAppliesOverTheSectionAndUnsetValuesKeepTheDefaults()
    {
        using var host = TestHosts.Build(
            new Dictionary<string, string?> { ["Reborn:Server:MaxClients"] = "7", ["Reborn:Server:RequirePass"] = "" },
            services => services
                .AddReborn(o => o.Durability = Durability.Never)
                .AddRebornServer(o => o.MaxClients = 9));
        var reborn = host.Services.GetRequiredService<IOptions<RebornOptions>>().Value;
        var server = host.Services.GetRequiredService<IOptions<RespServerOptions>>().Value;
        var defaults = new RebornClusterOptions();
        Assert.Multiple(() =>
        {
            Assert.That(server.MaxClients, Is.EqualTo(9));
            Assert.That(server.RequirePass, Is.Null, "requirepass \"\" means no password, as in redis.conf");
            Assert.That(reborn.Durability, Is.EqualTo(Durability.Never));
            Assert.That(reborn.DataDirectory, Is.EqualTo(defaults.DataDirectory));
            Assert.That(reborn.MemoryBudgetBytes, Is.EqualTo(defaults.MemoryBudgetBytes));
            Assert.That(host.Services.GetServices<IHostedService>().Count(), Is.EqualTo(2), "AddReborn twice registers one cluster service");
        });
    }

    [Test]
    public void OptionsBindFromEnvironmentVariables()
    {
        const string Variable = "Reborn__Server__MaxClients";
        Environment.SetEnvironmentVariable(Variable, "123");
        try
        {
            // TestHosts has no environment source; this is the one Host.CreateApplicationBuilder adds.
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
            services.AddRebornServer();
            using var provider = services.BuildServiceProvider();
            Assert.That(provider.GetRequiredService<IOptions<RespServerOptions>>().Value.MaxClients, Is.EqualTo(123));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, null);
        }
    }

    [TestCase("Reborn:Server:Port", "70000", "Reborn:Server:Port: 70000 is not a TCP port")]
    [TestCase("Reborn:Server:Bind", "localhost:1", "Reborn:Server:Bind: 'localhost:1' is not an IP address")]
    [TestCase("Reborn:Server:MaxClients", "0", "Reborn:Server:MaxClients: must be at least 1")]
    [TestCase("Reborn:Server:IdleTimeout", "-00:00:01", "Reborn:Server:IdleTimeout: cannot be negative")]
    [TestCase("Reborn:MemoryBudgetBytes", "1000", "Reborn:MemoryBudgetBytes: 1000 is below the minimum")]
    [TestCase("Reborn:GarbageVersionsPerSweep", "0", "Reborn:GarbageVersionsPerSweep: must be positive")]
    public void InvalidOptionsFailAtStartNamingTheSetting(string key, string value, string expected)
    {
        using var host = TestHosts.Build(new Dictionary<string, string?> { [key] = value });
        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.Contain(expected));
    }

    [Test]
    public void ADataDirectoryThatIsARegularFileFailsAtStartNamingTheSetting()
    {
        string file = Path.GetTempFileName();
        try
        {
            using var host = TestHosts.Build(new Dictionary<string, string?> { ["Reborn:Engine"] = "RocksDb", ["Reborn:DataDirectory"] = file });
            var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.That(error!.Message, Is.EqualTo($"Reborn:DataDirectory: '{file}' is a regular file, not a directory."));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void ADataDirectoryWhoseParentIsMissingFailsAtStart()
    {
        string missing = Path.Combine(Path.GetTempPath(), "reborn-missing-" + Guid.NewGuid().ToString("N"));
        using var host = TestHosts.Build(new Dictionary<string, string?> { ["Reborn:Engine"] = "RocksDb", ["Reborn:DataDirectory"] = Path.Combine(missing, "data") });
        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(error!.Message, Is.EqualTo($"Reborn:DataDirectory: the parent directory '{missing}' does not exist."));
        Assert.That(Directory.Exists(missing), Is.False);
    }

    [Test]
    public void ATakenPortFailsAtStartWithAOneLineMessage()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        taken.Listen();
        int port = ((System.Net.IPEndPoint)taken.LocalEndPoint!).Port;
        using var host = TestHosts.Build(new Dictionary<string, string?> { ["Reborn:Server:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var error = Assert.ThrowsAsync<RebornStartupException>(() => host.StartAsync());
        Assert.That(error!.Message, Is.EqualTo($"Reborn server: cannot listen on 127.0.0.1:{port}: the port is already in use."));
    }

    [Test]
    public async Task ShutdownFromAClientStopsTheHost()
    {
        using var host = TestHosts.Build();
        await host.StartAsync();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopped = host.WaitForShutdownAsync();
        await using var client = await RespConnection.ConnectAsync("127.0.0.1", host.Port());
        client.ReadTimeout = Bound;
        try
        {
            var reply = await client.ExecuteAsync("SHUTDOWN");
            if (reply.IsError && reply.AsString()!.StartsWith("ERR unknown command", StringComparison.Ordinal))
            {
                await host.StopAsync();
                Assert.Inconclusive("SHUTDOWN is not in the command table yet: " + reply.AsString());
            }
            Assert.Fail("SHUTDOWN replied instead of closing the connection: " + reply);
        }
        catch (EndOfStreamException) { /* Redis closes the connection without a reply */ }
        catch (IOException) { }

        await stopped.WaitAsync(Bound);
        Assert.That(lifetime.ApplicationStopped.IsCancellationRequested, Is.True);
    }
}
