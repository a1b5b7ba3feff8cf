using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reborn.Core.Cluster;
using Reborn.Resp.Commands;

namespace Reborn.Resp.Server;

/// <summary>
/// The RESP endpoint: accepts TCP (optionally TLS) clients on a loopback or configured address and
/// serves every command of the table against one <see cref="IKeyValueCluster"/>.
/// Stop: stop accepting, let in-flight commands finish, close clients, flush the engines.
/// </summary>
public sealed class RespServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, ClientConnection> _connections = new();
    private readonly ConcurrentDictionary<long, Task> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _listener;
    private EventLoop? _loop;
    private Task _acceptLoop = Task.CompletedTask;
    private int _stopped;

    public RespServer(IKeyValueCluster cluster, RespServerOptions options, ILogger<RespServer>? logger = null)
    {
        options.Validate();
        Cluster = cluster;
        Options = options;
        Logger = logger ?? NullLogger<RespServer>.Instance;
        PubSub = new PubSubBroker(this);
        Blocking = new BlockingWaiters(cluster);
    }

    public IKeyValueCluster Cluster { get; }
    public RespServerOptions Options { get; }
    public ILogger Logger { get; }
    public CommandDispatcher Dispatcher { get; } = new();
    public ServerStatistics Statistics { get; } = new();
    internal PubSubBroker PubSub { get; }
    internal BlockingWaiters Blocking { get; }

    /// <summary>The event loop plain TCP clients are served on (Linux, <see cref="RespServerOptions.EventLoop"/>); null: streams.</summary>
    internal EventLoop? Loop => _loop;

    /// <summary>The address actually bound (the real port when Options.Port was 0).</summary>
    public IPEndPoint EndPoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>Completes when a client sends SHUTDOWN; the host then stops the server.</summary>
    public Task ShutdownRequested => _shutdownRequested.Task;

    public int ConnectedClients => _connections.Count;

    internal IEnumerable<ClientConnection> Connections => _connections.Values;

    /// <summary>The connection of a session (pub/sub commands need it to receive pushes); null once it closed.</summary>
    internal ClientConnection? FindConnection(long sessionId) => _connections.GetValueOrDefault(sessionId);

    /// <summary>Clients blocked in BLPOP, BZPOPMIN ... right now (INFO's blocked_clients).</summary>
    public int BlockedClients => Blocking.Count;

    /// <summary>Binds and starts accepting. Throws a clear error when the address is taken.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        var address = IPAddress.Parse(Options.Bind);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(address, Options.Port));
            listener.Listen(512);
        }
        catch (SocketException error)
        {
            listener.Dispose();
            string reason = error.SocketErrorCode == SocketError.AddressAlreadyInUse ? "the port is already in use" : error.Message;
            throw new InvalidOperationException($"Reborn server: cannot listen on {Options.Bind}:{Options.Port}: {reason}.", error);
        }
        _listener = listener;
        if (Options.EventLoop && Options.TlsCertificate is null && Linux.Supported) _loop = new EventLoop(this);
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        Logger.LogInformation("Reborn listening on {EndPoint}{Tls}", EndPoint, Options.TlsCertificate is null ? "" : " (TLS)");
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener!.AcceptAsync(_stopping.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException error) { Logger.LogWarning("Accept failed: {Error}", error.Message); continue; }

            socket.NoDelay = true;
            Interlocked.Increment(ref Statistics.ConnectionsReceived);
            if (_connections.Count >= Options.MaxClients)
            {
                Interlocked.Increment(ref Statistics.ConnectionsRejected);
                _ = RejectAsync(socket);
                continue;
            }
            var connection = new ClientConnection(this, socket, _stopping.Token);
            _connections[connection.Session.Id] = connection;
            _running[connection.Session.Id] = ServeAsync(connection);
        }
    }

    private static async Task RejectAsync(Socket socket)
    {
        try { await socket.SendAsync("-ERR max number of clients reached\r\n"u8.ToArray(), SocketFlags.None).ConfigureAwait(false); }
        catch (SocketException) { }
        finally { socket.Dispose(); }
    }

    private async Task ServeAsync(ClientConnection connection)
    {
        await Task.Yield();
        try { await connection.RunAsync().ConfigureAwait(false); }
        finally
        {
            _connections.TryRemove(connection.Session.Id, out _);
            PubSub.RemoveAll(connection);
            if (connection.Session.Watches is { } watches) Cluster.Unwatch(watches);
            await connection.DisposeAsync().ConfigureAwait(false);
            _running.TryRemove(connection.Session.Id, out _);
        }
    }

    /// <summary>Counts a finished command; <paramref name="elapsedTicks"/> is in Stopwatch ticks.</summary>
    internal void RecordCommand(string name, long elapsedTicks, CommandOutcome outcome, ref ServerStatistics.CommandStatCache cache)
    {
        if (name.Length == 0) return; // an unknown command
        var stat = cache.Stat;
        int generation = Statistics.Generation; // read before the lookup: a reset in between is seen next time
        if (stat is null || !ReferenceEquals(name, cache.Name) || generation != cache.Generation)
        {
            stat = Statistics.Commands.GetOrAdd(name, static _ => new ServerStatistics.CommandStat());
            cache = new ServerStatistics.CommandStatCache { Name = name, Stat = stat, Generation = generation };
        }
        if (outcome == CommandOutcome.Rejected)
        {
            Interlocked.Increment(ref stat.RejectedCalls);
            return;
        }
        Interlocked.Increment(ref stat.Calls);
        Interlocked.Add(ref stat.Ticks, elapsedTicks);
        if (outcome == CommandOutcome.Failed) Interlocked.Increment(ref stat.FailedCalls);
        CommandCompleted?.Invoke(name, System.Diagnostics.Stopwatch.GetElapsedTime(0, elapsedTicks));
    }

    /// <summary>
    /// Called after each named command with its name and execution time (metrics). Runs on the
    /// connection's loop between commands of a batch: it must be cheap and must not throw.
    /// </summary>
    public Action<string, TimeSpan>? CommandCompleted { get; set; }

    /// <summary>SHUTDOWN from a client: the hosting layer (or the caller) stops the server.</summary>
    internal void RequestShutdown() => _shutdownRequested.TrySetResult();

    internal bool Kill(Func<ClientSession, bool> match)
    {
        bool any = false;
        foreach (var connection in _connections.Values)
            if (match(connection.Session)) { connection.Close(); any = true; }
        return any;
    }

    /// <summary>Stops accepting, lets in-flight commands finish, closes clients, flushes the engines.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        Logger.LogInformation("Reborn server stopping: {Clients} clients connected", _connections.Count);
        try { _listener?.Close(); } catch (SocketException) { }
        _stopping.Cancel();
        try { await _acceptLoop.ConfigureAwait(false); } catch (Exception) { }
        foreach (var connection in _connections.Values) connection.Close();
        try { await Task.WhenAll(_running.Values).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false); }
        catch (TimeoutException) { Logger.LogWarning("Some clients did not close within 10 s"); }
        catch (OperationCanceledException) { }
        await Cluster.FlushAsync().ConfigureAwait(false);
        _shutdownRequested.TrySetResult();
        Logger.LogInformation("Reborn server stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _loop?.Dispose();
        Blocking.Dispose();
        _stopping.Dispose();
    }
}
