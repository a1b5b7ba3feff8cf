using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Reborn.Storage;

namespace Reborn.Resp.Server;

/// <summary>
/// Reborn's own event loop for plain TCP clients on Linux, as Redis's: one thread waits on epoll,
/// reads every client that is ready, runs each one's complete commands, and only then, once per
/// round, commits the round's writes (<see cref="GroupCommit"/>: one RocksDB write and one WAL write
/// for all the round's clients, not one per client) and sends the replies back to back, so a client
/// process is woken once per round rather than once per connection.
/// <para>
/// Everything a connection does runs on the loop thread: other threads hand work to it with
/// <see cref="Post"/> (a pub/sub push, a blocked command that completed, a kill). Invariant: a
/// reply is sent only after the round's commit returned, so no reply leaves with a write a process
/// kill could lose.
/// </para>
/// </summary>
internal sealed unsafe class EventLoop : IDisposable
{
    private const long WakeToken = -1;
    private const int MaxEvents = 256;

    private readonly RespServer _server;
    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly Dictionary<long, ClientConnection> _clients = [];
    private readonly List<ClientConnection> _sends = [];
    private int _wakePending; // 1 while a write to the eventfd is not yet consumed
    private long _lastToken;
    private long _nextIdleCheck;
    private volatile bool _stopping;
    private readonly Lock _wakeGate = new();
    private bool _disposed;

    public EventLoop(RespServer server)
    {
        _server = server;
        _epoll = Linux.epoll_create1(Linux.EPOLL_CLOEXEC);
        if (_epoll < 0) throw new InvalidOperationException($"Reborn server: epoll_create1 failed (errno {Linux.LastError}).");
        _wake = Linux.eventfd(0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        if (_wake < 0 || Linux.Control(_epoll, Linux.EPOLL_CTL_ADD, _wake, Linux.EPOLLIN, WakeToken) != 0)
        {
            int error = Linux.LastError;
            if (_wake >= 0) Linux.close(_wake);
            Linux.close(_epoll);
            throw new InvalidOperationException($"Reborn server: cannot set up the event loop's wake-up (errno {error}).");
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "reborn-loop" };
        _thread.Start();
    }

    public int Epoll => _epoll;

    public bool OnLoopThread => Thread.CurrentThread == _thread;

    /// <summary>Runs <paramref name="action"/> on the loop thread, in the order posted; from the loop thread itself, later in the same round.</summary>
    public void Post(Action action)
    {
        _posted.Enqueue(action);
        if (OnLoopThread || Interlocked.Exchange(ref _wakePending, 1) == 1) return;
        ulong one = 1;
        lock (_wakeGate) // once the loop is disposed its eventfd's number may belong to another file
            if (!_disposed) Linux.write(_wake, (byte*)&one, sizeof(ulong));
    }

    /// <summary>On the loop thread: a token for a new connection's epoll registration.</summary>
    public long Add(ClientConnection connection)
    {
        long token = ++_lastToken;
        _clients[token] = connection;
        return token;
    }

    public void Remove(long token) => _clients.Remove(token);

    /// <summary>On the loop thread: the connection's output is sent once the round's writes are committed.</summary>
    public void QueueSend(ClientConnection connection) => _sends.Add(connection);

    private void Run()
    {
        int size = Linux.EventSize;
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * size));
        try
        {
            while (!_stopping)
            {
                int ready = Linux.epoll_wait(_epoll, events, MaxEvents, WaitMilliseconds());
                if (ready < 0)
                {
                    if (Linux.LastError == Linux.EINTR) continue;
                    _server.Logger.LogCritical("Event loop: epoll_wait failed (errno {Errno}); clients are no longer served", Linux.LastError);
                    return;
                }

                GroupCommit.Begin();
                try
                {
                    for (int i = 0; i < ready; i++)
                    {
                        byte* ev = events + i * size;
                        long token = Linux.DataOf(ev);
                        if (token == WakeToken)
                        {
                            ulong count;
                            Linux.read(_wake, (byte*)&count, sizeof(ulong));
                            Volatile.Write(ref _wakePending, 0);
                        }
                        else if (_clients.TryGetValue(token, out var client))
                            client.OnEvents(Linux.EventsOf(ev));
                    }

                    RunPosted();
                    CheckIdleClients();
                }
                finally
                {
                    SendAll(Commit());
                }
            }

            foreach (var client in _clients.Values.ToList()) client.Teardown();
        }
        catch (Exception error)
        {
            _server.Logger.LogCritical(error, "Event loop failed; clients are no longer served");
        }
        finally
        {
            NativeMemory.Free(events);
        }
    }

    private int WaitMilliseconds()
    {
        if (_sends.Count > 0 || !_posted.IsEmpty) return 0;
        return _server.Options.IdleTimeout > TimeSpan.Zero || _stopping ? 100 : -1;
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out var action))
        {
            try { action(); }
            catch (Exception error) { _server.Logger.LogError(error, "Event loop: a posted action failed"); }
        }
    }

    /// <summary>Ends the round's scope: its writes reach RocksDB and the OS. False when they failed: nothing of the round may be answered.</summary>
    private bool Commit()
    {
        try
        {
            GroupCommit.Complete();
            return true;
        }
        catch (StorageException error)
        {
            _server.Logger.LogError(error, "Event loop: committing a round of writes failed; its clients are closed unanswered");
            return false;
        }
    }

    private void SendAll(bool committed)
    {
        // A connection may be queued twice in a round (read, then a push): its second send finds nothing.
        for (int i = 0; i < _sends.Count; i++)
        {
            var client = _sends[i];
            if (committed) client.SendOutput();
            else client.Teardown();
        }
        _sends.Clear();
    }

    /// <summary>Closes clients idle longer than the timeout (CONFIG SET timeout), checked about every 100 ms.</summary>
    private void CheckIdleClients()
    {
        var idle = _server.Options.IdleTimeout;
        if (idle <= TimeSpan.Zero) return;
        long now = Environment.TickCount64;
        if (now < _nextIdleCheck) return;
        _nextIdleCheck = now + 100;
        var cutoff = DateTimeOffset.UtcNow - idle;
        foreach (var client in _clients.Values)
            if (client.IdleSince(cutoff)) client.Close();
    }

    public void Dispose()
    {
        _stopping = true;
        Post(static () => { });
        if (!OnLoopThread) _thread.Join(TimeSpan.FromSeconds(10));
        lock (_wakeGate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        Linux.close(_wake);
        Linux.close(_epoll);
    }
}
