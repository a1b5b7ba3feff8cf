using System.Text;
using Reborn.Resp.Tests.Transactions;

namespace Reborn.Resp.Tests.PubSub;

/// <summary>
/// Subscriber and publisher streams compared frame by frame with redis-server 7.0.15 for the same
/// command sequence, in RESP2 and RESP3. Client 0 subscribes, client 1 publishes. A step either sends
/// a command and reads its frames, or reads frames that another client's command caused; every read
/// waits for its frame (bounded), so no step depends on timing.
/// </summary>
[NonParallelizable]
public sealed class PubSubOracleTests
{
    /// <summary>Client, command (null: only read), frames to read from that client.</summary>
    private readonly record struct Step(int Client, string? Command, int Frames);

    private static Step S(string command, int frames = 1) => new(0, command, frames);
    private static Step P(string command, int frames = 1) => new(1, command, frames);
    private static Step Delivered(int frames = 1) => new(0, null, frames);

    [Test]
    public async Task Resp2SubscriberStream()
    {
        await RunAsync(2,
            S("UNSUBSCRIBE"), S("PUNSUBSCRIBE"), S("UNSUBSCRIBE nothere"),
            S("SUBSCRIBE a b a", 3), S("PSUBSCRIBE h* a?", 2),
            S("PING"), S("PING hi"), S("GET k"), S("PUBLISH a x"), S("SET k v"),
            P("PUBLISH a m1"), Delivered(),
            P("PUBLISH ab m2"), Delivered(),
            P("PUBLISH hello m3"), Delivered(),
            P("PUBLISH nobody m4"),
            P("PUBSUB NUMSUB a b c"), P("PUBSUB NUMSUB"), P("PUBSUB NUMPAT"), P("PUBSUB CHANNELS a"), P("PUBSUB CHANNELS z*"),
            S("UNSUBSCRIBE a zz", 2), S("PUNSUBSCRIBE h*"),
            P("PUBLISH a m5"), // "a?" needs two characters: nobody receives it
            P("PUBLISH b m6"), Delivered(),
            S("PUNSUBSCRIBE"), S("UNSUBSCRIBE"), S("UNSUBSCRIBE"),
            S("GET k"), S("PING"),
            P("PUBLISH b gone"), P("PUBSUB NUMPAT"), P("PUBSUB CHANNELS"));
    }

    [Test]
    public async Task Resp3SubscriberStream()
    {
        await RunAsync(3,
            S("UNSUBSCRIBE"), S("SUBSCRIBE a", 1), S("PING"), S("PING hi"), S("GET nx"), S("SET k v"),
            P("PUBLISH a m1"), Delivered(),
            // Publishing to its own channel: the message is pushed before PUBLISH's reply.
            S("PUBLISH a self", 2),
            S("PSUBSCRIBE a*"), S("PUBLISH a self2", 3),
            P("PUBLISH a m2"), Delivered(2),
            P("PUBLISH abc m3"), Delivered(),
            P("PUBSUB NUMSUB a"), P("PUBSUB NUMPAT"), P("PUBSUB CHANNELS"),
            S("PUNSUBSCRIBE a*"), S("UNSUBSCRIBE a"), S("UNSUBSCRIBE"), S("PUNSUBSCRIBE"), S("GET k"));
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task PubSubErrorsAndHelp(int protocol)
    {
        await RunAsync(protocol,
            P("PUBSUB foo"), P("PUBSUB NUMPAT x"), P("PUBSUB CHANNELS a b"), P("PUBSUB"), P("PUBSUB HELP"), P("PUBSUB help x"),
            P("PUBSUB SHARDCHANNELS"), P("PUBSUB SHARDNUMSUB a b"), P("PUBSUB SHARDCHANNELS a b"),
            P("PUBLISH a"), P("SUBSCRIBE"), P("PSUBSCRIBE"), P("PUBLISH a b c"));
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task SeveralSubscribersEachReceiveOnce(int protocol)
    {
        await using var clients = await OracleClients.StartAsync(3, protocol);
        await clients.SameAsync(0, "SUBSCRIBE", "news");
        await clients.SameAsync(2, "SUBSCRIBE", "news");
        await clients.SendAsync(2, "PSUBSCRIBE", "n*", "*s");
        await clients.ReadSameAsync(2);
        await clients.ReadSameAsync(2);
        Assert.That(await clients.SameAsync(1, "PUBLISH", "news", "hello"), Is.EqualTo(":4\r\n"));
        await clients.ReadSameAsync(0);
        await clients.ReadSameAsync(2, "the channel message comes first");
        // Then one per matching pattern, in the order of Redis's pattern dictionary: compare as sets.
        var (redis, reborn) = (new List<string>(), new List<string>());
        for (int i = 0; i < 2; i++)
        {
            var (fromRedis, fromReborn) = await clients.ReadBothAsync(2);
            redis.Add(fromRedis);
            reborn.Add(fromReborn);
        }
        Assert.That(reborn, Is.EquivalentTo(redis));
        Assert.That(await clients.SameAsync(1, "PUBSUB", "NUMSUB", "news"), Is.EqualTo("*2\r\n$4\r\nnews\r\n:2\r\n"));
        Assert.That(await clients.SameAsync(1, "PUBSUB", "NUMPAT"), Is.EqualTo(":2\r\n"));
    }

    [TestCase(2)]
    [TestCase(3)]
    public async Task BinaryChannelsAndMessages(int protocol)
    {
        await using var clients = await OracleClients.StartAsync(2, protocol);
        byte[] channel = [0, 0xff, (byte)'\r', (byte)'\n', 0x80];
        byte[] message = Encoding.Latin1.GetBytes("\0\u00ff payload \r\n");
        await clients.SameAsync(0, [Encoding.ASCII.GetBytes("SUBSCRIBE"), channel]);
        Assert.That(await clients.SameAsync(1, [Encoding.ASCII.GetBytes("PUBLISH"), channel, message]), Is.EqualTo(":1\r\n"));
        await clients.ReadSameAsync(0, "binary message");
        await clients.SameAsync(0, [Encoding.ASCII.GetBytes("UNSUBSCRIBE"), channel]);
    }

    [Test]
    public async Task ManyMessagesArriveInPublishOrder()
    {
        await using var clients = await OracleClients.StartAsync(2, 3);
        await clients.SameAsync(0, "SUBSCRIBE", "seq");
        const int count = 300;
        for (int i = 0; i < count; i++) await clients.SendAsync(1, "PUBLISH", "seq", i.ToString());
        for (int i = 0; i < count; i++) Assert.That(await clients.ReadSameAsync(1), Is.EqualTo(":1\r\n"));
        for (int i = 0; i < count; i++) await clients.ReadSameAsync(0, $"message {i}");
    }

    private static async Task RunAsync(int protocol, params Step[] steps)
    {
        await using var clients = await OracleClients.StartAsync(2, protocol);
        foreach (var step in steps)
        {
            if (step.Command is not null) await clients.SendAsync(step.Client, step.Command.Split(' '));
            for (int i = 0; i < step.Frames; i++) await clients.ReadSameAsync(step.Client, step.Command ?? "delivery");
        }
    }
}
