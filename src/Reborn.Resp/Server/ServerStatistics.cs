namespace Reborn.Resp.Server;

/// <summary>Counters INFO reports. Updated with Interlocked; read without locks.</summary>
public sealed class ServerStatistics
{
    public long ConnectionsReceived;
    public long ConnectionsRejected;
    public long NetInputBytes;
    public long NetOutputBytes;
    public long ProtocolErrors;
    public readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;
    public long LastSaveUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    public readonly System.Collections.Concurrent.ConcurrentDictionary<string, CommandStat> Commands = new(StringComparer.Ordinal);

    /// <summary>Every command counted since the start or the last reset (total_commands_processed).</summary>
    public long CommandsProcessed => Commands.Values.Sum(stat => Interlocked.Read(ref stat.Calls));

    public sealed class CommandStat
    {
        public long Calls;
        /// <summary>Stopwatch ticks, summed as measured: a command shorter than a microsecond still counts.</summary>
        public long Ticks;
        public long FailedCalls;
        public long RejectedCalls;

        public long Microseconds => (long)(Interlocked.Read(ref Ticks) * (1_000_000.0 / System.Diagnostics.Stopwatch.Frequency));
    }

    /// <summary>Bumped by <see cref="Reset"/> after it empties <see cref="Commands"/>: connections then look their stats up again.</summary>
    public int Generation => Volatile.Read(ref _generation);
    private int _generation;

    public void Reset()
    {
        ConnectionsReceived = ConnectionsRejected = NetInputBytes = NetOutputBytes = ProtocolErrors = 0;
        Commands.Clear();
        Interlocked.Increment(ref _generation);
    }

    /// <summary>A connection's last command and its stat, so a repeated command skips the dictionary.</summary>
    internal struct CommandStatCache
    {
        public string? Name;
        public CommandStat? Stat;
        public int Generation;
    }
}
