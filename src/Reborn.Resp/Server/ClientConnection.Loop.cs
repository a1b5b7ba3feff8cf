using System.Buffers;
using Microsoft.Extensions.Logging;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Server;

// The event-loop transport: every method here runs on the loop thread, except RunOnLoopAsync's
// start and PushOnLoop, which post to it. The loop calls OnEvents when the socket is ready and
// SendOutput once the round's writes are committed.
internal sealed partial class ClientConnection
{
    private const int InputChunk = 16 * 1024;

    private EventLoop? _loop;
    private long _token;
    private int _fd = -1;
    private byte[] _in = [];
    private int _inStart;
    private int _inEnd;
    private OutputBuffer? _out;
    private Task? _blocked; // a command that waits (BLPOP ...): input is read but not run meanwhile
    private bool _queued; // in the loop's send list this round
    private bool _wantWrite; // EPOLLOUT is registered: the socket did not take all the output
    private bool _registered; // the socket is in the loop's epoll set
    private bool _torn;
    private readonly TaskCompletionSource _gone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task RunOnLoopAsync(EventLoop loop)
    {
        _loop = loop;
        _socket.Blocking = false;
        _fd = (int)_socket.SafeHandle.DangerousGetHandle();
        loop.Post(Attach);
        return _gone.Task;
    }

    private void Attach()
    {
        _in = new byte[InputChunk];
        _out = new OutputBuffer(4 * 1024);
        CreateContext(_out);
        _token = _loop!.Add(this);
        _registered = !Session.CloseRequested
            && Linux.Control(_loop.Epoll, Linux.EPOLL_CTL_ADD, _fd, Linux.EPOLLIN | Linux.EPOLLRDHUP, _token) == 0;
        if (!_registered) Teardown();
    }

    private void Unregister()
    {
        if (!_registered) return;
        _registered = false;
        Linux.Control(_loop!.Epoll, Linux.EPOLL_CTL_DEL, _fd, 0, _token);
    }

    /// <summary>True when the client waits for nothing and sent nothing since <paramref name="cutoff"/> (idle timeout).</summary>
    public bool IdleSince(DateTimeOffset cutoff) => _blocked is null && Session.LastInteraction < cutoff;

    public void OnEvents(uint events)
    {
        if (_torn) return;
        try
        {
            if ((events & (Linux.EPOLLIN | Linux.EPOLLERR | Linux.EPOLLHUP | Linux.EPOLLRDHUP)) != 0) Receive();
            if ((events & Linux.EPOLLOUT) != 0) QueueSend();
        }
        catch (Exception error)
        {
            _server.Logger.LogError(error, "Connection {Id} from {Client} failed", Session.Id, Session.RemoteAddress);
            Session.CloseRequested = true;
            QueueSend();
        }
    }

    private unsafe void Receive()
    {
        MakeRoom();
        nint received;
        fixed (byte* free = &_in[_inEnd])
            received = Linux.recv(_fd, free, (nuint)(_in.Length - _inEnd), 0);
        if (received < 0)
        {
            int error = Linux.LastError;
            if (error is Linux.EAGAIN or Linux.EINTR) return;
            received = 0; // reset or any other failure: as a hang-up
        }

        if (received == 0)
        {
            // The peer closed: what it sent before is still answered (unless a command waits, which
            // stops waiting), then the connection closes. The socket stays readable: stop watching it.
            Unregister();
            if (_blocked is null) ProcessInput();
            Close();
            return;
        }

        _inEnd += (int)received;
        Interlocked.Add(ref _server.Statistics.NetInputBytes, (long)received);
        if (_blocked is null) ProcessInput();
        if (_inEnd - _inStart > _server.Options.ClientQueryBufferLimit)
        {
            _server.Logger.LogWarning("Closing {Client}: query buffer {Bytes} bytes exceeds client-query-buffer-limit", Session.RemoteAddress, _inEnd - _inStart);
            Close();
        }
        QueueSend();
    }

    /// <summary>
    /// At least <see cref="InputChunk"/> bytes free after the unparsed input. The input moves to the
    /// front only while no command runs: a waiting command's arguments still point into the array.
    /// </summary>
    private void MakeRoom()
    {
        if (_inStart == _inEnd && _blocked is null)
        {
            _inStart = _inEnd = 0;
            if (_in.Length > 4 * InputChunk) _in = new byte[InputChunk]; // after a large command
        }
        if (_in.Length - _inEnd >= InputChunk) return;
        int pending = _inEnd - _inStart;
        if (_blocked is null && _inStart > 0 && _in.Length - pending >= InputChunk)
        {
            _in.AsSpan(_inStart, pending).CopyTo(_in);
        }
        else
        {
            // Grows with what arrived, never with what a header declares.
            var grown = new byte[Math.Max((int)Math.Min(2L * _in.Length, Array.MaxLength), pending + InputChunk)];
            _in.AsSpan(_inStart, pending).CopyTo(grown);
            _in = grown;
        }
        _inStart = 0;
        _inEnd = pending;
    }

