using System.Net.Sockets;
using System.Text;
using Reborn.Resp.Client;
using Reborn.Resp.Server;
using Reborn.Storage;

namespace Reborn.Resp.Tests.Wire;

/// <summary>
/// Replies larger than the socket takes at once: a client that reads them slowly gets every byte in
/// order while other clients are served meanwhile, and a client that hangs up with megabytes still
/// unsent costs nothing but its own connection. On both transports.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
[NonParallelizable]
public sealed class SlowReaderTests(bool eventLoop)
{
    private const int ValueLength = 4 * 1024 * 1024;
    private const int Gets = 16;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task LargeRepliesReachASlowReaderWholeWhileOthersAreServed()
    {
        var logger = new CapturingLogger();
        await using var server = await StartAsync(logger);
        using var bound = new CancellationTokenSource(Bound);
        var value = Value();
        await using (var setup = await RespConnection.ConnectAsync("127.0.0.1", server.EndPoint.Port, bound.Token))
            Assert.That((await setup.ExecuteAsync(Encoding.ASCII.GetBytes("SET"), "big"u8.ToArray(), value)).ToString(), Is.EqualTo("OK"));

        using var slow = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 8 * 1024 };
        await slow.ConnectAsync("127.0.0.1", server.EndPoint.Port, bound.Token);
        var gets = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", Gets)));
        await slow.SendAsync(gets, SocketFlags.None, bound.Token);

        // 64 MB of replies wait on the server: another client is answered before any of them is read.
        await using (var other = await RespConnection.ConnectAsync("127.0.0.1", server.EndPoint.Port, bound.Token))
        {
            Assert.That((await other.ExecuteAsync("PING")).ToString(), Is.EqualTo("PONG"));
            Assert.That((await other.ExecuteAsync("INCR", "counter")).Integer, Is.EqualTo(1));
        }

        var header = Encoding.ASCII.GetBytes($"${ValueLength}\r\n");
        var expected = new byte[header.Length + ValueLength + 2];
        header.CopyTo(expected, 0);
        value.CopyTo(expected, header.Length);
        "\r\n"u8.CopyTo(expected.AsSpan(header.Length + ValueLength));

        var reply = new byte[expected.Length];
        var chunk = new byte[32 * 1024];
        for (int i = 0; i < Gets; i++)
        {
            int filled = 0;
            while (filled < reply.Length)
            {
                int wanted = Math.Min(chunk.Length, reply.Length - filled);
                int read = await slow.ReceiveAsync(chunk.AsMemory(0, wanted), SocketFlags.None, bound.Token);
                Assert.That(read, Is.GreaterThan(0), $"the server closed during reply {i}");
                chunk.AsSpan(0, read).CopyTo(reply.AsSpan(filled));
                filled += read;
                if (filled % (1024 * 1024) < read) await Task.Delay(1, bound.Token); // a slow reader
            }
            Assert.That(reply.AsSpan().SequenceEqual(expected), Is.True, $"reply {i} differs");
        }
        Assert.That(logger.Errors, Is.Empty);
    }

    [Test]
    public async Task AClientThatHangsUpWithRepliesUnsentCostsOnlyItsConnection()
    {
        var logger = new CapturingLogger();
        await using var server = await StartAsync(logger);
        using var bound = new CancellationTokenSource(Bound);
        await using var probe = await RespConnection.ConnectAsync("127.0.0.1", server.EndPoint.Port, bound.Token);
        Assert.That((await probe.ExecuteAsync(Encoding.ASCII.GetBytes("SET"), "big"u8.ToArray(), Value())).ToString(), Is.EqualTo("OK"));

        for (int round = 0; round < 5; round++)
        {
            using var gone = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 8 * 1024 };
            await gone.ConnectAsync("127.0.0.1", server.EndPoint.Port, bound.Token);
            var gets = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n", Gets)));
            await gone.SendAsync(gets, SocketFlags.None, bound.Token);
            var some = new byte[1024];
            Assert.That(await gone.ReceiveAsync(some, SocketFlags.None, bound.Token), Is.GreaterThan(0));
            gone.LingerState = new LingerOption(true, 0); // close with a reset, megabytes still unsent
            gone.Close();
            Assert.That((await probe.ExecuteAsync("INCR", "counter")).Integer, Is.EqualTo(round + 1));
        }

        for (int i = 0; i < 400 && server.ConnectedClients > 1; i++) await Task.Delay(25, bound.Token);
        Assert.That(server.ConnectedClients, Is.EqualTo(1), "connections left after the hang-ups");
        Assert.That((await probe.ExecuteAsync("STRLEN", "big")).Integer, Is.EqualTo(ValueLength));
        Assert.That(logger.Errors, Is.Empty);
    }

    private static byte[] Value()
    {
        var value = new byte[ValueLength];
        new Random(7).NextBytes(value);
        return value;
    }

    private async Task<RespServer> StartAsync(CapturingLogger logger)
    {
        var cluster = await Reborn.Core.Cluster.RebornCluster.OpenAsync(new Reborn.Core.Cluster.RebornClusterOptions
        {
            Engine = EngineKind.Memory, DataDirectory = "unused", Durability = Durability.Never,
        });
        var server = new RespServer(cluster, new RespServerOptions { Bind = "127.0.0.1", Port = 0, EventLoop = eventLoop }, logger);
        await server.StartAsync();
        _cluster = cluster;
        return server;
    }

    private Reborn.Core.Cluster.IKeyValueCluster? _cluster;

    [TearDown]
    public async Task CloseCluster()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        _cluster = null;
    }
}
