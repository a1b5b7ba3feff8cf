using System.Buffers;
using System.Text;
using Reborn.Core.Cluster;
using Reborn.Resp.Client;
using Reborn.Resp.Commands;
using Reborn.Resp.Protocol;
using Reborn.Storage;
using Reborn.Testing;

namespace Reborn.Resp.Tests.Differential;

/// <summary>
/// Sends the same commands to a real redis-server and to an in-process Reborn (through the same
/// command table and dispatcher the server uses) and compares the RESP replies.
/// </summary>
public sealed class DifferentialHarness : IAsyncDisposable
{
    private readonly RedisServerProcess _redis;
    private readonly RespConnection _connection;
    private readonly IKeyValueCluster _cluster;
    private readonly string? _directory;
    private readonly ArrayBufferWriter<byte> _output = new();
    private readonly RespCommandArgs _args = new();
    private readonly CommandContext _context;
    private readonly CommandDispatcher _dispatcher = new();

    private DifferentialHarness(RedisServerProcess redis, RespConnection connection, IKeyValueCluster cluster, string? directory)
    {
        _redis = redis;
        _connection = connection;
        _cluster = cluster;
        _directory = directory;
        _context = new CommandContext(cluster, new RespWriter(_output)) { Args = _args };
    }

    public static async Task<DifferentialHarness> StartAsync(EngineKind engine)
    {
        var redis = await RedisServerProcess.StartAsync();
        var connection = await RespConnection.ConnectAsync("127.0.0.1", redis.Port);
        string? directory = engine == EngineKind.Memory ? null : Path.Combine(Path.GetTempPath(), "reborn-diff-" + Guid.NewGuid().ToString("N"));
        var cluster = await RebornCluster.OpenAsync(new RebornClusterOptions
        {
            Engine = engine,
            DataDirectory = directory ?? "unused",
            Durability = Durability.Never,
        });
        return new DifferentialHarness(redis, connection, cluster, directory);
    }

    public Task<byte[]> RedisAsync(byte[][] command) => _connection.ExecuteRawAsync(command);

    public async Task<byte[]> RebornAsync(byte[][] command)
    {
        _output.Clear();
        _args.Load(command);
        await _dispatcher.ExecuteAsync(_context);
        return _output.WrittenSpan.ToArray();
    }

    /// <summary>Runs <paramref name="count"/> generated commands; fails with the seed and the first difference.</summary>
    public async Task<int> RunAsync(ICommandGenerator generator, int seed, int count)
    {
        var random = new Random(seed);
        await RedisAsync([.. "FLUSHALL"u8.ToArray().Yield()]);
        await RebornAsync([.. "FLUSHALL"u8.ToArray().Yield()]);
        var history = new Queue<string>();
        for (int i = 0; i < count; i++)
        {
            var command = generator.Next(random);
            var expected = await RedisAsync(command.Args);
            var actual = await RebornAsync(command.Args);
            history.Enqueue(command.ToString());
            if (history.Count > 12) history.Dequeue();
            if (!ReplyComparer.Same(expected, actual, command.Mode))
            {
                string state = command.Args.Length > 1 ? await DescribeKeyAsync(command.Args[1]) : "";
                throw new AssertionException(
                    $"Replies differ at command #{i} of seed {seed} ({generator.GetType().Name}); replay with that seed.\n" +
                    $"command:  {command}\nredis:    {Show(expected)}\nreborn:   {Show(actual)}\nrecent commands:\n  {string.Join("\n  ", history)}\n{state}");
            }
        }
        return count;
    }

    /// <summary>The key's type and string value on both sides, to explain a difference.</summary>
    private async Task<string> DescribeKeyAsync(byte[] key)
    {
        var text = new StringBuilder();
        foreach (var probe in new[] { "TYPE", "GET", "PTTL" })
        {
            byte[][] command = [Encoding.ASCII.GetBytes(probe), key];
            text.Append($"{probe,-5} redis: {Show(await RedisAsync(command))}  reborn: {Show(await RebornAsync(command))}\n");
        }
        return text.ToString();
    }

    public static string Show(byte[] reply) => Encoding.UTF8.GetString(reply).Replace("\r\n", "\\r\\n");

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
        await _cluster.DisposeAsync();
        _args.Dispose();
        if (_directory is not null && Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}

internal static class EnumerableExtensions
{
    public static IEnumerable<T> Yield<T>(this T item) { yield return item; }
}
