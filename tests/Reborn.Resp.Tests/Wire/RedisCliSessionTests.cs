using System.Diagnostics;
using System.Text.RegularExpressions;
using Reborn.Resp.Tests.Server;
using Reborn.Testing;

namespace Reborn.Resp.Tests.Wire;

/// <summary>
/// A scripted redis-cli session, as a user would type it in a shell here-doc, run against
/// Reborn and against redis-server: the printed output must be identical, except lines that
/// are a TTL (timing-based) which must be close.
/// </summary>
[NonParallelizable]
public sealed partial class RedisCliSessionTests
{
    // Hash fields are inserted in byte order: Redis's small hashes print in insertion order, Reborn's in key order.
    private const string Script = """
        PING
        PING "hello there"
        SET greeting hello
        GET greeting
        GET nosuchkey
        SET greeting "hello world" XX GET
        HSET user:1 age 36 lang en name Ada
        HGETALL user:1
        HGET user:1 name
        LPUSH queue a b c
        RPUSH queue d
        LRANGE queue 0 -1
        LRANGE queue 1 2
        ZADD board 42 ada 7 bob 99.5 cy -3 dee
        ZRANGE board 0 -1 WITHSCORES
        ZRANGE board 0 1
        INCR hits
        INCR hits
        INCRBY hits 40
        INCR greeting
        INCR queue
        EXPIRE greeting 100
        TTL greeting
        TTL nosuchkey
        TTL hits
        DEL greeting user:1 queue board hits
        GET greeting
        EXISTS greeting user:1
        NOSUCHCOMMAND a b
        SET onlykey
        PING
        """;

    [TestCase("default")]
    [TestCase("--no-raw")]
    [TestCase("-3 --no-raw")] // RESP3: redis-cli sends HELLO 3 first
    public async Task TheSameSessionPrintsTheSameOutput(string options)
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var reborn = await RebornServerProcess.StartAsync();
        string[] extra = options == "default" ? [] : options.Split(' ');
        string expected = await RunRedisCliAsync(redis.Port, extra);
        string actual = await RunRedisCliAsync(reborn.Port, extra);
        TestContext.Out.WriteLine($"redis-cli {options} against Reborn printed:\n{actual}");

        string[] expectedLines = expected.Split('\n');
        string[] actualLines = actual.Split('\n');
        for (int i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            string want = i < expectedLines.Length ? expectedLines[i] : "<no line>";
            string got = i < actualLines.Length ? actualLines[i] : "<no line>";
            if (want == got || BothCloseTtls(want, got)) continue;
            Assert.Fail($"redis-cli {options}: line {i + 1} differs.\nredis:  {want}\nreborn: {got}\n\nwhole redis output:\n{expected}\nwhole reborn output:\n{actual}");
        }
    }

    // The only timing-based value in the script: TTL greeting after EXPIRE 100.
    private static bool BothCloseTtls(string want, string got)
    {
        Match a = Integer().Match(want), b = Integer().Match(got);
        return a.Success && b.Success && a.Groups[1].Value == b.Groups[1].Value
               && long.Parse(a.Groups[2].Value) is >= 90 and <= 100 && long.Parse(b.Groups[2].Value) is >= 90 and <= 100;
    }

    [GeneratedRegex(@"^(\(integer\) )?(\d+)$")]
    private static partial Regex Integer();

    /// <summary>bash -c "redis-cli -p PORT [options] &lt;&lt;'EOF' ... EOF", with a bound on its run time.</summary>
    private static async Task<string> RunRedisCliAsync(int port, string[] options)
    {
        string command = $"redis-cli -h 127.0.0.1 -p {port} {string.Join(' ', options)} <<'EOF'\n{Script}\nEOF\n";
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await process.WaitForExitAsync(bound.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"redis-cli against port {port} did not finish within 30 s; printed so far:\n{await output}");
        }
        string stderr = await error;
        Assert.That(stderr, Is.Empty, $"redis-cli against port {port} complained");
        return await output;
    }
}
