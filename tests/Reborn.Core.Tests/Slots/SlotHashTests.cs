using System.Text;
using NUnit.Framework;
using Reborn.Core.Slots;

namespace Reborn.Core.Tests.Slots;

/// <summary>Pins the slot function to Redis Cluster's vectors.</summary>
public sealed class SlotHashTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public void Crc16MatchesTheXmodemCheckValue() => Assert.That(SlotHash.Crc16(B("123456789")), Is.EqualTo(0x31C3));

    [Test]
    public void FooIsInRedisClusterSlot12182AndRebornSlot761()
    {
        Assert.That(SlotHash.GetRedisClusterSlot(B("foo")), Is.EqualTo(12182));
        Assert.That(SlotHash.GetSlot(B("foo")), Is.EqualTo(761));
    }

    [Test]
    public void HashTagsShareASlot()
    {
        Assert.That(SlotHash.GetSlot(B("{user1000}.following")), Is.EqualTo(SlotHash.GetSlot(B("{user1000}.followers"))));
        Assert.That(SlotHash.GetSlot(B("{user1000}.following")), Is.EqualTo(SlotHash.GetSlot(B("user1000"))));
    }

    [TestCase("foo{}{bar}", "foo{}{bar}")]   // an empty tag means the whole key
    [TestCase("foo{{bar}}zap", "{bar")]
    [TestCase("foo{bar}{zap}", "bar")]
    [TestCase("{}", "{}")]
    [TestCase("nobraces", "nobraces")]
    [TestCase("open{only", "open{only")]
    public void HashTagFollowsRedisClusterRules(string key, string tag)
        => Assert.That(Encoding.UTF8.GetString(SlotHash.HashTag(B(key))), Is.EqualTo(tag));

    [Test]
    public void EveryRebornSlotIsSixteenRedisClusterSlots()
    {
        var random = new Random(7);
        for (int i = 0; i < 10_000; i++)
        {
            var key = B("key:" + random.Next());
            Assert.That(SlotHash.GetSlot(key), Is.EqualTo(SlotHash.GetRedisClusterSlot(key) / 16));
        }
    }
}
