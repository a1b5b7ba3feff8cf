using Reborn.Resp.Tests.Server;
using StackExchange.Redis;

namespace Reborn.Resp.Tests.Connection;

/// <summary>
/// StackExchange.Redis connects cleanly: its handshake (HELLO, CLIENT SETNAME, INFO, CONFIG GET, ECHO,
/// SUBSCRIBE ...) gets answers it accepts, in RESP2 and RESP3, with and without a password.
/// </summary>
public sealed class StackExchangeRedisConnectTests
{
    [TestCase("")]
    [TestCase(",protocol=resp3")]
    [TestCase(",protocol=resp2")]
    public async Task ConnectsAndRunsCommands(string extra)
    {
        await using var server = await RebornServerProcess.StartAsync();
        var log = new StringWriter();
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},abortConnect=true,allowAdmin=true,connectTimeout=10000,name=reborn-test{extra}", log);
        Assert.That(redis.IsConnected, Is.True, log.ToString());
        var db = redis.GetDatabase();
        Assert.That(await db.StringSetAsync("greeting", "hello"), Is.True);
        Assert.That((string?)await db.StringGetAsync("greeting"), Is.EqualTo("hello"));
        Assert.That(await db.PingAsync(), Is.GreaterThanOrEqualTo(TimeSpan.Zero));

        var endpoint = redis.GetEndPoints().Single();
        var serverApi = redis.GetServer(endpoint);
        Assert.That(serverApi.Version, Is.EqualTo(new Version(7, 0, 15)));
        Assert.That(serverApi.ServerType, Is.EqualTo(ServerType.Standalone));
        Assert.That(serverApi.IsReplica, Is.False);
        Assert.That(serverApi.DatabaseCount, Is.EqualTo(16));
        if (extra.Contains("resp3")) Assert.That(serverApi.Protocol, Is.EqualTo(RedisProtocol.Resp3));
        Assert.That(await serverApi.DatabaseSizeAsync(), Is.EqualTo(1));
        Assert.That((await serverApi.InfoAsync("server")).Single().Any(p => p.Key == "redis_version"), Is.True);
        Assert.That((await serverApi.ConfigGetAsync("maxclients")).Single().Value, Is.EqualTo("10000"));
        Assert.That(await serverApi.ClientListAsync(), Has.Length.GreaterThanOrEqualTo(1));
        Assert.That(serverApi.Time(), Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That(log.ToString(), Does.Not.Contain("Exception"));
    }

    [TestCase("")]
    [TestCase(",protocol=resp3")]
    public async Task ConnectsWithAPassword(string extra)
    {
        await using var server = await RebornServerProcess.StartAsync(configure: o => o.RequirePass = "s3cret");
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},password=s3cret,abortConnect=true,connectTimeout=10000{extra}");
        var db = redis.GetDatabase(1);
        await db.StringSetAsync("k", "v");
        Assert.That((string?)await db.StringGetAsync("k"), Is.EqualTo("v"));
    }

    [Test]
    public async Task AWrongPasswordFailsToConnect()
    {
        await using var server = await RebornServerProcess.StartAsync(configure: o => o.RequirePass = "s3cret");
        Assert.ThrowsAsync<RedisConnectionException>(async () =>
            await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},password=wrong,abortConnect=true,connectTimeout=3000"));
    }
}
