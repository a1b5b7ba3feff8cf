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
public sealed class ExpiryTests(EngineKind engine)
{
    private readonly ManualClock _clock = new();
    private string _directory = null!;
    private IKeyValueCluster _cluster = null!;
    private KeyValueDatabase _db = null!;

    [SetUp]
    public async Task Open()
    {
        _directory = Path.Combine(Path.GetTempPath(), "reborn-expiry-" + Guid.NewGuid().ToString("N"));
        _cluster = await RebornCluster.OpenAsync(new RebornClusterOptions
        {
            Engine = engine, DataDirectory = _directory, Durability = Durability.Never, BackgroundSweeps = false, Time = _clock,
        });
        _db = _cluster.GetDatabase(0);
    }

    [TearDown]
    public async Task Close()
    {
        await _cluster.DisposeAsync();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, true);
    }

    [Test]
    public async Task AKeyExpiresLazilyOnAccess()
    {
        await _db.StringSetAsync("k", "v", TimeSpan.FromSeconds(10));
        Assert.That(await _db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(10_000));
        _clock.Advance(TimeSpan.FromSeconds(9.999));
        Assert.That((string?)await _db.StringGetAsync("k"), Is.EqualTo("v"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((string?)await _db.StringGetAsync("k"), Is.EqualTo("v"), "at its expiry time a key still lives, as in Redis (now > when)");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That((await _db.StringGetAsync("k")).IsNull);
        Assert.That(await _db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(-2));
        Assert.That(await _db.DatabaseSizeAsync(), Is.EqualTo(0));
        Assert.That(_cluster.GetStatistics().ExpiredOnAccess, Is.EqualTo(1));
    }

    [Test]
    public async Task TheActiveSweepReclaimsKeysNobodyReads()
    {
        for (int i = 0; i < 500; i++) await _db.StringSetAsync("k" + i, "v", TimeSpan.FromSeconds(i < 300 ? 5 : 50));
        await _db.HashSetAsync("h", "f", "v");
        await _db.KeyExpireAsync("h", TimeSpan.FromSeconds(5));
        _clock.Advance(TimeSpan.FromSeconds(6));
        var (expired, _) = await _cluster.SweepAsync();
        Assert.That(expired, Is.EqualTo(301));
        Assert.That(await _db.DatabaseSizeAsync(), Is.EqualTo(200));
        Assert.That(_cluster.GetStatistics().ExpiredBySweep, Is.EqualTo(301));
        Assert.That(_cluster.GetStatistics().ExpiredOnAccess, Is.EqualTo(0));
        await _cluster.SweepAsync(); // the expired hash's element is garbage: swept
        Assert.That(_cluster.GetStatistics().GarbagePending, Is.EqualTo(0));
    }

    [Test]
    public async Task ExpiryConditionsFollowRedis()
    {
        await _db.StringSetAsync("k", "v");
        long now = _db.NowMs;
        Assert.That(await _db.KeyExpireAtAsync("k", now + 1000, ExpireCondition.IfHasExpiry), Is.False);
        Assert.That(await _db.KeyExpireAtAsync("k", now + 1000, ExpireCondition.IfGreater), Is.False, "no expiry counts as infinite for GT");
        Assert.That(await _db.KeyExpireAtAsync("k", now + 1000, ExpireCondition.IfLess), Is.True);
        Assert.That(await _db.KeyExpireAtAsync("k", now + 2000, ExpireCondition.IfNoExpiry), Is.False);
        Assert.That(await _db.KeyExpireAtAsync("k", now + 2000, ExpireCondition.IfGreater), Is.True);
        Assert.That(await _db.KeyExpireTimeMsAsync("k"), Is.EqualTo(now + 2000));
        Assert.That(await _db.KeyPersistAsync("k"), Is.True);
        Assert.That(await _db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(-1));
        Assert.That(await _db.KeyExpireAtAsync("k", now - 1), Is.True, "a time in the past deletes the key");
        Assert.That(await _db.KeyExistsAsync("k"), Is.EqualTo(0));
    }

    [Test]
    public async Task SetKeepTtlAndGetExFollowRedis()
    {
        await _db.StringSetAsync("k", "v", TimeSpan.FromSeconds(10));
        await _db.StringSetAsync("k", "w", expiry: Expiry.Keep);
        Assert.That(await _db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(10_000));
        await _db.StringSetAsync("k", "x");
        Assert.That(await _db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(-1), "a plain SET clears the TTL");
        await _db.StringGetExAsync("k", Expiry.InMilliseconds(500));
        Assert.That(await _db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(500));
        await _db.StringGetExAsync("k", Expiry.Persist);
        Assert.That(await _db.KeyTimeToLiveMsAsync("k"), Is.EqualTo(-1));
    }
}
