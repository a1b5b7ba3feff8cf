using System.Text;
using System.Text.RegularExpressions;
using Reborn.Resp.Client;
using Reborn.Resp.Tests.Server;
using Reborn.Testing;

namespace Reborn.Resp.Tests.Transactions;

/// <summary>
/// A real redis-server and an in-process Reborn server with the same number of clients each. A
/// script drives client i on both sides alike and every frame either side sends is compared byte for
/// byte (a HELLO reply's connection id masked). Reads wait at most <see cref="ReadTimeout"/>: a guard
/// against a hang, never a way to synchronise.
/// </summary>
internal sealed partial class OracleClients : IAsyncDisposable
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    private readonly RespConnection[] _redis;
    private readonly RespConnection[] _reborn;

    private OracleClients(RedisServerProcess redisServer, RebornServerProcess rebornServer, RespConnection[] redis, RespConnection[] reborn)
    {
        RedisServer = redisServer;
        RebornServer = rebornServer;
        _redis = redis;
        _reborn = reborn;
    }

    public RedisServerProcess RedisServer { get; }
    public RebornServerProcess RebornServer { get; }

    /// <summary>Starts both servers and connects <paramref name="clients"/> clients to each, after HELLO 3 when asked.</summary>
    public static async Task<OracleClients> StartAsync(int clients, int protocol = 2)
    {
        var redisServer = await RedisServerProcess.StartAsync();
        var rebornServer = await RebornServerProcess.StartAsync();
        var redis = new RespConnection[clients];
        var reborn = new RespConnection[clients];
        for (int i = 0; i < clients; i++)
        {
            redis[i] = await RespConnection.ConnectAsync(redisServer.Host, redisServer.Port);
            reborn[i] = await RespConnection.ConnectAsync(rebornServer.Host, rebornServer.Port);
            redis[i].ReadTimeout = reborn[i].ReadTimeout = ReadTimeout;
        }
        var pair = new OracleClients(redisServer, rebornServer, redis, reborn);
        if (protocol == 3)
            for (int i = 0; i < clients; i++) await pair.SameAsync(i, "HELLO", "3");
        return pair;
    }

    public RespConnection Redis(int client) => _redis[client];
    public RespConnection Reborn(int client) => _reborn[client];

    /// <summary>Sends a command from client <paramref name="client"/> on both sides and compares the reply; returns it as text.</summary>
    public async Task<string> SameAsync(int client, params string[] args)
    {
        await SendAsync(client, args);
        return await ReadSameAsync(client, string.Join(' ', args));
    }

    public Task<string> SameAsync(int client, params byte[][] args) => SameBytesAsync(client, args);

    private async Task<string> SameBytesAsync(int client, byte[][] args)
    {
        await _redis[client].SendAsync(args);
        await _reborn[client].SendAsync(args);
        return await ReadSameAsync(client, string.Join(' ', args.Select(a => Encoding.Latin1.GetString(a))));
    }

    /// <summary>Sends without reading (a command that blocks, or whose replies are read one frame at a time).</summary>
    public async Task SendAsync(int client, params string[] args)
    {
        await _redis[client].SendAsync(args);
        await _reborn[client].SendAsync(args);
    }

    /// <summary>Reads the next frame of client <paramref name="client"/> on both sides and compares them.</summary>
    public async Task<string> ReadSameAsync(int client, string because = "")
    {
        var expected = Show(await _redis[client].ReadRawReplyAsync());
        var actual = Show(await _reborn[client].ReadRawReplyAsync());
        Assert.That(MaskId(actual), Is.EqualTo(MaskId(expected)), $"client {client}: {because}");
        return actual;
    }

    /// <summary>Reads the next frame of a client on both sides without comparing (where Redis's order is a hash table's).</summary>
    public async Task<(string Redis, string Reborn)> ReadBothAsync(int client)
        => (Show(await _redis[client].ReadRawReplyAsync()), Show(await _reborn[client].ReadRawReplyAsync()));

    /// <summary>Polls until both servers report <paramref name="count"/> blocked clients (bounded).</summary>
    public async Task WaitBlockedAsync(int count)
    {
        var deadline = DateTime.UtcNow + ReadTimeout;
        await using var probe = await RespConnection.ConnectAsync(RedisServer.Host, RedisServer.Port);
        while (true)
        {
            var info = (await probe.ExecuteAsync("INFO", "clients")).AsString() ?? "";
            int redisBlocked = int.Parse(BlockedClients().Match(info).Groups[1].Value);
            int rebornBlocked = RebornServer.Server.BlockedClients;
            if (redisBlocked == count && rebornBlocked == count) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"blocked clients: redis {redisBlocked}, reborn {rebornBlocked}, expected {count}");
            await Task.Delay(5);
        }
    }

    public static string Show(byte[] raw) => Encoding.Latin1.GetString(raw);

    public static string MaskId(string reply) => HelloId().Replace(reply, "$1:<id>");

    [GeneratedRegex(@"(\$2\r\nid\r\n):\d+")]
    private static partial Regex HelloId();

    [GeneratedRegex(@"blocked_clients:(\d+)")]
    private static partial Regex BlockedClients();

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _redis) await c.DisposeAsync();
        foreach (var c in _reborn) await c.DisposeAsync();
        await RebornServer.DisposeAsync();
        await RedisServer.DisposeAsync();
    }
}
