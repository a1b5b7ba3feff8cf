namespace Reborn.Cli.Server;

/// <summary>
/// How <c>reborn server</c> uses .NET's socket threads. By default .NET hands every completed socket
/// read from its event-loop thread to the thread pool; the server instead runs the command batch on
/// the event-loop thread itself, as Redis runs commands on its event loop: no hand-off per batch,
/// and writes to one key from many clients do not fight over its group's lock from several threads.
/// The process is the server's own, so the process-wide runtime settings are safe here; an
/// application hosting AddRebornServer() may set them itself (see README, "Host it").
/// An operator's own value of either variable wins.
/// </summary>
internal static class SocketThreads
{
    /// <summary>Must run before the first socket of the process is used: .NET reads both once.</summary>
    public static void RunCommandsOnEventLoop()
    {
        SetDefault("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        SetDefault("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", "1");
    }

    private static void SetDefault(string variable, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
            Environment.SetEnvironmentVariable(variable, value);
    }
}
