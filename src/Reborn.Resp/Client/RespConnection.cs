using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Client;

/// <summary>
/// A minimal RESP client over one TCP connection: send commands as multibulk requests, read
/// replies parsed (<see cref="RespReply"/>) or raw (the exact bytes received, for byte-for-byte
/// differential tests). Pipelining is sending several commands, then reading as many replies.
/// Not thread-safe: one caller at a time.
/// </summary>
public sealed class RespConnection : IAsyncDisposable, IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly ArrayBufferWriter<byte> _requests = new();
    private readonly RespWriter _writer;

    private RespConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream);
        _writer = new RespWriter(_requests);
    }

    /// <summary>How long a read waits for a reply before failing with <see cref="TimeoutException"/>.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public static async Task<RespConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new RespConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<RespReply> ExecuteAsync(params string[] args)
    {
        await SendAsync(args).ConfigureAwait(false);
        return await ReadReplyAsync().ConfigureAwait(false);
    }

    public async Task<RespReply> ExecuteAsync(params byte[][] args)
    {
        await SendAsync(args).ConfigureAwait(false);
        return await ReadReplyAsync().ConfigureAwait(false);
    }

    /// <summary>Sends one command and returns its reply exactly as the server sent it.</summary>
    public async Task<byte[]> ExecuteRawAsync(params string[] args)
    {
        await SendAsync(args).ConfigureAwait(false);
        return await ReadRawReplyAsync().ConfigureAwait(false);
    }

    public async Task<byte[]> ExecuteRawAsync(params byte[][] args)
    {
        await SendAsync(args).ConfigureAwait(false);
        return await ReadRawReplyAsync().ConfigureAwait(false);
    }

    /// <summary>Sends one command without reading its reply (pipelining).</summary>
    public Task SendAsync(params string[] args)
    {
        AppendRequest(args);
        return FlushRequestsAsync();
    }

    public Task SendAsync(params byte[][] args)
    {
        AppendRequest(args);
        return FlushRequestsAsync();
    }

    /// <summary>Sends every command in one write, then reads one reply per command.</summary>
    public async Task<RespReply[]> PipelineAsync(IEnumerable<string[]> commands)
    {
        int count = 0;
        foreach (string[] command in commands)
        {
            AppendRequest(command);
            count++;
        }
        await FlushRequestsAsync().ConfigureAwait(false);
        var replies = new RespReply[count];
        for (int i = 0; i < count; i++)
            replies[i] = await ReadReplyAsync().ConfigureAwait(false);
        return replies;
    }

    /// <summary>Sends every command in one write, then reads each reply's raw bytes, in order.</summary>
    public async Task<byte[][]> PipelineRawAsync(IReadOnlyList<byte[][]> commands)
    {
        foreach (byte[][] command in commands)
            AppendRequest(command);
        await FlushRequestsAsync().ConfigureAwait(false);
        var replies = new byte[commands.Count][];
        for (int i = 0; i < replies.Length; i++)
            replies[i] = await ReadRawReplyAsync().ConfigureAwait(false);
        return replies;
    }

    /// <summary>Sends bytes as they are: inline commands, malformed protocol in tests.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes) =>
        await _stream.WriteAsync(bytes).ConfigureAwait(false);

    public async Task<RespReply> ReadReplyAsync(CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource timeout = StartTimeout(cancellationToken);
        while (true)
        {
            ReadResult result = await ReadAsync(timeout, cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (RespReplyReader.TryRead(ref buffer, out RespReply? reply))
            {
                _input.AdvanceTo(buffer.Start);
                return reply;
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
                throw new EndOfStreamException("The server closed the connection before a whole reply arrived.");
        }
    }

    /// <summary>The next reply exactly as received.</summary>
    public async Task<byte[]> ReadRawReplyAsync(CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource timeout = StartTimeout(cancellationToken);
        while (true)
        {
            ReadResult result = await ReadAsync(timeout, cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (RespReplyReader.TryGetLength(buffer, out long length))
            {
                byte[] raw = buffer.Slice(0, length).ToArray();
                _input.AdvanceTo(buffer.GetPosition(length));
                return raw;
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
                throw new EndOfStreamException("The server closed the connection before a whole reply arrived.");
        }
    }

    /// <summary>Whatever has arrived until the server closes the connection (protocol-error tests).</summary>
    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        using CancellationTokenSource timeout = StartTimeout(cancellationToken);
        while (true)
        {
            ReadResult result = await ReadAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                byte[] all = result.Buffer.ToArray();
                _input.AdvanceTo(result.Buffer.End);
                return all;
            }
            _input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    public void Dispose()
    {
        _input.Complete();
        _stream.Dispose();
        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void AppendRequest(string[] args)
    {
        _writer.ArrayHeader(args.Length);
        foreach (string arg in args)
            _writer.BulkString(arg);
    }

    private void AppendRequest(byte[][] args)
    {
        _writer.ArrayHeader(args.Length);
        foreach (byte[] arg in args)
            _writer.BulkString(arg);
    }

    private async Task FlushRequestsAsync()
    {
        await _stream.WriteAsync(_requests.WrittenMemory).ConfigureAwait(false);
        _requests.ResetWrittenCount();
    }

    private CancellationTokenSource StartTimeout(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(ReadTimeout);
        return source;
    }

    private async ValueTask<ReadResult> ReadAsync(CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await _input.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No whole reply within {ReadTimeout}.");
        }
    }

    public override string ToString() => $"RespConnection({_socket.RemoteEndPoint})";
}
