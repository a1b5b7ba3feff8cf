using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Reborn.Resp.Commands;
using Reborn.Resp.Protocol;
using Reborn.Storage;

namespace Reborn.Resp.Server;

/// <summary>
/// One client: reads every complete command of a receive batch, runs each, and flushes the
/// replies once per batch. Malformed input gets Redis's protocol error and closes only this
/// connection. Two transports: on Linux a plain TCP client is served by the server's
/// <see cref="EventLoop"/> (ClientConnection.Loop.cs); otherwise (TLS, other systems) by a stream
/// with pipelines, here, where pushes from other clients (pub/sub) share the output under <see cref="_output"/>.
/// </summary>
internal sealed partial class ClientConnection : IAsyncDisposable
{
    private readonly RespServer _server;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _closed;
    private long _commandMark; // Stopwatch timestamp the running command's time counts from
    private ServerStatistics.CommandStatCache _statCache;
    private readonly SemaphoreSlim _output = new(1, 1);
    private readonly RespCommandReader _reader = new();
    private readonly RespCommandArgs _args = new();
    private readonly ArrayBufferWriter<byte> _discarded = new();
    private Stream _stream = null!;
    private PipeReader _input = null!;
    private PipeWriter _pipe = null!;
    private RespWriter _writer = null!;
    private RespWriter _silentWriter = null!;
    private bool _silent; // the running command's reply is discarded (CLIENT REPLY OFF or SKIP)

    public ClientConnection(RespServer server, Socket socket, CancellationToken serverStopping)
    {
        _server = server;
        _socket = socket;
        _closed = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        Session = new ClientSession(socket.RemoteEndPoint?.ToString() ?? "?", socket.LocalEndPoint?.ToString() ?? "?")
        {
            Authenticated = server.Options.RequirePass is null,
        };
        Session.Kill = Close;
        _reader.MaxBulkLength = server.Options.ProtoMaxBulkLength;
        _reader.MaxMultibulkLength = int.MaxValue; // Redis 7.0: counts are bounded by the query buffer, not a fixed cap
    }

    public ClientSession Session { get; }
    public CommandContext Context { get; private set; } = null!;

    /// <summary>Any thread: the connection closes once its running command (if any) completes.</summary>
    public void Close()
    {
        Session.CloseRequested = true;
        try { _closed.Cancel(); } catch (ObjectDisposedException) { }
        if (_loop is { } loop) loop.Post(QueueSend);
    }

