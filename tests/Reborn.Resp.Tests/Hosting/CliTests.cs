using System.Net;
using System.Net.Sockets;
using Reborn.Resp.Client;

namespace Reborn.Resp.Tests.Hosting;

/// <summary>The `reborn server` command as a child process: serve, stop on signals, and fail clearly.</summary>
[NonParallelizable]
public sealed class CliTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "reborn-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Test]
    [Platform(Exclude = "Win")]
    public async Task ServesPingAndStopsGracefullyOnSigtermAndSigint()
    {
        // SIGTERM: the write is flushed and the RocksDB directory released...
        using (var server = RebornCliProcess.Start(_directory, "server", "--port", "0", "--dir", "data"))
        {
            int port = await server.ListeningAsync();
            await using (var client = await RespConnection.ConnectAsync("127.0.0.1", port))
            {
                Assert.That((await client.ExecuteAsync("PING")).ToString(), Is.EqualTo("PONG"));
                Assert.That((await client.ExecuteAsync("SET", "greeting", "hello")).ToString(), Is.EqualTo("OK"));
            }
            await server.SignalAsync("TERM");
            Assert.That(await server.ExitAsync(), Is.Zero, server.Output);
            Assert.That(server.StandardOutput, Does.Contain("Reborn closed"), server.Output);
            Assert.That(server.StandardError, Is.Empty, server.Output);
        }
        // ...so a new server on the same directory sees it; Ctrl+C (SIGINT) stops that one as cleanly.
        using (var server = RebornCliProcess.Start(_directory, "server", "--port", "0", "--dir", "data"))
        {
            int port = await server.ListeningAsync();
            await using (var client = await RespConnection.ConnectAsync("127.0.0.1", port))
                Assert.That((await client.ExecuteAsync("GET", "greeting")).ToString(), Is.EqualTo("\"hello\""));
            await server.SignalAsync("INT");
            Assert.That(await server.ExitAsync(), Is.Zero, server.Output);
            Assert.That(server.StandardOutput, Does.Contain("Reborn closed"), server.Output);
        }
    }

    [Test]
    [Platform(Exclude = "Win")]
    public async Task SettingsComeFromTheConfigFileAndFlagsOverrideThem()
    {
        string config = Path.Combine(_directory, "reborn.json");
        await File.WriteAllTextAsync(config, """{ "Reborn": { "Engine": "Memory", "Server": { "Port": 0, "RequirePass": "from-file", "MaxClients": 5 } } }""");

        using var server = RebornCliProcess.Start(_directory, "server", "--config", config, "--requirepass", "from-flag");
        int port = await server.ListeningAsync();
        await using (var client = await RespConnection.ConnectAsync("127.0.0.1", port))
        {
            Assert.That((await client.ExecuteAsync("PING")).ToString(), Is.EqualTo("(error) NOAUTH Authentication required."));
            Assert.That((await client.ExecuteAsync("AUTH", "from-file")).IsError, Is.True);
            Assert.That((await client.ExecuteAsync("AUTH", "from-flag")).ToString(), Is.EqualTo("OK"));
            Assert.That((await client.ExecuteAsync("PING")).ToString(), Is.EqualTo("PONG"));
        }
        Assert.That(server.StandardOutput, Does.Contain("Memory engine"), server.Output);
        await server.SignalAsync("TERM");
        Assert.That(await server.ExitAsync(), Is.Zero, server.Output);
    }

    [Test]
    public async Task ShutdownFromAClientEndsTheProcessWithExitCodeZero()
    {
        using var server = RebornCliProcess.Start(_directory, "server", "--port", "0", "--engine", "memory");
        int port = await server.ListeningAsync();
        await using (var client = await RespConnection.ConnectAsync("127.0.0.1", port))
        {
            await client.SendAsync("SHUTDOWN");
            Assert.That(await client.ReadToEndAsync(), Is.Empty, "SHUTDOWN closes the connection without a reply");
        }
        Assert.That(await server.ExitAsync(), Is.Zero, server.Output);
        Assert.That(server.StandardOutput, Does.Contain("SHUTDOWN received"), server.Output);
    }

    [Test]
    public async Task ATakenPortIsAOneLineErrorAndANonZeroExit()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        int port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        using var server = RebornCliProcess.Start(_directory, "server", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--engine", "memory");
        Assert.That(await server.ExitAsync(), Is.Not.Zero, server.Output);
        Assert.That(server.StandardError, Is.EqualTo($"reborn: Reborn server: cannot listen on 127.0.0.1:{port}: the port is already in use."), server.Output);
        AssertNoStackTrace(server);
    }

    [Test]
    public async Task ADataDirectoryThatIsARegularFileIsAOneLineErrorAndANonZeroExit()
    {
        string file = Path.Combine(_directory, "not-a-directory");
        await File.WriteAllTextAsync(file, "x");

        using var server = RebornCliProcess.Start(_directory, "server", "--port", "0", "--dir", file);
        Assert.That(await server.ExitAsync(), Is.Not.Zero, server.Output);
        Assert.That(server.StandardError, Is.EqualTo($"reborn: Reborn:DataDirectory: '{file}' is a regular file, not a directory."), server.Output);
        AssertNoStackTrace(server);
    }

    [Test]
    public async Task ADataDirectoryAlreadyOpenByAnotherServerIsAOneLineErrorAndANonZeroExit()
    {
        using var first = RebornCliProcess.Start(_directory, "server", "--port", "0", "--dir", "data");
        await first.ListeningAsync();

        using var second = RebornCliProcess.Start(_directory, "server", "--port", "0", "--dir", "data");
        Assert.That(await second.ExitAsync(), Is.Not.Zero, second.Output);
        Assert.That(second.StandardError, Does.StartWith($"reborn: Reborn: cannot use the data directory '{Path.Combine(_directory, "data")}' (Reborn:DataDirectory):"), second.Output);
        Assert.That(second.StandardError, Does.EndWith("Is another Reborn server using it?"), second.Output);
        AssertNoStackTrace(second);
    }

    private static void AssertNoStackTrace(RebornCliProcess server)
    {
        Assert.That(server.StandardError.Split('\n'), Has.Length.EqualTo(1), server.Output);
        Assert.That(server.Output, Does.Not.Contain("   at "), server.Output);
    }
}
