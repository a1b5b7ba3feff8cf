namespace Reborn.Hosting;

/// <summary>
/// Reborn could not start for a reason the operator can fix: the port is taken, the data
/// directory cannot be used. The message is one line that says what and where; a command-line
/// host prints it without a stack trace.
/// </summary>
public sealed class RebornStartupException : Exception
{
    public RebornStartupException(string message, Exception? inner = null) : base(message, inner) { }
}
