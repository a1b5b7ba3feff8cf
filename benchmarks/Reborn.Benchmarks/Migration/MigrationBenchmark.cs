using System.Diagnostics;
using System.Globalization;
using System.Text;
using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Core.Migration;
using Reborn.Core.Slots;
using Reborn.Storage;

namespace Reborn.Benchmarks.Migration;

/// <summary>
/// End-to-end figures of issue 4's slot migration between two RocksDB groups (temporary
/// directories, default durability EverySecond, the in-process API), printed as one table:
///   snapshot   all 1024 slots holding --keys keys of 100-byte values move from group 0 to group 1
///              by snapshot: MB/s and keys/s from MigrationProgress (BytesMoved counts each key's
///              metadata record, which holds a string's value, plus the user key).
///   key        the same keys move back key by key: keys/s.
///   foreground GET/SET p50/p99 of --fg-tasks threads doing --fg-ops x 1.5 operations (half GET, half
///              SET of a random key) at --fg-rate operations/s in all, while windows of about a second
///              alternate: with no migration, and with migrations of slot ranges back and forth (in
///              snapshot mode, 256 slots a move, then in key mode, 8 slots a move). Each call counts
///              in the window it began and ended in; the machine's pace drifts over seconds, and
///              short windows put that drift into both sides (see InterleavedAsync). Latency is one
///              call's own time.
///              --fg-throttle caps those migrations at that many keys/s (MigrationOptions), as an
///              operator protecting foreground latency would.
///   freeze     --big-keys keys in ONE slot (hash tag {big}) move by snapshot while a writer thread
///              overwrites random keys of that slot at --writer-rate writes/s: the coordinator's
///              LongestFreeze, and the writer's longest and p99 single write during the move.
/// Run: dotnet run -c Release --project benchmarks/Reborn.Benchmarks -- migration [--keys 1000000]
/// (benchmarks/migration.sh does that). Not a test: figures depend on the machine and its load.
/// </summary>
internal static class MigrationBenchmark
{
    private const int ValueLength = 100;
    private const double Mb = 1_000_000;

    private sealed record Settings
    {
        public int Keys { get; set; } = 1_000_000;
        public int BigKeys { get; set; } = -1; // default: --keys
        public int ForegroundOps { get; set; } = 200_000; // times 1.5: 15 s of load at the default rate, about half in windows of moves
        public int ForegroundTasks { get; set; } = 4;
        public int ForegroundRate { get; set; } = 20_000;
        public int WriterRate { get; set; } = 10_000;
        public int ForegroundThrottle { get; set; } // keys/s of the migrations under foreground load; 0: unthrottled
        public HashSet<string> Parts { get; set; } = ["snapshot", "key", "foreground", "freeze"];
        public MigrationMode[] ForegroundModes { get; set; } = [MigrationMode.Snapshot, MigrationMode.Key]; // the foreground part's migration phases
        public string? Directory { get; set; }
        public Durability Durability { get; set; } = Durability.EverySecond;
        /// <summary>
        /// How paced threads wait for their next call: sleep (the default: as an application's threads wait
        /// for their next request) or spin (yielding in a loop, the default of earlier figures: every core
        /// stays runnable, as on a machine with no headroom, and a thread holding a gate is preempted often).
        /// </summary>
        public bool SpinPacing { get; set; }
    }

    private sealed record Row(string Measure, string Figure, string Target = "", string Met = "");