    public async Task RunAsync()
    {
        if (_server.Loop is { } loop)
        {
            await RunOnLoopAsync(loop).ConfigureAwait(false);
            return;
        }
        try
        {
            _stream = new NetworkStream(_socket, ownsSocket: false);
            if (_server.Options.TlsCertificate is { } certificate)
            {
                var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsServerAsync(certificate, clientCertificateRequired: false, checkCertificateRevocation: false).ConfigureAwait(false);
                _stream = tls;
            }
            _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024));
            _pipe = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 4 * 1024));
            CreateContext(_pipe);
            await ServeAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        catch (SocketException) { }
        catch (System.Security.Authentication.AuthenticationException error)
        {
            _server.Logger.LogInformation("TLS handshake with {Client} failed: {Reason}", Session.RemoteAddress, error.Message);
        }
        catch (Exception error)
        {
            _server.Logger.LogError(error, "Connection {Id} from {Client} failed", Session.Id, Session.RemoteAddress);
        }
    }

    private async Task ServeAsync()
    {
        var idle = _server.Options.IdleTimeout;
        while (!Session.CloseRequested)
        {
            ReadResult read;
            if (idle > TimeSpan.Zero)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
                timeout.CancelAfter(idle);
                read = await _input.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            else read = await _input.ReadAsync(_closed.Token).ConfigureAwait(false);

            var buffer = read.Buffer;
            long before = buffer.Length;
            Session.LastInteraction = DateTimeOffset.UtcNow; // once per batch: CLIENT LIST's idle counts seconds
            await _output.WaitAsync(_closed.Token).ConfigureAwait(false);
            try
            {
                bool protocolError = false;
                // The batch's writes share one WAL write, made before any of its replies is flushed.
                GroupCommit.Begin();
                _commandMark = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    while (!Session.CloseRequested && _reader.TryReadCommand(ref buffer, _args))
                        await ExecuteAsync().ConfigureAwait(false);
                }
                catch (RespProtocolException error)
                {
                    Interlocked.Increment(ref _server.Statistics.ProtocolErrors);
                    _writer.Error(error.ErrorReply);
                    protocolError = true;
                    _server.Logger.LogDebug("Protocol error from {Client}: {Error}", Session.RemoteAddress, error.Message);
                }
                finally { GroupCommit.Complete(); }
                Interlocked.Add(ref _server.Statistics.NetInputBytes, before - buffer.Length);
                _input.AdvanceTo(buffer.Start, buffer.End);
                long unflushed = _pipe.UnflushedBytes;
                Interlocked.Add(ref _server.Statistics.NetOutputBytes, unflushed);
                await _pipe.FlushAsync(_closed.Token).ConfigureAwait(false);
                if (protocolError) return;
            }
            finally { _output.Release(); }

            if (buffer.Length > _server.Options.ClientQueryBufferLimit)
            {
                _server.Logger.LogWarning("Closing {Client}: query buffer {Bytes} bytes exceeds client-query-buffer-limit", Session.RemoteAddress, buffer.Length);
                return;
            }
            if (read.IsCompleted) return;
        }
    }

    private void CreateContext(System.Buffers.IBufferWriter<byte> output)
    {
        _writer = new RespWriter(output);
        _silentWriter = new RespWriter(_discarded);
        Context = new CommandContext(_server.Cluster, _writer) { Args = _args, Session = Session, Server = _server, Aborted = _closed.Token };
    }

    private async ValueTask ExecuteAsync()
    {
        var running = StartCommand();
        if (running.IsCompleted) running.GetAwaiter().GetResult();
        else
        {
            // The command waits (BLPOP ...) and this thread goes back to the pool: it must not keep
            // deferring WAL writes for whatever runs on it next. The scope resumes on the thread that continues.
            GroupCommit.Complete();
            try { await WhileBlockedAsync(running.AsTask()).ConfigureAwait(false); }
            finally { GroupCommit.Begin(); }
        }
        FinishCommand();
    }

    /// <summary>Runs the parsed command in <see cref="_args"/> (its reply discarded under CLIENT REPLY OFF/SKIP).</summary>
    private ValueTask StartCommand()
    {
        _silent = Session.ReplyMode != ReplyMode.On;
        if (_silent) { _silentWriter.Protocol = _writer.Protocol; Context.Writer = _silentWriter; }
        return _server.Dispatcher.ExecuteAsync(Context);
    }

    /// <summary>After a command completed: serves the clients it unblocked, counts it, restores the reply mode.</summary>
    private void FinishCommand()
    {
        // Clients blocked on keys this command (or EXEC) filled are served before the next command, as in Redis.
        _server.Blocking.ServeReadyKeys();
        // One clock read per command: a command's time runs from the previous command's end (or the
        // batch's start), so it includes parsing its own arguments, as a per-call timer would not.
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        _server.RecordCommand(Context.CommandName, now - _commandMark, Context.Outcome, ref _statCache);
        _commandMark = now;
        if (_silent)
        {
            // CLIENT REPLY ON itself must be answered; SKIP covers exactly one command.
            _writer.Protocol = _silentWriter.Protocol;
            Context.Writer = _writer;
            // A command that turned replies back on (CLIENT REPLY ON, RESET) is answered itself.
            if (Session.ReplyMode == ReplyMode.On) _writer.Raw(_discarded.WrittenSpan);
            _discarded.Clear();
            if (Session.ReplyMode == ReplyMode.Skip && Context.CommandName != "client|reply") Session.ReplyMode = ReplyMode.On;
        }
    }

    /// <summary>
    /// Awaits a command that waits (BLPOP ...). Meanwhile nothing reads this socket, so poll it: a
    /// client that hangs up stops waiting (its blocked command sees Aborted), as Redis notices at once.
    /// </summary>
    private async Task WhileBlockedAsync(Task command)
    {
        while (await Task.WhenAny(command, Task.Delay(HangUpPollInterval)).ConfigureAwait(false) != command)
            if (PeerHungUp()) Close();
        await command.ConfigureAwait(false);
    }

    private static readonly TimeSpan HangUpPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Readable with nothing to read means the peer closed (or reset) the connection.</summary>
    private bool PeerHungUp()
    {
        try { return _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0; }
        catch (SocketException) { return true; }
        catch (ObjectDisposedException) { return true; }
    }

    /// <summary>Writes a message pushed by another client (pub/sub) and flushes it.</summary>
    public async ValueTask PushAsync(Action<RespWriter> write)
    {
        if (_loop is not null)
        {
            PushOnLoop(write);
            return;
        }
        try
        {
            await _output.WaitAsync(_closed.Token).ConfigureAwait(false);
            try
            {
                write(_writer);
                await _pipe.FlushAsync(_closed.Token).ConfigureAwait(false);
            }
            finally { _output.Release(); }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        try { if (_input is not null) await _input.CompleteAsync().ConfigureAwait(false); } catch (Exception) { }
        try { if (_pipe is not null) await _pipe.CompleteAsync().ConfigureAwait(false); } catch (Exception) { }
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception) { }
        _socket.Dispose();
        _args.Dispose();
        _closed.Dispose();
    }
}
