using Reborn.Core.Slots;
using Reborn.Resp.Client;
using Reborn.Resp.Protocol;
using Reborn.Resp.Tests.Server;

namespace Reborn.Resp.Tests.Admin;

/// <summary>SLOTSHASHKEY and SLOTSINFO with Codis's reply shapes and errors, numbered by Reborn's slot function.</summary>
public sealed class CodisSlotsCommandTests
{
    private RebornServerProcess _server = null!;
    private RespConnection _client = null!;

    [SetUp]
    public async Task Start()
    {
        _server = await RebornServerProcess.StartAsync();
        _client = await RespConnection.ConnectAsync(_server.Host, _server.Port);
    }

    [TearDown]
    public async Task Stop()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static RespReply Integers(params long[] values) => RespReply.Array(values.Select(RespReply.FromInteger).ToArray());

    private static RespReply Pairs(params (long Slot, long Keys)[] pairs) =>
        RespReply.Array(pairs.Select(p => Integers(p.Slot, p.Keys)).ToArray());

    [TestCase("2")]
    [TestCase("3")]
    public async Task SlotsHashKeyIsAnArrayOfSlotNumbers(string protocol)
    {
        Assert.That((await _client.ExecuteAsync("HELLO", protocol)).IsError, Is.False);
        // Redis Cluster's CLUSTER KEYSLOT foo is 12182, so Reborn's slot is 12182 / 16 = 761; a hash tag picks the slot.
        var reply = await _client.ExecuteAsync("SLOTSHASHKEY", "foo", "{foo}bar", "{user1000}.following", "{user1000}.followers", "");
        Assert.That(reply, Is.EqualTo(Integers(761, 761, SlotHash.GetSlot("user1000"u8), SlotHash.GetSlot("user1000"u8), 0)));
        Assert.That(await _client.ExecuteAsync("SLOTSHASHKEY"), Is.EqualTo(RespReply.Array()));
        var many = Enumerable.Range(0, 200).Select(i => "k" + i).ToArray();
        var slots = await _client.ExecuteAsync(["SLOTSHASHKEY", .. many]);
        Assert.That(slots.Elements.Select(e => e.Integer), Is.EqualTo(many.Select(k => (long)SlotHash.GetSlot(System.Text.Encoding.UTF8.GetBytes(k)))));
        Assert.That(slots.Elements.Select(e => e.Integer), Is.All.InRange(0, 1023));
    }

    [TestCase("2")]
    [TestCase("3")]
    public async Task SlotsInfoListsNonEmptySlotsWithTheirKeyCounts(string protocol)
    {
        Assert.That((await _client.ExecuteAsync("HELLO", protocol)).IsError, Is.False);
        Assert.That(await _client.ExecuteAsync("SLOTSINFO"), Is.EqualTo(RespReply.Array()));

        int a = SlotHash.GetSlot("alpha"u8), t = SlotHash.GetSlot("t"u8);
        Assume.That(a, Is.Not.EqualTo(t));
        await _client.ExecuteAsync("SET", "alpha", "1");
        await _client.ExecuteAsync("SET", "{t}1", "1");
        await _client.ExecuteAsync("HSET", "{t}2", "f", "v");
        await _client.ExecuteAsync("SELECT", "1");
        await _client.ExecuteAsync("RPUSH", "{t}3", "x", "y"); // keys of every database count
        var expected = new[] { ((long)a, 1L), (t, 3L) }.OrderBy(p => p.Item1).ToArray();

        Assert.That(await _client.ExecuteAsync("SLOTSINFO"), Is.EqualTo(Pairs(expected)));
        Assert.That(await _client.ExecuteAsync("SLOTSINFO", "0"), Is.EqualTo(Pairs(expected)));
        Assert.That(await _client.ExecuteAsync("SLOTSINFO", t.ToString(), "1"), Is.EqualTo(Pairs((t, 3))));
        Assert.That(await _client.ExecuteAsync("SLOTSINFO", t.ToString(), "0"), Is.EqualTo(RespReply.Array()), "count 0 covers no slot");
        Assert.That(await _client.ExecuteAsync("SLOTSINFO", t.ToString(), "999999"), Is.EqualTo(Pairs(expected.Where(p => p.Item1 >= t).ToArray())), "a long count stops at 1023");
        Assert.That(await _client.ExecuteAsync("SLOTSINFO", (Math.Max(a, t) + 1).ToString()), Is.EqualTo(RespReply.Array()));

        Assert.That((await _client.ExecuteAsync("SLOTSINFO", "1024")).AsString(), Is.EqualTo("ERR invalid slot number = 1024"));
        Assert.That((await _client.ExecuteAsync("SLOTSINFO", "-1")).AsString(), Is.EqualTo("ERR invalid slot number = -1"));
        Assert.That((await _client.ExecuteAsync("SLOTSINFO", "0", "-1")).AsString(), Is.EqualTo("ERR invalid slot count = -1"));
        Assert.That((await _client.ExecuteAsync("SLOTSINFO", "x")).AsString(), Is.EqualTo("ERR value is not an integer or out of range"));
        Assert.That((await _client.ExecuteAsync("SLOTSINFO", "0", "1", "2")).AsString(), Is.EqualTo("ERR wrong number of arguments for 'slotsinfo' command"));
    }

    [Test]
    public async Task SlotsInfoCountsKeysWhereverTheirSlotLives()
    {
        var keys = Enumerable.Range(0, 500).Select(i => "key:" + i).ToArray();
        foreach (var reply in await _client.PipelineAsync(keys.Select(k => new[] { "SET", k, "v" }))) Assert.That(reply.IsError, Is.False);
        var before = await _client.ExecuteAsync("SLOTSINFO");
        Assert.That(before.Elements.Sum(p => p.Elements[1].Integer), Is.EqualTo(500));

        Assert.That((await _client.ExecuteAsync("REBORN", "GROUP", "ADD", "1")).IsError, Is.False);
        Assert.That((await _client.ExecuteAsync("REBORN", "SLOT", "MIGRATE", "0", "600", "1")).IsError, Is.False);
        Assert.That((await _client.WaitForEndAsync())["state"].AsString(), Is.EqualTo("completed"));
        Assert.That(await _client.ExecuteAsync("SLOTSINFO"), Is.EqualTo(before), "the same slots and counts after the move");
    }
}
