using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reborn.Core.Tests.Dump;

/// <summary>A throwaway redis-server on a free loopback port, killed on dispose.</summary>
internal sealed class RedisTestServer : IDisposable
{
    private readonly Process _process;

    private RedisTestServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts redis-server, or returns null when it is not installed.</summary>
    public static RedisTestServer? TryStart(params string[] extraArguments)
    {
        string? executable = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists);
        if (executable is null)
            return null;

        int port = FreePort();
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" }.Concat(extraArguments))
            start.ArgumentList.Add(argument);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new RedisTestServer(process, port);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (process.HasExited)
                break;
            try
            {
                using var client = new MiniRespClient(port);
                if (client.Call("PING") is "PONG")
                    return server;
            }
            catch (SocketException)
            {
            }
            Thread.Sleep(100);
        }
        server.Dispose();
        throw new InvalidOperationException($"redis-server did not answer PING on port {port}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