    /// <summary>Runs every complete command of the input until one waits or the connection is closing.</summary>
    private void ProcessInput()
    {
        Session.LastInteraction = DateTimeOffset.UtcNow;
        _commandMark = System.Diagnostics.Stopwatch.GetTimestamp();
        var input = new ReadOnlySequence<byte>(_in, _inStart, _inEnd - _inStart);
        try
        {
            while (!Session.CloseRequested)
            {
                long before = input.Length;
                if (!_reader.TryReadCommand(ref input, _args)) break;
                _inStart += (int)(before - input.Length);
                var running = StartCommand();
                if (!running.IsCompleted)
                {
                    Block(running);
                    return;
                }
                running.GetAwaiter().GetResult();
                FinishCommand();
            }
            _inStart = _inEnd - (int)input.Length; // blank lines and empty commands are consumed too
        }
        catch (RespProtocolException error)
        {
            Interlocked.Increment(ref _server.Statistics.ProtocolErrors);
            _writer.Error(error.ErrorReply);
            Session.CloseRequested = true;
            _server.Logger.LogDebug("Protocol error from {Client}: {Error}", Session.RemoteAddress, error.Message);
        }
    }

    private void Block(ValueTask running)
    {
        _blocked = running.AsTask();
        _blocked.ContinueWith(static (_, state) =>
        {
            var self = (ClientConnection)state!;
            self._loop!.Post(self.Unblock);
        }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The waiting command completed: its reply goes out, then the input that arrived meanwhile runs.</summary>
    private void Unblock()
    {
        var command = _blocked!;
        _blocked = null;
        try
        {
            command.GetAwaiter().GetResult();
            if (!_torn)
            {
                FinishCommand();
                ProcessInput();
            }
        }
        catch (OperationCanceledException) { Session.CloseRequested = true; }
        catch (Exception error)
        {
            _server.Logger.LogError(error, "Connection {Id} from {Client} failed", Session.Id, Session.RemoteAddress);
            Session.CloseRequested = true;
        }
        QueueSend();
    }

    private void QueueSend()
    {
        if (_queued || _torn) return;
        _queued = true;
        _loop!.QueueSend(this);
    }

    private void PushOnLoop(Action<RespWriter> write) => _loop!.Post(() =>
    {
        if (_torn || _out is null) return;
        write(_writer);
        QueueSend();
    });

    /// <summary>After the round's commit: sends what the socket takes; closes the connection when asked and nothing waits.</summary>
    public unsafe void SendOutput()
    {
        _queued = false;
        if (_torn) return;
        var output = _out!;
        while (output.Length > 0)
        {
            nint sent;
            fixed (byte* pending = output.Pending)
                sent = Linux.send(_fd, pending, (nuint)output.Length, Linux.MSG_NOSIGNAL);
            if (sent > 0)
            {
                Interlocked.Add(ref _server.Statistics.NetOutputBytes, (long)sent);
                output.Consume((int)sent);
                continue;
            }
            int error = Linux.LastError;
            if (error == Linux.EINTR) continue;
            if (error == Linux.EAGAIN)
            {
                if (!Session.CloseRequested) WantWrite(true);
                else Teardown(); // a closing client that does not read is not waited for
                return;
            }
            output.Clear(); // the peer is gone
            Session.CloseRequested = true;
            break;
        }

        if (_wantWrite) WantWrite(false);
        if (Session.CloseRequested && _blocked is null) Teardown();
    }

    private void WantWrite(bool want)
    {
        _wantWrite = want;
        if (!_registered) return;
        uint events = Linux.EPOLLIN | Linux.EPOLLRDHUP | (want ? Linux.EPOLLOUT : 0);
        Linux.Control(_loop!.Epoll, Linux.EPOLL_CTL_MOD, _fd, events, _token);
    }

    /// <summary>Leaves the loop and closes the socket; the server's clean-up (pub/sub, WATCH) follows on RunAsync's caller.</summary>
    public void Teardown()
    {
        if (_torn) return;
        _torn = true;
        Session.CloseRequested = true;
        try { _closed.Cancel(); } catch (ObjectDisposedException) { }
        Unregister();
        if (_token != 0) _loop!.Remove(_token);
        if (_blocked is { IsCompleted: false } waiting)
            waiting.ContinueWith(static (_, state) => ((TaskCompletionSource)state!).TrySetResult(), _gone, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        else _gone.TrySetResult();
    }
}
