using Reborn.Resp.Client;
using Reborn.Resp.Tests.Server;

namespace Reborn.Resp.Tests.Wire;

/// <summary>A thousand clients connected at once, every one held open and served its own keys.</summary>
[NonParallelizable]
public sealed class ConcurrentConnectionsTests
{
    private const int Clients = 1_000;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Test]
    public async Task AThousandConnectionsAreHeldAndEachIsServed()
    {
        await using var server = await RebornServerProcess.StartAsync();
        using var bound = new CancellationTokenSource(Bound);
        var connections = new RespConnection[Clients];
        try
        {
            // Connect in waves below the listen backlog, so no SYN is dropped and retried by the kernel.
            for (int wave = 0; wave < Clients; wave += 100)
            {
                var connecting = Enumerable.Range(wave, Math.Min(100, Clients - wave))
                    .Select(async i => connections[i] = await RespConnection.ConnectAsync(server.Host, server.Port, bound.Token));
                await Task.WhenAll(connecting);
            }
            foreach (var connection in connections) connection.ReadTimeout = Bound;

            // Every connection is registered before any is used: all 1,000 are held at once.
            for (int i = 0; i < 200 && server.Server.ConnectedClients < Clients; i++) await Task.Delay(25, bound.Token);
            Assert.That(server.Server.ConnectedClients, Is.EqualTo(Clients), "connections held by the server");

            // Round 1: each writes and reads back its own key, all at once.
            await Task.WhenAll(connections.Select(async (c, i) =>
            {
                Assert.That((await c.ExecuteAsync("SET", $"conn:{i}", $"value-{i}")).ToString(), Is.EqualTo("OK"));
                Assert.That((await c.ExecuteAsync("GET", $"conn:{i}")).AsString(), Is.EqualTo($"value-{i}"));
            })).WaitAsync(bound.Token);

            // Round 2: the same connections, still open, share one counter and pipeline their reads.
            await Task.WhenAll(connections.Select(async (c, i) =>
            {
                long count = (await c.ExecuteAsync("INCR", "conn:counter")).Integer;
                Assert.That(count, Is.InRange(1, Clients));
                var replies = await c.PipelineAsync([["GET", $"conn:{i}"], ["PING"], ["EXISTS", $"conn:{i}", $"conn:{(i + 1) % Clients}"]]);
                Assert.That(replies.Select(r => r.ToString()), Is.EqualTo(new[] { $"\"value-{i}\"", "PONG", "(integer) 2" }));
            })).WaitAsync(bound.Token);

            await using var observer = await RespConnection.ConnectAsync(server.Host, server.Port, bound.Token);
            Assert.That((await observer.ExecuteAsync("GET", "conn:counter")).AsString(), Is.EqualTo(Clients.ToString()));
            Assert.That((await observer.ExecuteAsync("KEYS", "conn:*")).Elements, Has.Count.EqualTo(Clients + 1));
            Assert.That(server.Server.ConnectedClients, Is.EqualTo(Clients + 1));
        }
        finally
        {
            foreach (var connection in connections) connection?.Dispose();
        }
    }
}
