using System.Threading.Channels;
using Reborn.Resp.Client;
using Reborn.Resp.Tests.Server;
using StackExchange.Redis;

namespace Reborn.Resp.Tests.PubSub;

/// <summary>Pub/sub through StackExchange.Redis (RESP2 and RESP3), and connection clean-up.</summary>
public sealed class PubSubClientTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    [TestCase("")]
    [TestCase(",protocol=resp3")]
    public async Task SubscribersReceivePublishedMessages(string extra)
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},abortConnect=true,connectTimeout=10000{extra}");
        var subscriber = redis.GetSubscriber();
        var received = Channel.CreateUnbounded<(string Channel, string Message)>();
        await subscriber.SubscribeAsync(RedisChannel.Literal("orders"), (channel, message) => received.Writer.TryWrite((channel!, message!)));
        await subscriber.SubscribeAsync(RedisChannel.Pattern("stock.*"), (channel, message) => received.Writer.TryWrite((channel!, message!)));

        // A second multiplexer publishes, so the delivery crosses connections.
        await using var publisher = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},abortConnect=true,connectTimeout=10000{extra}");
        Assert.That(await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("orders"), "order-1"), Is.EqualTo(1));
        Assert.That(await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("stock.apples"), "12"), Is.EqualTo(1));
        Assert.That(await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("nobody"), "x"), Is.EqualTo(0));

        var got = new List<(string, string)> { await NextAsync(received.Reader), await NextAsync(received.Reader) };
        Assert.That(got, Is.EquivalentTo(new[] { ("orders", "order-1"), ("stock.apples", "12") }));

        await subscriber.UnsubscribeAsync(RedisChannel.Literal("orders"));
        Assert.That(await publisher.GetSubscriber().PublishAsync(RedisChannel.Literal("orders"), "order-2"), Is.EqualTo(0));
    }

    [Test]
    public async Task AClosedSubscriberIsForgotten()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var publisher = await RespConnection.ConnectAsync(server.Host, server.Port);
        var subscriber = await RespConnection.ConnectAsync(server.Host, server.Port);
        await subscriber.ExecuteAsync("SUBSCRIBE", "c");
        await subscriber.ExecuteAsync("PSUBSCRIBE", "p*");
        Assert.That((await publisher.ExecuteAsync("PUBLISH", "c", "m")).Integer, Is.EqualTo(1));
        await subscriber.DisposeAsync();

        var deadline = DateTime.UtcNow + Guard;
        while ((await publisher.ExecuteAsync("PUBSUB", "NUMSUB", "c")).Elements[1].Integer != 0)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("the closed subscriber is still counted");
            await Task.Delay(5);
        }
        Assert.That((await publisher.ExecuteAsync("PUBSUB", "NUMPAT")).Integer, Is.EqualTo(0));
        Assert.That((await publisher.ExecuteAsync("PUBLISH", "c", "m")).Integer, Is.EqualTo(0));
    }

    [Test]
    public async Task ResetLeavesEveryChannel()
    {
        await using var server = await RebornServerProcess.StartAsync();
        await using var client = await RespConnection.ConnectAsync(server.Host, server.Port);
        await client.ExecuteAsync("SUBSCRIBE", "a");
        Assert.That((await client.ExecuteAsync("RESET")).ToString(), Is.EqualTo("RESET"));
        Assert.That((await client.ExecuteAsync("PUBLISH", "a", "m")).Integer, Is.EqualTo(0));
        Assert.That((await client.ExecuteAsync("GET", "k")).IsNull, Is.True);
    }

    private static async Task<T> NextAsync<T>(ChannelReader<T> reader)
    {
        using var guard = new CancellationTokenSource(Guard);
        return await reader.ReadAsync(guard.Token);
    }
}
