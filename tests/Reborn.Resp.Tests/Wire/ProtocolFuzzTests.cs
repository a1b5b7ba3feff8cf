using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Reborn.Core.Cluster;
using Reborn.Resp.Client;
using Reborn.Resp.Protocol;
using Reborn.Resp.Server;
using Reborn.Storage;

namespace Reborn.Resp.Tests.Wire;

/// <summary>
/// Protocol fuzzing over TCP: at least 100,000 random and mutated frames over thousands of
/// short-lived connections to one in-process server, while a well-behaved connection keeps
/// checking PING and SET/GET. The server must never log a failed connection, must answer each
/// fuzzed connection with valid RESP (a protocol error only as the last reply, then a close),
/// and must never allocate a length that was declared but not sent.
/// The seed is printed; set REBORN_FUZZ_SEED to replay a run (each worker's payloads replay
/// exactly; the interleaving of workers on the shared keyspace does not).
/// </summary>
[NonParallelizable]
public sealed class ProtocolFuzzTests
{
    private const int TargetFrames = 100_000;
    private const int Workers = 4;
    private const int ProbeEveryFrames = 1_000;
    private const long MemoryBound = 256L * 1024 * 1024;
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RunBound = TimeSpan.FromSeconds(110);

    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("REBORN_FUZZ_SEED"), out int seed) ? seed : Random.Shared.Next();

    [TestCase(true, TestName = "HundredThousandHostileFramesNeitherCrashNorStarveAWellBehavedClient(event loop)")]
    [TestCase(false, TestName = "HundredThousandHostileFramesNeitherCrashNorStarveAWellBehavedClient(streams)")]
    public async Task HundredThousandHostileFramesNeitherCrashNorStarveAWellBehavedClient(bool eventLoop)
    {
        int seed = Seed();
        TestContext.Out.WriteLine($"protocol fuzz seed {seed} (REBORN_FUZZ_SEED={seed} replays it)");
        var logger = new CapturingLogger();
        await using var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions { Engine = EngineKind.Memory, DataDirectory = "unused", Durability = Durability.Never });
        var server = new RespServer(cluster, new RespServerOptions { Bind = "127.0.0.1", Port = 0, EventLoop = eventLoop }, logger);
        await server.StartAsync();
        await using var stop = server;
        var endPoint = server.EndPoint;
        using var bound = new CancellationTokenSource(RunBound);

        await using var probe = await RespConnection.ConnectAsync("127.0.0.1", endPoint.Port);
        var memory = new MemoryWatch();
        await ProbeAsync(probe, 0);

        // Phase 1: connections that declare huge lengths and send almost nothing, all held open at once.
        await HoldDeclaredButUnsentLengthsAsync(endPoint, probe, memory, bound.Token);

        // Phase 2: the fuzz proper.
        var stats = new FuzzStats();
        var probeRequests = System.Threading.Channels.Channel.CreateUnbounded<int>();
        Task prober = Task.Run(async () =>
        {
            await foreach (int frames in probeRequests.Reader.ReadAllAsync(bound.Token))
            {
                await ProbeAsync(probe, frames);
                memory.Sample();
                Interlocked.Increment(ref stats.Probes);
            }
        });
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            try { await FuzzWorkerAsync(endPoint, new Random(unchecked(seed * 31 + w)), seed, w, TargetFrames / Workers, stats, probeRequests.Writer, bound.Token); }
            catch { await bound.CancelAsync(); throw; } // one failure stops the others
        })).ToArray();
        try { await Task.WhenAll(workers); }
        catch (Exception) when (PrintServerErrors(logger)) { }
        catch (OperationCanceledException)
        {
            // Report the worker that failed, not the ones it cancelled.
            var first = workers.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            throw;
        }
        finally { probeRequests.Writer.TryComplete(); }
        await prober;
        watch.Stop();
        TestContext.Out.WriteLine($"{stats.Frames:N0} frames over {stats.Connections:N0} connections in {watch.Elapsed.TotalSeconds:F1} s: " +
            $"{stats.Replies:N0} replies, {stats.ProtocolErrors:N0} protocol errors, {stats.Resets:N0} resets, {stats.Probes:N0} probes; kinds: {stats.Kinds()}");
        TestContext.Out.WriteLine(memory.Report());

        Assert.That(stats.Frames, Is.GreaterThanOrEqualTo(TargetFrames));
        await ProbeAsync(probe, stats.Frames);
        memory.Sample();
        memory.AssertWithin(MemoryBound, seed);
        await AssertOnlyTheProbeRemainsAsync(server, seed);
        Assert.That(logger.Errors, Is.Empty, $"the server logged failed connections (seed {seed})");
        await using var fresh = await RespConnection.ConnectAsync("127.0.0.1", endPoint.Port);
        Assert.That((await fresh.ExecuteAsync("PING")).ToString(), Is.EqualTo("PONG"));
    }

    /// <summary>
    /// Sixteen connections each of a 512 MB bulk begun but not sent, a 2,147,483,647-argument
    /// command, and a 1,048,576-argument one: if any length were allocated on declaration the
    /// process would grow by gigabytes. Held open together while memory is measured.
    /// </summary>
    private static async Task HoldDeclaredButUnsentLengthsAsync(IPEndPoint endPoint, RespConnection probe, MemoryWatch memory, CancellationToken cancellation)
    {
        byte[][] declarations =
        [
            Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$6\r\nfz:big\r\n$536870912\r\n" + new string('v', 4096)),
            Encoding.ASCII.GetBytes("*2147483647\r\n$3\r\nSET\r\n$6\r\nfz:big\r\n"),
            Encoding.ASCII.GetBytes("*1048576\r\n" + string.Concat(Enumerable.Repeat("$1\r\na\r\n", 100))),
            Encoding.ASCII.GetBytes("*1\r\n$536870912\r\n"),
        ];
        var held = new List<Socket>();
        try
        {
            for (int i = 0; i < 16; i++)
                foreach (byte[] declaration in declarations)
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    held.Add(socket);
                    await socket.ConnectAsync(endPoint, cancellation);
                    await socket.SendAsync(declaration, SocketFlags.None, cancellation);
                }
            // The server reads each declaration as it arrives; sample while all are held.
            for (int i = 0; i < 20; i++)
            {
                await ProbeAsync(probe, -1);
                memory.Sample();
            }
            memory.AssertWithin(MemoryBound, seed: null);
        }
        finally
        {
            foreach (var socket in held) socket.Dispose();
        }
    }

    private static bool PrintServerErrors(CapturingLogger logger)
    {
        foreach (string error in logger.Errors) TestContext.Out.WriteLine("server logged: " + error);
        return false;
    }

    private static async Task ProbeAsync(RespConnection probe, int frames)
    {
        string context = $" (probe after {frames} fuzz frames)";
        Assert.That((await probe.ExecuteAsync("PING")).ToString(), Is.EqualTo("PONG"), context);
        string value = "v" + frames;
        Assert.That((await probe.ExecuteAsync("SET", "probe:key", value)).ToString(), Is.EqualTo("OK"), context);
        Assert.That((await probe.ExecuteAsync("GET", "probe:key")).AsString(), Is.EqualTo(value), context);
        // Keeps the fuzzed keys small, so LRANGE/HGETALL replies do not grow with the run.
        await probe.ExecuteAsync("DEL", "fz:k0", "fz:k1", "fz:k2", "fz:k3", "fz:k4", "fz:k5", "fz", "fz:big");
    }

    private static async Task FuzzWorkerAsync(IPEndPoint endPoint, Random random, int seed, int worker, int frames, FuzzStats stats,
        System.Threading.Channels.ChannelWriter<int> probeRequests, CancellationToken cancellation)
    {
        var fuzzer = new ProtocolFuzzer(random);
        int sent = 0;
        for (int connection = 0; sent < frames; connection++)
        {
            FuzzPayload payload = fuzzer.Next();
            var outcome = await ExchangeAsync(endPoint, payload.Bytes, random, cancellation);
            string where = $"seed {seed}, worker {worker}, connection {connection} ({payload.Kind}, {payload.Expectation}); sent {Describe(payload.Bytes)}";
            Check(payload, outcome, where);

            sent += payload.Frames;
            int before = Interlocked.Add(ref stats.Frames, payload.Frames) - payload.Frames;
            if (before / ProbeEveryFrames != (before + payload.Frames) / ProbeEveryFrames)
                probeRequests.TryWrite(before + payload.Frames);
            stats.Count(payload.Kind, outcome);
        }
    }

    private sealed record Outcome(List<byte[]> Replies, byte[] Leftover, bool Reset);

    /// <summary>
    /// Sends the payload in a few random pieces, then ends the input (shutdown of the send side),
    /// reading concurrently until the server closes. Each reply is split off whole.
    /// </summary>
    private static async Task<Outcome> ExchangeAsync(IPEndPoint endPoint, byte[] payload, Random random, CancellationToken cancellation)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(ConnectionTimeout);
        await socket.ConnectAsync(endPoint, timeout.Token);
        bool reset = false;
        Task<(byte[] Bytes, bool Reset)> reading = ReadUntilClosedAsync(socket, timeout.Token);

        int pieces = random.Next(1, 5);
        int offset = 0;
        try
        {
            for (int p = 0; p < pieces && offset < payload.Length; p++)
            {
                int length = p == pieces - 1 ? payload.Length - offset : random.Next(1, payload.Length - offset + 1);
                await socket.SendAsync(payload.AsMemory(offset, length), SocketFlags.None, timeout.Token);
                offset += length;
            }
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException) { reset = true; } // the server closed first (after a protocol error)

        (byte[] received, bool readReset) = await reading.WaitAsync(timeout.Token).ConfigureAwait(false);
        var replies = new List<byte[]>();
        var buffer = new ReadOnlySequence<byte>(received);
        while (RespReplyReader.TryGetLength(buffer, out long length))
        {
            replies.Add(buffer.Slice(0, length).ToArray());
            buffer = buffer.Slice(length);
        }
        return new Outcome(replies, buffer.ToArray(), reset || readReset);
    }

    private static async Task<(byte[] Bytes, bool Reset)> ReadUntilClosedAsync(Socket socket, CancellationToken cancellation)
    {
        var received = new MemoryStream();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                int read;
                try { read = await socket.ReceiveAsync(chunk, SocketFlags.None, cancellation); }
                catch (SocketException) { return (received.ToArray(), true); }
                catch (OperationCanceledException)
                {
                    throw new AssertionException($"the server neither closed the connection nor answered within {ConnectionTimeout}; received so far: {Describe(received.ToArray())}");
                }
                if (read == 0) return (received.ToArray(), false);
                received.Write(chunk, 0, read);
            }
        }
        finally { ArrayPool<byte>.Shared.Return(chunk); }
    }

    private static void Check(FuzzPayload payload, Outcome outcome, string where)
    {
        string got = $"\nreceived {outcome.Replies.Count} replies: {string.Join(" | ", outcome.Replies.Take(40).Select(Describe))}" +
                     (outcome.Leftover.Length > 0 ? $"\nleftover: {Describe(outcome.Leftover)}" : "");
        // Every byte the server sent must frame as RESP; a reset may cut the last reply short.
        if (!outcome.Reset)
            Assert.That(outcome.Leftover, Is.Empty, $"the server sent bytes that are not a whole RESP reply; {where}{got}");
        int errorAt = outcome.Replies.FindIndex(IsProtocolError);
        if (errorAt >= 0)
            Assert.That(errorAt, Is.EqualTo(outcome.Replies.Count - 1), $"replies followed a protocol error; {where}{got}");

        switch (payload.Expectation)
        {
            case FuzzExpectation.Healthy:
                Assert.That(outcome.Reset, Is.False, $"the connection was reset; {where}{got}");
                Assert.That(outcome.Replies, Has.Count.EqualTo(payload.RepliesBeforeTail + 1), $"one reply per command; {where}{got}");
                Assert.That(outcome.Replies[^1], Is.EqualTo(ProtocolFuzzer.SentinelReply), $"the sentinel is answered last; {where}{got}");
                break;
            case FuzzExpectation.Incomplete:
                Assert.That(errorAt, Is.EqualTo(-1), $"an incomplete frame is not an error; {where}{got}");
                Assert.That(outcome.Replies, Has.Count.EqualTo(payload.RepliesBeforeTail), $"one reply per whole command; {where}{got}");
                break;
            case FuzzExpectation.ProtocolError:
                // A close with unread input may reach us as a reset, which can drop the error reply itself.
                if (outcome.Reset && outcome.Replies.Count <= payload.RepliesBeforeTail) break;
                Assert.That(outcome.Replies, Has.Count.EqualTo(payload.RepliesBeforeTail + 1), $"one reply per command, then the error; {where}{got}");
                Assert.That(Encoding.ASCII.GetString(outcome.Replies[^1]), Is.EqualTo("-" + payload.ProtocolError + "\r\n"), $"{where}{got}");
                break;
            case FuzzExpectation.Unknown:
                Assert.That(outcome.Replies.Count, Is.GreaterThanOrEqualTo(payload.RepliesBeforeTail), $"every command before the garbage is answered; {where}{got}");
                break;
        }
    }

    private static bool IsProtocolError(byte[] reply) => reply.AsSpan().StartsWith("-ERR Protocol error"u8);

    private static string Describe(byte[] bytes)
    {
        var text = new StringBuilder();
        foreach (byte b in bytes.Take(300))
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                >= 32 and < 127 => ((char)b).ToString(),
                _ => $"\\x{b:x2}",
            });
        if (bytes.Length > 300) text.Append($"...({bytes.Length} bytes)");
        return text.ToString();
    }

    private static async Task AssertOnlyTheProbeRemainsAsync(RespServer server, int seed)
    {
        // Closed connections leave the server's table when their loop ends: poll, bounded.
        for (int i = 0; i < 500 && server.ConnectedClients > 1; i++)
            await Task.Delay(20);
        Assert.That(server.ConnectedClients, Is.EqualTo(1), $"fuzzed connections left open on the server (seed {seed})");
    }

    private sealed class FuzzStats
    {
        public int Frames;
        public int Connections;
        public long Replies;
        public int ProtocolErrors;
        public int Resets;
        public int Probes;
        private readonly Dictionary<string, int> _kinds = [];

        public void Count(string kind, Outcome outcome)
        {
            Interlocked.Increment(ref Connections);
            Interlocked.Add(ref Replies, outcome.Replies.Count);
            if (outcome.Replies.Count > 0 && IsProtocolError(outcome.Replies[^1])) Interlocked.Increment(ref ProtocolErrors);
            if (outcome.Reset) Interlocked.Increment(ref Resets);
            lock (_kinds) _kinds[kind] = _kinds.GetValueOrDefault(kind) + 1;
        }

        public string Kinds()
        {
            lock (_kinds) return string.Join(", ", _kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}"));
        }
    }

    /// <summary>The managed heap and the working set, against a baseline taken at creation.</summary>
    private sealed class MemoryWatch
    {
        private readonly long _heapBase = GC.GetTotalMemory(forceFullCollection: true);
        private readonly long _workingSetBase = WorkingSet();
        private long _heapPeak;
        private long _workingSetPeak;

        public void Sample()
        {
            _heapPeak = Math.Max(_heapPeak, GC.GetTotalMemory(forceFullCollection: false));
            _workingSetPeak = Math.Max(_workingSetPeak, WorkingSet());
        }

        public void AssertWithin(long bound, int? seed)
        {
            string where = seed is null ? "while huge declared lengths were held" : $"during the fuzz (seed {seed})";
            Assert.That(_heapPeak - _heapBase, Is.LessThan(bound), $"managed heap grew {where}: {Report()}");
            Assert.That(_workingSetPeak - _workingSetBase, Is.LessThan(bound), $"working set grew {where}: {Report()}");
        }

        public string Report() =>
            $"managed heap {_heapBase / 1048576} MB -> peak {_heapPeak / 1048576} MB; working set {_workingSetBase / 1048576} MB -> peak {_workingSetPeak / 1048576} MB";

        private static long WorkingSet()
        {
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }
    }
}
