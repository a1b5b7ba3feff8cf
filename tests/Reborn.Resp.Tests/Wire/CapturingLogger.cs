using Microsoft.Extensions.Logging;
using Reborn.Resp.Server;

namespace Reborn.Resp.Tests.Wire;

/// <summary>Keeps what the server logs at Error and above: a connection loop that died on an unexpected exception.</summary>
public sealed class CapturingLogger : ILogger<RespServer>
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors
    {
        get { lock (_errors) return _errors.ToArray(); }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel < LogLevel.Error) return;
        lock (_errors)
            if (_errors.Count < 20) _errors.Add($"{logLevel}: {formatter(state, exception)} {exception}");
    }
}
