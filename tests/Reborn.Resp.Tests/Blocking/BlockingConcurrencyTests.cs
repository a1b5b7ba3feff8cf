using System.Text;
using Reborn.Resp.Client;
using Reborn.Resp.Tests.Server;

namespace Reborn.Resp.Tests.Blocking;

/// <summary>
/// Blocked clients under concurrent producers: every element reaches exactly one consumer, nobody
/// stays blocked, and writes made through the in-process API (not a connection) wake clients too.
/// </summary>
public sealed class BlockingConcurrencyTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Test]
    public async Task EveryPushedElementIsPoppedExactlyOnce()
    {
        await using var server = await RebornServerProcess.StartAsync();
        const int consumers = 6, producers = 3, perProducer = 200;
        var consumerTasks = Enumerable.Range(0, consumers).Select(_ => ConsumeAsync(server)).ToArray();
        var producerTasks = Enumerable.Range(0, producers).Select(p => ProduceAsync(server, p, perProducer)).ToArray();
        await Task.WhenAll(producerTasks).WaitAsync(Guard);

        // One stop marker per consumer, pushed once every element is in.
        await using (var stopper = await RespConnection.ConnectAsync(server.Host, server.Port))
            for (int i = 0; i < consumers; i++) await stopper.ExecuteAsync("RPUSH", "q", "stop");
        var received = (await Task.WhenAll(consumerTasks).WaitAsync(Guard)).SelectMany(r => r).ToList();

        var expected = Enumerable.Range(0, producers).SelectMany(p => Enumerable.Range(0, perProducer).Select(i => $"{p}:{i}"));
        Assert.That(received, Is.EquivalentTo(expected));
        Assert.That(server.Server.BlockedClients, Is.Zero);
    }

    private static async Task<List<string>> ConsumeAsync(RebornServerProcess server)
    {
        await using var client = await RespConnection.ConnectAsync(server.Host, server.Port);
        client.ReadTimeout = Guard;
        var got = new List<string>();
        while (true)
        {
            var reply = await client.ExecuteAsync("BLPOP", "other", "q", "0");
            string value = reply.Elements[1].AsString()!;
            if (value == "stop") return got;
            got.Add(value);
        }
    }

    private static async Task ProduceAsync(RebornServerProcess server, int producer, int count)
    {
        await using var client = await RespConnection.ConnectAsync(server.Host, server.Port);
        // Pipelined in small bursts, so pushes land while consumers are both blocked and busy.
        for (int i = 0; i < count; i += 10)
            await client.PipelineAsync(Enumerable.Range(i, Math.Min(10, count - i)).Select(j => new[] { "RPUSH", "q", $"{producer}:{j}" }));
    }

    [Test]
    public async Task AWriteThroughTheClusterApiWakesABlockedClient()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var client = await RespConnection.ConnectAsync(server.Host, server.Port);
        client.ReadTimeout = Guard;
        await client.SendAsync("BZPOPMAX", "scores", "0");
        var deadline = DateTime.UtcNow + Guard;
        while (server.Server.BlockedClients != 1)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the client never blocked");
            await Task.Delay(5);
        }
        await server.Cluster.GetDatabase(0).SortedSetAddAsync("scores", "top", 99);
        var raw = Encoding.ASCII.GetString(await client.ReadRawReplyAsync());
        Assert.That(raw, Is.EqualTo("*3\r\n$6\r\nscores\r\n$3\r\ntop\r\n$2\r\n99\r\n"));
    }
}
