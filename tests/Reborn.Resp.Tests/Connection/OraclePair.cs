using System.Text;
using System.Text.RegularExpressions;
using Reborn.Resp.Client;
using Reborn.Resp.Server;
using Reborn.Resp.Tests.Server;
using Reborn.Testing;

namespace Reborn.Resp.Tests.Connection;

/// <summary>A real redis-server and an in-process Reborn server started alike, with one client on each.</summary>
internal sealed partial class OraclePair : IAsyncDisposable
{
    private OraclePair(RedisServerProcess redis, RebornServerProcess reborn, RespConnection redisClient, RespConnection rebornClient)
    {
        Redis = redis;
        Reborn = reborn;
        RedisClient = redisClient;
        RebornClient = rebornClient;
    }

    public RedisServerProcess Redis { get; }
    public RebornServerProcess Reborn { get; }
    public RespConnection RedisClient { get; private set; }
    public RespConnection RebornClient { get; private set; }

    public static async Task<OraclePair> StartAsync(string? requirePass = null)
    {
        // The fixture waits for +PONG, which a password-protected redis does not give: set it once started.
        var redis = await RedisServerProcess.StartAsync();
        var reborn = await RebornServerProcess.StartAsync(configure: (RespServerOptions o) => o.RequirePass = requirePass);
        var pair = new OraclePair(redis, reborn,
            await RespConnection.ConnectAsync(redis.Host, redis.Port),
            await RespConnection.ConnectAsync(reborn.Host, reborn.Port));
        if (requirePass is not null)
        {
            await pair.RedisClient.ExecuteAsync("CONFIG", "SET", "requirepass", requirePass);
            await pair.ReconnectAsync();
        }
        return pair;
    }

    /// <summary>New clients on both servers (the old ones are closed).</summary>
    public async Task ReconnectAsync()
    {
        await RedisClient.DisposeAsync();
        await RebornClient.DisposeAsync();
        RedisClient = await RespConnection.ConnectAsync(Redis.Host, Redis.Port);
        RebornClient = await RespConnection.ConnectAsync(Reborn.Host, Reborn.Port);
    }

    /// <summary>Sends the command to both; returns both raw replies as text.</summary>
    public async Task<(string Redis, string Reborn)> BothAsync(params string[] args)
    {
        var redis = Encoding.UTF8.GetString(await RedisClient.ExecuteRawAsync(args));
        var reborn = Encoding.UTF8.GetString(await RebornClient.ExecuteRawAsync(args));
        return (redis, reborn);
    }

    /// <summary>Asserts the replies are byte for byte equal, except the connection id of a HELLO reply.</summary>
    public async Task<string> SameAsync(params string[] args)
    {
        var (redis, reborn) = await BothAsync(args);
        Assert.That(MaskId(reborn), Is.EqualTo(MaskId(redis)), string.Join(' ', args));
        return reborn;
    }

    public static string MaskId(string reply) => HelloId().Replace(reply, "$1:<id>");

    [GeneratedRegex(@"(\$2\r\nid\r\n):\d+")]
    private static partial Regex HelloId();

    public async ValueTask DisposeAsync()
    {
        await RedisClient.DisposeAsync();
        await RebornClient.DisposeAsync();
        await Reborn.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
