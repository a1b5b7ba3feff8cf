using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Reborn.Resp.Tests.Hosting;

/// <summary>
/// The built `reborn` command (src/Reborn.Cli/bin/.../reborn.dll, same configuration as the tests)
/// run as a child process with its output captured line by line.
/// </summary>
internal sealed partial class RebornCliProcess : IDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly TaskCompletionSource<int> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RebornCliProcess(string workingDirectory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliAssembly());
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { _stdoutClosed.TrySetResult(); _listening.TrySetException(new InvalidOperationException("reborn exited before listening:\n" + Output)); return; }
            _stdout.Enqueue(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } match) _listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) _stderrClosed.TrySetResult();
            else _stderr.Enqueue(e.Data);
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static RebornCliProcess Start(string workingDirectory, params string[] arguments) => new(workingDirectory, arguments);

    public int Id => _process.Id;
    public string StandardOutput => string.Join('\n', _stdout);
    public string StandardError => string.Join('\n', _stderr);
    public string Output => $"stdout:\n{StandardOutput}\nstderr:\n{StandardError}";

    /// <summary>The port from the server's "listening on" log line.</summary>
    public Task<int> ListeningAsync() => _listening.Task.WaitAsync(Bound);

    /// <summary>Waits (bounded) for the exit and for both output streams to drain; returns the exit code.</summary>
    public async Task<int> ExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Bound);
        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(Bound);
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (TERM, INT) with kill(1): Process.Kill would send SIGKILL.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(Bound);
        Assert.That(kill.ExitCode, Is.Zero, $"kill -{signal} {Id}");
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on [0-9a-fA-F.:\[\]]*:(\d+)")]
    private static partial Regex ListeningLine();

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>src/Reborn.Cli/bin/&lt;Configuration&gt;/&lt;tfm&gt;/reborn.dll, built by the test project's reference.</summary>
    private static string CliAssembly()
    {
        string configuration = typeof(RebornCliProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string framework = new DirectoryInfo(AppContext.BaseDirectory).Name;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "Reborn.sln"))) continue;
            string path = Path.Combine(directory.FullName, "src", "Reborn.Cli", "bin", configuration, framework, "reborn.dll");
            if (File.Exists(path)) return path;
            throw new FileNotFoundException("Build src/Reborn.Cli first (the test project references it)", path);
        }
        throw new DirectoryNotFoundException("Reborn.sln not found above " + AppContext.BaseDirectory);
    }
}
