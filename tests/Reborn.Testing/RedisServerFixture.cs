using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reborn.Testing;

/// <summary>
/// A real redis-server from PATH on a free loopback port, with persistence off, as the oracle
/// for differential tests. Killed (and its temporary directory removed) on dispose.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private const int StartAttempts = 3;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _log;

    private RedisServerProcess(Process process, int port, string directory, StringBuilder log)
    {
        _process = process;
        Port = port;
        _directory = directory;
        _log = log;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>
    /// Starts redis-server and returns once it answers PING. Extra arguments are passed as
    /// they are (e.g. "--proto-max-bulk-len", "1mb").
    /// </summary>
    public static async Task<RedisServerProcess> StartAsync(params string[] extraArguments)
    {
        string executable = FindOnPath("redis-server") ?? throw new InvalidOperationException(
            "redis-server was not found on PATH. The differential tests use a real Redis as the oracle: " +
            "run the README's test command, which installs redis-server when it is missing.");

        Exception? last = null;
        for (int attempt = 0; attempt < StartAttempts; attempt++)
        {
            // The port is free now but may be taken before redis binds it: retry on another.
            int port = FreeLoopbackPort();
            string directory = Directory.CreateTempSubdirectory("reborn-redis-").FullName;
            var log = new StringBuilder();
            Process process = Launch(executable, port, directory, log, extraArguments);
            var server = new RedisServerProcess(process, port, directory, log);
            try
            {
                await server.WaitUntilReadyAsync().ConfigureAwait(false);
                return server;
            }
            catch (Exception e)
            {
                last = e;
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
        throw new InvalidOperationException($"redis-server did not start after {StartAttempts} attempts.", last);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (TimeoutException)
        {
            // Left to the OS; nothing more a test can do.
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Process Launch(string executable, int port, string directory, StringBuilder log, string[] extraArguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (string argument in new[]
                 {
                     "--save", "", "--appendonly", "no", "--port", port.ToString(), "--bind", "127.0.0.1",
                     "--dir", directory, "--daemonize", "no",
                 })
            start.ArgumentList.Add(argument);
        foreach (string argument in extraArguments)
            start.ArgumentList.Add(argument);

        var process = new Process { StartInfo = start };
        DataReceivedEventHandler append = (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (log)
                log.AppendLine(e.Data);
        };
        process.OutputDataReceived += append;
        process.ErrorDataReceived += append;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        Exception? last = null;
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"redis-server exited with code {_process.ExitCode}:\n{Log}");
            try
            {
                if (await PingAsync().ConfigureAwait(false))
                    return;
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                last = e;
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
        throw new TimeoutException($"redis-server on port {Port} did not answer PING within {ReadyTimeout}:\n{Log}", last);
    }

    private async Task<bool> PingAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port, timeout.Token).ConfigureAwait(false);
        await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
        var reply = new byte[64];
        int total = 0;
        while (total < 7)
        {
            int read = await socket.ReceiveAsync(reply.AsMemory(total), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (read == 0)
                return false;
            total += read;
        }
        // "-LOADING ..." and the like mean not ready yet.
        return reply.AsSpan(0, total).StartsWith("+PONG\r\n"u8);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name)
    {
        string[] directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator,
            StringSplitOptions.RemoveEmptyEntries);
        foreach (string directory in directories)
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
