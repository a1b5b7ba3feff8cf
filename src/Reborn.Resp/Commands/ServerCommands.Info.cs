using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Reborn.Resp.Commands;

internal static partial class ServerCommands
{
    private static readonly string[] AllSections =
        ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace"];

    private static readonly HashSet<string> DefaultSections =
        ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"];

    /// <summary>
    /// INFO [section ...]: Redis's "# Section" text with CRLF lines and a blank line between sections, as a
    /// bulk string (RESP3: verbatim "txt"). Unknown sections are left out; none known gives an empty string.
    /// </summary>
    private static async ValueTask Info(CommandContext c)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        if (c.ArgCount == 1) wanted.UnionWith(DefaultSections);
        for (int i = 1; i < c.ArgCount; i++)
        {
            string name = c.Args.GetString(i).ToLowerInvariant();
            if (name == "default") wanted.UnionWith(DefaultSections);
            else if (name is "all" or "everything") wanted.UnionWith(AllSections);
            else wanted.Add(name);
        }

        var text = new StringBuilder();
        foreach (var section in AllSections)
        {
            if (!wanted.Contains(section)) continue;
            if (text.Length > 0) text.Append("\r\n");
            text.Append("# ").Append(section == "cpu" ? "CPU" : char.ToUpperInvariant(section[0]) + section[1..]).Append("\r\n");
            var lines = new InfoLines(text);
            switch (section)
            {
                case "server": ServerSection(c, lines); break;
                case "clients": ClientsSection(c, lines); break;
                case "memory": MemorySection(c, lines); break;
                case "persistence": PersistenceSection(c, lines); break;
                case "stats": StatsSection(c, lines); break;
                case "replication": ReplicationSection(c, lines); break;
                case "cpu": CpuSection(lines); break;
                case "commandstats": CommandStatsSection(c, lines); break;
                case "cluster": lines.Add("cluster_enabled", 0); break;
                case "keyspace": await KeyspaceSection(c, lines).ConfigureAwait(false); break;
            }
        }
        c.Writer.VerbatimString("txt"u8, Encoding.UTF8.GetBytes(text.ToString()));
    }

    private readonly struct InfoLines(StringBuilder text)
    {
        public void Add(string name, string value) => text.Append(name).Append(':').Append(value).Append("\r\n");
        public void Add(string name, long value) => Add(name, value.ToString(CultureInfo.InvariantCulture));
        public void Add(string name, double value) => Add(name, value.ToString("0.00", CultureInfo.InvariantCulture));
    }

    private static void ServerSection(CommandContext c, InfoLines lines)
    {
        var state = State(c);
        long uptime = (long)(DateTimeOffset.UtcNow - state.StartedAt).TotalSeconds;
        lines.Add("redis_version", ConnectionCommands.RedisVersion);
        lines.Add("reborn_version", typeof(ServerCommands).Assembly.GetName().Version?.ToString() ?? "0.0.0");
        lines.Add("redis_git_sha1", "00000000");
        lines.Add("redis_git_dirty", 0);
        lines.Add("redis_build_id", "0");
        lines.Add("redis_mode", "standalone");
        lines.Add("os", $"{RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}");
        lines.Add("arch_bits", IntPtr.Size * 8);
        lines.Add("monotonic_clock", "Stopwatch");
        lines.Add("multiplexing_api", "dotnet-sockets");
        lines.Add("atomicvar_api", "dotnet-interlocked");
        lines.Add("runtime_version", RuntimeInformation.FrameworkDescription);
        lines.Add("process_id", Environment.ProcessId);
        lines.Add("process_supervised", "no");
        lines.Add("run_id", state.RunId);
        lines.Add("tcp_port", c.Server?.EndPoint.Port ?? 0);
        lines.Add("server_time_usec", (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10);
        lines.Add("uptime_in_seconds", uptime);
        lines.Add("uptime_in_days", uptime / 86400);
        lines.Add("hz", ConfigValue(c, "hz"));
        lines.Add("configured_hz", ConfigValue(c, "hz"));
        lines.Add("lru_clock", DateTimeOffset.UtcNow.ToUnixTimeSeconds() & ((1 << 24) - 1));
        lines.Add("executable", Environment.ProcessPath ?? "");
        lines.Add("config_file", "");
        lines.Add("io_threads_active", 0);
    }

    private static void ClientsSection(CommandContext c, InfoLines lines)
    {
        lines.Add("connected_clients", c.Server?.ConnectedClients ?? 1);
        lines.Add("cluster_connections", 0);
        lines.Add("maxclients", c.Server?.Options.MaxClients ?? 0);
        lines.Add("client_recent_max_input_buffer", 0);
        lines.Add("client_recent_max_output_buffer", 0);
        lines.Add("blocked_clients", 0);
        lines.Add("tracking_clients", 0);
        lines.Add("clients_in_timeout_table", 0);
    }

    private static void MemorySection(CommandContext c, InfoLines lines)
    {
        using var process = Process.GetCurrentProcess();
        long used = GC.GetTotalMemory(false), rss = process.WorkingSet64, peak = process.PeakWorkingSet64;
        long maxMemory = long.Parse(ConfigValue(c, "maxmemory"), CultureInfo.InvariantCulture);
        var gc = GC.GetGCMemoryInfo();
        lines.Add("used_memory", used);
        lines.Add("used_memory_human", Human(used));
        lines.Add("used_memory_rss", rss);
        lines.Add("used_memory_rss_human", Human(rss));
        lines.Add("used_memory_peak", peak);
        lines.Add("used_memory_peak_human", Human(peak));
        lines.Add("total_system_memory", gc.TotalAvailableMemoryBytes);
        lines.Add("total_system_memory_human", Human(gc.TotalAvailableMemoryBytes));
        lines.Add("maxmemory", maxMemory);
        lines.Add("maxmemory_human", Human(maxMemory));
        lines.Add("maxmemory_policy", ConfigValue(c, "maxmemory-policy"));
        lines.Add("mem_fragmentation_ratio", used == 0 ? 0 : (double)rss / used);
        lines.Add("mem_allocator", "dotnet-gc");
        // The .NET runtime's own counters (no Redis equivalent): allocation rate and collections per generation.
        lines.Add("gc_allocated_bytes", GC.GetTotalAllocatedBytes(false));
        lines.Add("gc_collections", $"gen0={GC.CollectionCount(0)},gen1={GC.CollectionCount(1)},gen2={GC.CollectionCount(2)}");
        lines.Add("gc_pause_time_ms", (long)GC.GetTotalPauseDuration().TotalMilliseconds);
        lines.Add("lazyfree_pending_objects", c.Cluster.GetStatistics().GarbagePending);
    }

    private static void PersistenceSection(CommandContext c, InfoLines lines)
    {
        var state = State(c);
        lines.Add("loading", 0);
        lines.Add("async_loading", 0);
        lines.Add("rdb_changes_since_last_save", 0);
        lines.Add("rdb_bgsave_in_progress", state.BackgroundSave.IsCompleted ? 0 : 1);
        lines.Add("rdb_last_save_time", Interlocked.Read(ref state.LastSaveUnixSeconds));
        lines.Add("rdb_last_bgsave_status", state.BackgroundSave.IsFaulted ? "err" : "ok");
        lines.Add("rdb_last_bgsave_time_sec", Interlocked.Read(ref state.Saves) == 0 ? -1 : 0);
        lines.Add("rdb_current_bgsave_time_sec", -1);
        lines.Add("rdb_saves", Interlocked.Read(ref state.Saves));
        lines.Add("aof_enabled", ConfigValue(c, "appendonly") == "yes" ? 1 : 0);
        lines.Add("aof_rewrite_in_progress", 0);
        lines.Add("aof_rewrite_scheduled", 0);
        lines.Add("aof_last_rewrite_time_sec", -1);
        lines.Add("aof_current_rewrite_time_sec", -1);
        lines.Add("aof_last_bgrewrite_status", "ok");
        lines.Add("aof_rewrites", 0);
        lines.Add("aof_last_write_status", "ok");
    }

    private static void StatsSection(CommandContext c, InfoLines lines)
    {
        var stats = c.Server?.Statistics;
        var cluster = c.Cluster.GetStatistics();
        lines.Add("total_connections_received", stats is null ? 0 : Interlocked.Read(ref stats.ConnectionsReceived));
        lines.Add("total_commands_processed", stats is null ? 0 : stats.CommandsProcessed);
        lines.Add("instantaneous_ops_per_sec", 0);
        lines.Add("total_net_input_bytes", stats is null ? 0 : Interlocked.Read(ref stats.NetInputBytes));
        lines.Add("total_net_output_bytes", stats is null ? 0 : Interlocked.Read(ref stats.NetOutputBytes));
        lines.Add("total_net_repl_input_bytes", 0);
        lines.Add("total_net_repl_output_bytes", 0);
        lines.Add("instantaneous_input_kbps", 0.0);
        lines.Add("instantaneous_output_kbps", 0.0);
        lines.Add("rejected_connections", stats is null ? 0 : Interlocked.Read(ref stats.ConnectionsRejected));
        lines.Add("sync_full", 0);
        lines.Add("sync_partial_ok", 0);
        lines.Add("sync_partial_err", 0);
        lines.Add("expired_keys", cluster.ExpiredOnAccess + cluster.ExpiredBySweep);
        lines.Add("expired_stale_perc", 0.0);
        lines.Add("expired_time_cap_reached_count", 0);
        lines.Add("evicted_keys", 0);
        lines.Add("evicted_clients", 0);
        lines.Add("keyspace_hits", 0);
        lines.Add("keyspace_misses", 0);
        lines.Add("pubsub_channels", c.Server?.PubSub.Channels(default).Count ?? 0);
        lines.Add("pubsub_patterns", c.Server?.PubSub.PatternCount ?? 0);
        lines.Add("pubsubshard_channels", 0);
        lines.Add("total_error_replies", 0);
        lines.Add("protocol_errors", stats is null ? 0 : Interlocked.Read(ref stats.ProtocolErrors));
        lines.Add("garbage_queued", cluster.GarbageQueued);
        lines.Add("garbage_swept", cluster.GarbageSwept);
        lines.Add("expiry_sweep_runs", cluster.ExpirySweepRuns);
        lines.Add("garbage_sweep_runs", cluster.GarbageSweepRuns);
    }

    private static void ReplicationSection(CommandContext c, InfoLines lines)
    {
        lines.Add("role", "master");
        lines.Add("connected_slaves", 0);
        lines.Add("master_failover_state", "no-failover");
        lines.Add("master_replid", State(c).ReplicationId);
        lines.Add("master_replid2", new string('0', 40));
        lines.Add("master_repl_offset", 0);
        lines.Add("second_repl_offset", -1);
        lines.Add("repl_backlog_active", 0);
        lines.Add("repl_backlog_size", 1048576);
        lines.Add("repl_backlog_first_byte_offset", 0);
        lines.Add("repl_backlog_histlen", 0);
    }

    private static void CpuSection(InfoLines lines)
    {
        using var process = Process.GetCurrentProcess();
        lines.Add("used_cpu_sys", process.PrivilegedProcessorTime.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture));
        lines.Add("used_cpu_user", process.UserProcessorTime.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture));
        lines.Add("used_cpu_sys_children", "0.000000");
        lines.Add("used_cpu_user_children", "0.000000");
    }

    private static void CommandStatsSection(CommandContext c, InfoLines lines)
    {
        if (c.Server is null) return;
        foreach (var (name, stat) in c.Server.Statistics.Commands.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            long calls = Interlocked.Read(ref stat.Calls), micros = stat.Microseconds;
            double perCall = calls == 0 ? 0 : (double)micros / calls;
            lines.Add("cmdstat_" + name, string.Create(CultureInfo.InvariantCulture,
                $"calls={calls},usec={micros},usec_per_call={perCall:0.00},rejected_calls={Interlocked.Read(ref stat.RejectedCalls)},failed_calls={Interlocked.Read(ref stat.FailedCalls)}"));
        }
    }

    /// <summary>"db0:keys=N,expires=M,avg_ttl=ms" for every database holding keys.</summary>
    private static async ValueTask KeyspaceSection(CommandContext c, InfoLines lines)
    {
        for (int db = 0; db < c.Cluster.DatabaseCount; db++)
        {
            var database = c.Cluster.GetDatabase(db);
            long keys = await database.DatabaseSizeAsync().ConfigureAwait(false);
            if (keys == 0) continue;
            var (expires, averageTtl) = await database.ExpiryStatisticsAsync().ConfigureAwait(false);
            lines.Add("db" + db.ToString(CultureInfo.InvariantCulture), string.Create(CultureInfo.InvariantCulture, $"keys={keys},expires={expires},avg_ttl={averageTtl}"));
        }
    }

    /// <summary>Redis's bytesToHuman: B, K, M, G, T, P with two decimals.</summary>
    private static string Human(long bytes)
    {
        string[] units = ["K", "M", "G", "T", "P"];
        if (bytes < 1024) return bytes.ToString(CultureInfo.InvariantCulture) + "B";
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1) { value /= 1024; unit++; }
        return value.ToString("0.00", CultureInfo.InvariantCulture) + units[unit];
    }
}
