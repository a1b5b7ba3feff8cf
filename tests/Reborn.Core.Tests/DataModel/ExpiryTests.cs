using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Storage;
using Reborn.Testing;

namespace Reborn.Core.Tests.DataModel;

/// <summary>Lazy and active expiry on every engine, driven by a manual clock: no sleeps.</summary>
[TestFixture(EngineKind.Memory)]
[TestFixture(EngineKind.RocksDb)]
[TestFixture(EngineKind.Faster)]
public sealed class ExpiryTests(EngineKind engine) : EngineTestBase(engine)
{
    private readonly ManualClock _clock = new();
    protected override TimeProvider Time => _clock;

    [Test]
    public async Task AKeyExpiresLazilyOnAccess()
    {
        await Db.StringSetAsync("k", "v", TimeSpan.FromSeconds(10));
        Assert.That(await Db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(10_000));
        _clock.Advance(TimeSpan.FromSeconds(9.999));
        Assert.That((string?)await Db.StringGetAsync("k"), Is.EqualTo("v"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((string?)await Db.StringGetAsync("k"), Is.EqualTo("v"), "at its expiry time a key still lives, as in Redis (now > when)");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((await Db.StringGetAsync("k")).IsNull);
        Assert.That(await Db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(-2));
        Assert.That(await Db.DatabaseSizeAsync(), Is.EqualTo(0));
        Assert.That(Cluster.GetStatistics().ExpiredOnAccess, Is.EqualTo(1));
    }

    [Test]
    public async Task TheActiveSweepReclaimsKeysNobodyReads()
    {
        for (int i = 0; i < 500; i++) await Db.StringSetAsync("k" + i, "v", TimeSpan.FromSeconds(i < 300 ? 5 : 50));
        await Db.HashSetAsync("h", "f", "v");
        await Db.KeyExpireAsync("h", TimeSpan.FromSeconds(5));
        _clock.Advance(TimeSpan.FromSeconds(6));
        var (expired, _) = await Cluster.SweepAsync();
        Assert.That(expired, Is.EqualTo(301));
        Assert.That(await Db.DatabaseSizeAsync(), Is.EqualTo(200));
        Assert.That(Cluster.GetStatistics().ExpiredBySweep, Is.EqualTo(301));
        Assert.That(Cluster.GetStatistics().ExpiredOnAccess, Is.EqualTo(0));
        await Cluster.SweepAsync(); // the expired hash's element is garbage: swept
        Assert.That(Cluster.GetStatistics().GarbagePending, Is.EqualTo(0));
    }

    [Test]
    public async Task ExpiryConditionsFollowRedis()
    {
        await Db.StringSetAsync("k", "v");
        long now = Db.NowMs;
        Assert.That(await Db.KeyExpireAtAsync("k", now + 1000, ExpireCondition.IfHasExpiry), Is.False);
        Assert.That(await Db.KeyExpireAtAsync("k", now + 1000, ExpireCondition.IfGreater), Is.False, "no expiry counts as infinite for GT");
        Assert.That(await Db.KeyExpireAtAsync("k", now + 1000, ExpireCondition.IfLess), Is.True);
        Assert.That(await Db.KeyExpireAtAsync("k", now + 2000, ExpireCondition.IfNoExpiry), Is.False);
        Assert.That(await Db.KeyExpireAtAsync("k", now + 2000, ExpireCondition.IfGreater), Is.True);
        Assert.That(await Db.KeyExpireTimeMsAsync("k"), Is.EqualTo(now + 2000));
        Assert.That(await Db.KeyPersistAsync("k"), Is.True);
        Assert.That(await Db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(-1));
        Assert.That(await Db.KeyExpireAtAsync("k", now - 1), Is.True, "a time in the past deletes the key");
        Assert.That(await Db.KeyExistsAsync("k"), Is.EqualTo(0));
    }

    [Test]
    public async Task SetKeepTtlAndGetExFollowRedis()
    {
        await Db.StringSetAsync("k", "v", TimeSpan.FromSeconds(10));
        await Db.StringSetAsync("k", "w", expiry: Expiry.Keep);
        Assert.That(await Db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(10_000));
        await Db.StringSetAsync("k", "x");
        Assert.That(await Db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(-1), "a plain SET clears the TTL");
        await Db.StringGetExAsync("k", Expiry.InMilliseconds(500));
        Assert.That(await Db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(500));
        await Db.StringGetExAsync("k", Expiry.Persist);
        Assert.That(await Db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(-1));
    }
}