    public static async Task<int> RunAsync(string[] args)
    {
        Settings settings;
        try { settings = Parse(args); }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"migration: {e.Message}");
            Console.Error.WriteLine("usage: migration [--keys N] [--big-keys N] [--fg-ops N] [--fg-tasks N] [--fg-rate OPS_PER_S] [--writer-rate WRITES_PER_S] [--fg-throttle KEYS_PER_S] [--only snapshot,key,foreground,freeze] [--dir PATH] [--durability Always|EverySecond|Never]");
            return 2;
        }
        var root = Path.Combine(settings.Directory ?? Path.GetTempPath(), "reborn-migration-bench-" + Guid.NewGuid().ToString("N"));
        var rows = new List<Row>();
        var total = Stopwatch.StartNew();
        try
        {
            if (settings.Parts.Overlaps(["snapshot", "key", "foreground"]))
                await RunSpreadAsync(settings, Path.Combine(root, "spread"), rows);
            if (settings.Parts.Contains("freeze"))
                await RunBigSlotAsync(settings, Path.Combine(root, "big"), rows);
        }
        finally
        {
            if (System.IO.Directory.Exists(root)) System.IO.Directory.Delete(root, true);
        }
        Console.WriteLine();
        Console.WriteLine($"Reborn slot migration, two RocksDB groups, durability {settings.Durability}, {ValueLength}-byte values; " +
            $"{Environment.ProcessorCount} cores, .NET {Environment.Version}; whole run {total.Elapsed.TotalSeconds:F0} s");
        Console.WriteLine($"command: migration {string.Join(' ', args)} (paced threads {(settings.SpinPacing ? "spin" : "sleep")} between calls)");
        Print(rows);
        return 0;
    }

    // ---- keys spread over every slot: copy rates and foreground latency -------------------------

    private static async Task RunSpreadAsync(Settings s, string directory, List<Row> rows)
    {
        await using var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions { DataDirectory = directory, Durability = s.Durability });
        var db = cluster.GetDatabase(0);
        var keys = MakeKeys(s.Keys, "key:");
        var value = MakeValue();
        await LoadAsync(db, keys, value);
        await cluster.AddGroupAsync(1);
        int home = 0; // the group holding every slot now

        if (s.Parts.Contains("snapshot"))
        {
            var p = await MoveAllAsync(cluster, 1 - home, MigrationMode.Snapshot, s.Keys);
            home = 1 - home;
            double mbps = p.BytesMoved / Mb / p.Elapsed.TotalSeconds;
            rows.Add(new($"snapshot copy, {s.Keys:N0} keys over 1024 slots, group 0 -> 1", $"{mbps:F1} MB/s ({p.BytesMoved / Mb:F0} MB in {p.Elapsed.TotalSeconds:F2} s)",
                ">= 200 MB/s", Verdict(mbps >= 200)));
            rows.Add(new("snapshot copy keys/s", $"{p.KeysPerSecond:N0} keys/s"));
        }
        if (s.Parts.Contains("key"))
        {
            var p = await MoveAllAsync(cluster, 1 - home, MigrationMode.Key, s.Keys);
            home = 1 - home;
            rows.Add(new($"key by key, {s.Keys:N0} keys over 1024 slots, group {1 - home} -> {home}", $"{p.KeysPerSecond:N0} keys/s ({p.Elapsed.TotalSeconds:F2} s, {p.BytesPerSecond / Mb:F1} MB/s)",
                ">= 100,000 keys/s", Verdict(p.KeysPerSecond >= 100_000)));
        }
        if (s.Parts.Contains("foreground"))
        {
            foreach (var mode in s.ForegroundModes)
                await InterleavedAsync(cluster, db, keys, value, s, mode, home, rows);
        }
    }

    /// <summary>
    /// Slots per move of the foreground part. Key by key: some 7,800 keys of 1,000,000, under a second
    /// under the load. By snapshot: a quarter of the slots, a second or two; a snapshot move's switch
    /// (its write freeze, the target's ingestion) comes once per move, as when an operator moves a range.
    /// </summary>
    private static int SlotsPerMove(MigrationMode mode) => mode == MigrationMode.Snapshot ? 256 : 8;

    /// <summary>
    /// The foreground part of one mode. One load runs while windows with no migration and windows of
    /// migrations alternate, a second or two each: a window of moves runs moves of
    /// <see cref="SlotsPerMove"/> slots, back and forth between the groups, until at least a second has
    /// passed, and the quiet window after it lasts as long. Each call counts in the window it began
    /// and ended in; calls that span a switch, or fall in the settling time after a window of moves
    /// (250 ms), count nowhere. The machine's pace drifts over seconds: quiet phases a minute apart
    /// differed 1.7x in SET p99, and identical runs with a baseline before and after the migration
    /// phase ranged from 0.6x to 2.8x; windows this short put the same drift into both sides. The
    /// ratios are against those windows. Work a move leaves behind (compactions, the garbage sweep) may
    /// fall into the windows after it as well; the 3 s before the phase's first move, after 5 s of
    /// settling with no load, show the load with no migration at all.
    /// </summary>
    private static async Task InterleavedAsync(IKeyValueCluster cluster, KeyValueDatabase db, RebornKey[] keys, RebornValue value, Settings s, MigrationMode mode, int home, List<Row> rows)
    {
        int slots = SlotsPerMove(mode);
        var owner = new int[SlotHash.SlotCount / slots]; // by range
        Array.Fill(owner, home);
        const int Quiet = 0, Moving = 1, First = 2, Settling = -1;
        var window = TimeSpan.FromSeconds(1);
        var settle = TimeSpan.FromMilliseconds(250);
        string name = mode.ToString().ToLowerInvariant();
        int ops = s.ForegroundOps * 3 / 2 + 4 * s.ForegroundRate; // about as many in each kind of window as the old phases had, and 4 s before them
        Log($"foreground: {ops:N0} ops, {s.ForegroundTasks} threads, {s.ForegroundRate:N0} ops/s, windows with no migration and with {mode} moves of {slots} slots alternating");
        // What the last phase left (its moves home, their compactions) settles first, with no load; then a
        // second of load warms up, and three seconds with no migration come before the first window.
        await Task.Delay(TimeSpan.FromSeconds(5));
        int state = Settling;
        var pauseBefore = GC.GetTotalPauseDuration();
        int gen0Before = GC.CollectionCount(0);
        var load = ForegroundAsync(db, keys, value, s, ops, 3, () => Volatile.Read(ref state));
        await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(1)));
        Volatile.Write(ref state, First);
        await Task.WhenAny(load, Task.Delay(TimeSpan.FromSeconds(3)));
        long moved = 0;
        int moves = 0, windows = 0, next = 0;
        var movingTime = TimeSpan.Zero;
        var longestFreeze = TimeSpan.Zero;
        var last = window;
        while (!load.IsCompleted)
        {
            Volatile.Write(ref state, Quiet);
            await Task.WhenAny(load, Task.Delay(last));
            if (load.IsCompleted) break;
            Volatile.Write(ref state, Moving);
            var clock = Stopwatch.StartNew();
            do
            {
                int range = next++ % owner.Length;
                var p = await MigrateAsync(cluster, range * slots, range * slots + slots - 1, 1 - owner[range], mode, s.ForegroundThrottle);
                owner[range] = 1 - owner[range];
                moved += p.KeysMoved;
                moves++;
                if (p.LongestFreeze > longestFreeze) longestFreeze = p.LongestFreeze;
            }
            while (clock.Elapsed < window && !load.IsCompleted);
            last = clock.Elapsed;
            movingTime += last;
            windows++;
            Volatile.Write(ref state, Settling);
            await Task.Delay(settle);
        }
        var samples = await load;
        // Every slot goes back home, with no load, so the next phase starts as this one did.
        for (int range = 0; range < owner.Length; range++)
        {
            if (owner[range] == home) continue;
            await MigrateAsync(cluster, range * slots, range * slots + slots - 1, home, MigrationMode.Snapshot);
        }
        var (quiet, busy, first) = (samples[Quiet], samples[Moving], samples[First]);
        double rate = moved / Math.Max(0.001, movingTime.TotalSeconds);
        Log($"  {windows} windows of moves ({moves} moves, {moved:N0} keys, {rate:N0} keys/s under the load, longest freeze {longestFreeze.TotalMilliseconds:F1} ms); GC: {GC.CollectionCount(0) - gen0Before} collections, {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:F0} ms paused");
        string throttle = s.ForegroundThrottle > 0 ? $", throttled to {s.ForegroundThrottle:N0} keys/s" : "";
        string during = $"during {name} migration ({windows} windows, {moves} moves of {slots} slots{throttle}, {rate:N0} keys/s under the load)";
        rows.Add(ForegroundRow("GET", $"no migration, the 3 s before the {name} phase's first move", first.Get, null));
        rows.Add(ForegroundRow("SET", $"no migration, the 3 s before the {name} phase's first move", first.Set, null));
        rows.Add(ForegroundRow("GET", $"no migration, windows between the {name} moves", quiet.Get, null));
        rows.Add(ForegroundRow("SET", $"no migration, windows between the {name} moves", quiet.Set, null));
        rows.Add(ForegroundRow("GET", during, busy.Get, quiet.Get));
        rows.Add(ForegroundRow("SET", during, busy.Set, quiet.Set));
        if (busy.Missing > 0 || quiet.Missing > 0 || first.Missing > 0)
            rows.Add(new("GETs that found no value (must be 0)", $"{first.Missing + quiet.Missing} without, {busy.Missing} during", "0", Verdict(false)));
    }

    private static Row ForegroundRow(string op, string when, LatencySummary l, LatencySummary? baseline)
    {
        string figure = $"p50 {l.P50Ms:F3} ms, p99 {l.P99Ms:F3} ms, max {l.MaxMs:F1} ms ({l.Count:N0} ops)";
        if (baseline is not { } b) return new($"foreground {op}, {when}", figure);
        double ratio = l.P99Ms / b.P99Ms;
        return new($"foreground {op}, {when}", $"{figure}; p99 {ratio:F2}x without, p50 {l.P50Ms / b.P50Ms:F2}x", "p99 <= 2x without", Verdict(ratio <= 2));
    }

    private static async Task<MigrationProgress> MoveAllAsync(IKeyValueCluster cluster, int target, MigrationMode mode, long expectedKeys, int maxKeysPerSecond = 0)
    {
        Log($"migrating slots 0-1023 to group {target} ({mode}{(maxKeysPerSecond > 0 ? $", at most {maxKeysPerSecond:N0} keys/s" : "")})");
        var clock = Stopwatch.StartNew();
        long allocatedBefore = GC.GetTotalAllocatedBytes();
        int gcBefore = GC.CollectionCount(0);
        var p = await MigrateAsync(cluster, 0, SlotHash.SlotCount - 1, target, mode, maxKeysPerSecond);
        clock.Stop();
        Log($"  {(GC.GetTotalAllocatedBytes() - allocatedBefore) / Math.Max(1, p.KeysMoved):N0} bytes allocated per key moved (the whole process), {GC.CollectionCount(0) - gcBefore} collections");
        Log($"  {p.KeysMoved:N0} keys, {p.BytesMoved / Mb:F1} MB in {p.Elapsed.TotalSeconds:F2} s (Stopwatch {clock.Elapsed.TotalSeconds:F2} s): " +
            $"{p.KeysPerSecond:N0} keys/s, {p.BytesPerSecond / Mb:F1} MB/s; longest freeze {p.LongestFreeze.TotalMilliseconds:F1} ms");
        if (p.KeysMoved < expectedKeys) Log($"  note: {p.KeysMoved:N0} keys moved, {expectedKeys:N0} expected");
        return p;
    }

    /// <summary>The latencies of one class of a foreground run's calls, per operation.</summary>
    private sealed record ForegroundSamples(LatencyRecorder[] Gets, LatencyRecorder[] Sets, long Missing)
    {
        public LatencySummary Get { get; } = LatencyRecorder.Summarise(Gets);
        public LatencySummary Set { get; } = LatencyRecorder.Summarise(Sets);
    }

    /// <summary>
    /// A fixed number of GET/SET calls from dedicated threads, paced to a total rate; each call counts
    /// in the class <paramref name="classify"/> gives both when it begins and when it ends (a call
    /// that sees two classes, or a negative one, counts nowhere).
    /// </summary>
    private static Task<ForegroundSamples[]> ForegroundAsync(KeyValueDatabase db, RebornKey[] keys, RebornValue value, Settings s, int ops, int classes, Func<int> classify)
    {
        int perThread = ops / s.ForegroundTasks;
        var gets = new LatencyRecorder[classes][];
        var sets = new LatencyRecorder[classes][];
        for (int c = 0; c < classes; c++)
        {
            gets[c] = new LatencyRecorder[s.ForegroundTasks];
            sets[c] = new LatencyRecorder[s.ForegroundTasks];
        }
        var missing = new long[classes];
        var threads = new Thread[s.ForegroundTasks];
        for (int t = 0; t < threads.Length; t++)
        {
            int id = t;
            for (int c = 0; c < classes; c++)
            {
                gets[c][id] = new LatencyRecorder(perThread / 2 + 1);
                sets[c][id] = new LatencyRecorder(perThread / 2 + 1);
            }
            threads[id] = new Thread(() =>
            {
                var random = new Random(id * 7919 + 1);
                var pacer = new Pacer(s.ForegroundRate > 0 ? (double)s.ForegroundRate / s.ForegroundTasks : 0, s.SpinPacing);
                for (int i = 0; i < perThread; i++)
                {
                    pacer.WaitTurn();
                    var key = keys[random.Next(keys.Length)];
                    int before = classify();
                    long started = Stopwatch.GetTimestamp();
                    if ((i & 1) == 0)
                    {
                        bool found = !Wait(db.StringGetAsync(key)).IsNull;
                        long took = Stopwatch.GetTimestamp() - started;
                        if (classify() != before || before < 0) continue;
                        if (!found) Interlocked.Increment(ref missing[before]);
                        gets[before][id].Record(took);
                    }
                    else
                    {
                        Wait(db.StringSetAsync(key, value));
                        long took = Stopwatch.GetTimestamp() - started;
                        if (classify() != before || before < 0) continue;
                        sets[before][id].Record(took);
                    }
                }
            }) { IsBackground = true, Name = "foreground-" + id };
        }
        return Task.Run(() =>
        {
            foreach (var thread in threads) thread.Start();
            foreach (var thread in threads) thread.Join();
            return Enumerable.Range(0, classes).Select(c => new ForegroundSamples(gets[c], sets[c], missing[c])).ToArray();
        });
    }

    // ---- one big slot: the snapshot switch's write freeze ---------------------------------------

    private static async Task RunBigSlotAsync(Settings s, string directory, List<Row> rows)
    {
        int count = s.BigKeys > 0 ? s.BigKeys : s.Keys;
        await using var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions { DataDirectory = directory, Durability = s.Durability });
        var db = cluster.GetDatabase(0);
        var keys = MakeKeys(count, "{big}:");
        var value = MakeValue();
        await LoadAsync(db, keys, value);
        await cluster.AddGroupAsync(1);
        int slot = SlotHash.GetSlot(keys[0].Span);
        var stats = cluster.GetSlotStatistics(slot);
        Log($"freeze: slot {slot} holds {stats.Keys:N0} keys, ~{stats.ApproximateBytes / Mb:F0} MB on disk; a writer overwrites its keys at {s.WriterRate:N0}/s during the move");

        var writes = new LatencyRecorder(8_000_000);
        long slowest = 0, over50 = 0, moveStarted = Stopwatch.GetTimestamp();
        var pauseBefore = GC.GetTotalPauseDuration();
        int gen2Before = GC.CollectionCount(2);
        var stop = 0;
        var writer = new Thread(() =>
        {
            var random = new Random(17);
            var pacer = new Pacer(s.WriterRate, s.SpinPacing);
            while (Volatile.Read(ref stop) == 0)
            {
                pacer.WaitTurn();
                var key = keys[random.Next(keys.Length)];
                long started = Stopwatch.GetTimestamp();
                Wait(db.StringSetAsync(key, value));
                long took = Stopwatch.GetTimestamp() - started;
                writes.Record(took);
                if (took > slowest) slowest = took;
                if (LatencyRecorder.Ms(took) >= 50)
                {
                    over50++;
                    Log($"  slow SET: {LatencyRecorder.Ms(took):F1} ms, {LatencyRecorder.Ms(started - moveStarted) / 1000:F2} s into the move");
                }
            }
        }) { IsBackground = true, Name = "big-slot-writer" };
        writer.Start();
        MigrationProgress p;
        try { p = await MoveRangeAsync(cluster, slot, 1); }
        finally
        {
            Volatile.Write(ref stop, 1);
            writer.Join();
        }
        var w = LatencyRecorder.Summarise([writes]);
        Log($"  GC during the move: {GC.CollectionCount(2) - gen2Before} gen2 collections, {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:F0} ms paused in all");
        rows.Add(new($"snapshot switch freeze, slot {slot} of {count:N0} keys ({p.BytesMoved / Mb:F0} MB moved incl. replays), LongestFreeze",
            $"{p.LongestFreeze.TotalMilliseconds:F1} ms", "< 50 ms", Verdict(p.LongestFreeze.TotalMilliseconds < 50)));
        rows.Add(new("  same move, writer side: longest single SET", $"{LatencyRecorder.Ms(slowest):F1} ms (p99 {w.P99Ms:F3} ms, p50 {w.P50Ms:F3} ms, " +
            $"{w.Count:N0} SETs, {over50} took >= 50 ms)", "< 50 ms", Verdict(LatencyRecorder.Ms(slowest) < 50)));
        rows.Add(new("  same move, copy rate", $"{p.BytesPerSecond / Mb:F1} MB/s, {p.KeysPerSecond:N0} keys/s ({p.Elapsed.TotalSeconds:F2} s)"));
    }

    private static async Task<MigrationProgress> MoveRangeAsync(IKeyValueCluster cluster, int slot, int target)
    {
        var p = await MigrateAsync(cluster, slot, slot, target, MigrationMode.Snapshot);
        Log($"  {p.KeysMoved:N0} keys, {p.BytesMoved / Mb:F1} MB in {p.Elapsed.TotalSeconds:F2} s; longest freeze {p.LongestFreeze.TotalMilliseconds:F1} ms");
        return p;
    }

    // ---- helpers ------------------------------------------------------------------------------

    /// <summary>Migrates slots <paramref name="first"/>-<paramref name="last"/> and waits; anything but completion ends the run.</summary>
    private static async Task<MigrationProgress> MigrateAsync(IKeyValueCluster cluster, int first, int last, int target, MigrationMode mode, int maxKeysPerSecond = 0)
    {
        var p = await cluster.MigrateAsync(first, last, target, mode, new MigrationOptions { MaxKeysPerSecond = maxKeysPerSecond });
        if (p.State != MigrationState.Completed) throw new InvalidOperationException($"migration {p.State}: {p.Error}");
        return p;
    }

    private static RebornKey[] MakeKeys(int count, string prefix)
    {
        var keys = new RebornKey[count];
        for (int i = 0; i < count; i++) keys[i] = Encoding.ASCII.GetBytes(prefix + i.ToString("D8", CultureInfo.InvariantCulture));
        return keys;
    }

    private static RebornValue MakeValue()
    {
        var bytes = new byte[ValueLength];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)('a' + i % 26);
        return bytes;
    }

    /// <summary>MSET in chunks of 1,000 keys (all slots are in group 0 then: each chunk is one batch).</summary>
    private static async Task LoadAsync(KeyValueDatabase db, RebornKey[] keys, RebornValue value)
    {
        var clock = Stopwatch.StartNew();
        const int chunk = 1000;
        for (int i = 0; i < keys.Length; i += chunk)
        {
            var pairs = new KeyValuePair<RebornKey, RebornValue>[Math.Min(chunk, keys.Length - i)];
            for (int j = 0; j < pairs.Length; j++) pairs[j] = new(keys[i + j], value);
            await db.StringSetAsync(pairs);
        }
        Log($"loaded {keys.Length:N0} keys in {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>The result of an in-process call, which completes synchronously.</summary>
    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Spaces calls at a steady rate (0: no pacing); after a stall it catches up without waiting. Between
    /// calls the thread sleeps (nanosleep: a few tens of microseconds late at most, then it catches up), as
    /// a server's threads wait for requests; with <c>spin</c> it yields in a loop instead, which keeps every
    /// core runnable, so a thread holding a group's gate is preempted more often.
    /// </summary>
    private sealed class Pacer(double perSecond, bool spin = false)
    {
        private readonly long _interval = perSecond > 0 ? (long)(Stopwatch.Frequency / perSecond) : 0;
        private long _next = Stopwatch.GetTimestamp();

        public void WaitTurn()
        {
            if (_interval == 0) return;
            _next += _interval;
            while (true)
            {
                long ahead = _next - Stopwatch.GetTimestamp();
                if (ahead <= 0) return;
                if (ahead > Stopwatch.Frequency / 500) Thread.Sleep(1);
                else if (spin || !OperatingSystem.IsLinux()) Thread.Yield();
                else Sleep(ahead * 1_000_000_000 / Stopwatch.Frequency);
            }
        }

        private static unsafe void Sleep(long nanoseconds)
        {
            long* request = stackalloc long[2];
            request[0] = 0;
            request[1] = nanoseconds;
            nanosleep(request, null);
        }

        [System.Runtime.InteropServices.DllImport("libc")]
        private static extern unsafe int nanosleep(long* request, long* remaining);
    }

    private static string Verdict(bool met) => met ? "yes" : "NO";

    private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");

    private static Settings Parse(string[] args)
    {
        var s = new Settings();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            int Int() { var v = Next(); return int.TryParse(v, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out int n) && n >= 0 ? n : throw new FormatException($"not a count: {v}"); }
            switch (args[i])
            {
                case "--keys": s.Keys = Math.Max(1, Int()); break;
                case "--big-keys": s.BigKeys = Int(); break;
                case "--fg-ops": s.ForegroundOps = Math.Max(2, Int()); break;
                case "--fg-tasks": s.ForegroundTasks = Math.Max(1, Int()); break;
                case "--fg-rate": s.ForegroundRate = Int(); break;
                case "--writer-rate": s.WriterRate = Int(); break;
                case "--fg-throttle": s.ForegroundThrottle = Math.Max(0, Int()); break;
                case "--only": s.Parts = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
                case "--fg-modes": s.ForegroundModes = [.. Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => Enum.TryParse<MigrationMode>(m, true, out var mode) ? mode : throw new FormatException($"fg-modes: snapshot or key, not {m}"))]; break;
                case "--dir": s.Directory = Next(); break;
                case "--pacing": s.SpinPacing = Next() switch { "spin" => true, "sleep" => false, var v => throw new FormatException($"pacing: sleep or spin, not {v}") }; break;
                case "--durability": s.Durability = Enum.TryParse<Durability>(Next(), true, out var d) ? d : throw new FormatException("durability: Always, EverySecond or Never"); break;
                default: throw new FormatException($"unknown option {args[i]}");
            }
        }
        return s;
    }

    private static void Print(List<Row> rows)
    {
        string[] head = ["Measure", "Figure", "Target", "Met"];
        var cells = rows.Select(r => new[] { r.Measure, r.Figure, r.Target, r.Met }).ToList();
        var width = Enumerable.Range(0, 4).Select(c => cells.Select(r => r[c].Length).Append(head[c].Length).Max()).ToArray();
        string Line(string[] r) => "| " + string.Join(" | ", r.Select((x, c) => x.PadRight(width[c]))) + " |";
        Console.WriteLine(Line(head));
        Console.WriteLine("|" + string.Join("|", width.Select(w => new string('-', w + 2))) + "|");
        foreach (var r in cells) Console.WriteLine(Line(r));
    }
}
