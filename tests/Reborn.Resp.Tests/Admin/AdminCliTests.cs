using System.Net;
using System.Net.Sockets;
using Reborn.Resp.Client;
using Reborn.Resp.Tests.Hosting;

namespace Reborn.Resp.Tests.Admin;

/// <summary>The `reborn` admin verbs run as child processes against a child `reborn server`.</summary>
[NonParallelizable]
public sealed class AdminCliTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "reborn-admin-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Runs `reborn args...` to its end; returns the finished process for its exit code and output.</summary>
    private async Task<(int Exit, RebornCliProcess Process)> RunAsync(params string[] args)
    {
        var process = RebornCliProcess.Start(_directory, args);
        int exit = await process.ExitAsync();
        return (exit, process);
    }

    private static async Task WriteKeysAsync(int port, int count)
    {
        await using var client = await RespConnection.ConnectAsync("127.0.0.1", port);
        foreach (var reply in await client.PipelineAsync(Enumerable.Range(0, count).Select(i => new[] { "SET", "key:" + i, "value-" + i })))
            Assert.That(reply.ToString(), Is.EqualTo("OK"));
    }

    private static async Task AssertKeysAsync(int port, int count)
    {
        await using var client = await RespConnection.ConnectAsync("127.0.0.1", port);
        Assert.That((await client.ExecuteAsync("DBSIZE")).Integer, Is.EqualTo(count));
        var replies = await client.PipelineAsync(Enumerable.Range(0, count).Select(i => new[] { "GET", "key:" + i }));
        for (int i = 0; i < count; i++) Assert.That(replies[i].AsString(), Is.EqualTo("value-" + i));
    }

    [Test]
    [Platform(Exclude = "Win")]
    public async Task GroupAddSlotMigrateSlotInfoAndMigrationStatus()
    {
        using var server = RebornCliProcess.Start(_directory, "server", "--port", "0", "--dir", "data");
        string port = (await server.ListeningAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await WriteKeysAsync(int.Parse(port), 500);

        var (exit, add) = await RunAsync("group", "add", "1", "--port", port);
        Assert.That(exit, Is.Zero, add.Output);
        Assert.That(add.StandardOutput, Is.EqualTo($"group 1 added at {Path.Combine("data", "group-1")}"), add.Output);

        (exit, var migrate) = await RunAsync("slot", "migrate", "0", "511", "1", "--port", port, "--host", "127.0.0.1");
        Assert.That(exit, Is.Zero, migrate.Output);
        Assert.That(migrate.StandardOutput, Does.Contain("migration completed: slots 0-511 to group 1"), migrate.Output);
        Assert.That(migrate.StandardError, Is.Empty, migrate.Output);
        await AssertKeysAsync(int.Parse(port), 500);

        (exit, var table) = await RunAsync("slot", "info", "--port", port);
        Assert.That(exit, Is.Zero, table.Output);
        var lines = table.StandardOutput.Split('\n');
        Assert.That(lines[0], Does.Match(@"^SLOTS\s+OWNER\s+KEYS\s+SIZE$"), table.Output);
        Assert.That(lines[1], Does.Match(@"^0-511\s+group 1, stable\s+\d+\s+"), table.Output);
        Assert.That(lines[2], Does.Match(@"^512-1023\s+group 0, stable\s+\d+\s+"), table.Output);
        Assert.That(lines[3], Does.Match(@"^slot table version \d+$"), table.Output);

        (exit, var one) = await RunAsync("slot", "info", "0", "--port", port);
        Assert.That(exit, Is.Zero, one.Output);
        Assert.That(one.StandardOutput, Does.Match(@"^slot 0: group 1, stable, \d+ keys, "), one.Output);

        (exit, var status) = await RunAsync("migration", "status", "--port", port);
        Assert.That(exit, Is.Zero, status.Output);
        Assert.That(status.StandardOutput, Does.Match(@"state\s+completed"), status.Output);
        Assert.That(status.StandardOutput, Does.Match(@"range\s+slots 0-511 to group 1"), status.Output);
        Assert.That(status.StandardOutput, Does.Match(@"slots\s+512/512"), status.Output);

        (exit, var list) = await RunAsync("group", "list", "--port", port);
        Assert.That(exit, Is.Zero, list.Output);
        Assert.That(list.StandardOutput, Does.Match(@"(?m)^1\s+512\s+\d+\s+.*group-1$"), list.Output);

        (exit, var rebalance) = await RunAsync("rebalance", "--mode", "key", "--port", port);
        Assert.That(exit, Is.Zero, rebalance.Output);
        Assert.That(rebalance.StandardOutput, Does.Contain("rebalance completed: 1024 slots moved"), rebalance.Output);
        (exit, var again) = await RunAsync("rebalance", "--port", port);
        Assert.That((exit, again.StandardOutput), Is.EqualTo((0, "already balanced: nothing to move")), again.Output);
        await AssertKeysAsync(int.Parse(port), 500);

        (exit, var refused) = await RunAsync("group", "remove", "1", "--port", port);
        Assert.That(exit, Is.EqualTo(1), refused.Output);
        Assert.That(refused.StandardError, Is.EqualTo("reborn: ERR group 1 still owns slots; migrate them away first"), refused.Output);
        (exit, var unknown) = await RunAsync("slot", "migrate", "0", "10", "9", "--port", port);
        Assert.That((exit, unknown.StandardError), Is.EqualTo((1, "reborn: ERR group 9 does not exist")), unknown.Output);
        (exit, var weights) = await RunAsync("rebalance", "--weights", "0=x", "--port", port);
        Assert.That(exit, Is.EqualTo(1), weights.Output);
        Assert.That(weights.StandardError, Does.StartWith("reborn: --weights takes group=weight pairs"), weights.Output);

        (exit, var background) = await RunAsync("slot", "migrate", "0", "1023", "0", "--no-wait", "--port", port);
        Assert.That(exit, Is.Zero, background.Output);
        Assert.That(background.StandardOutput, Does.Contain("in the background"), background.Output);
        await using (var client = await RespConnection.ConnectAsync("127.0.0.1", int.Parse(port)))
            Assert.That((await client.WaitForEndAsync())["state"].AsString(), Is.EqualTo("completed"));
        (exit, var removed) = await RunAsync("group", "remove", "1", "--port", port);
        Assert.That((exit, removed.StandardOutput), Is.EqualTo((0, "group 1 removed")), removed.Output);

        await server.SignalAsync("TERM");
        Assert.That(await server.ExitAsync(), Is.Zero, server.Output);
    }

    [Test]
    [Platform(Exclude = "Win")]
    public async Task ACancelledMigrationExitsNonZeroAndAWeightedRebalanceCompletes()
    {
        using var server = RebornCliProcess.Start(_directory, "server", "--port", "0", "--engine", "memory");
        int port = await server.ListeningAsync();
        string portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await WriteKeysAsync(port, 300);
        Assert.That((await RunAsync("group", "add", "1", "--port", portText)).Exit, Is.Zero);

        // One key a second: the move waits for the cancel, however fast the machine.
        using var waiting = RebornCliProcess.Start(_directory, "slot", "migrate", "0", "1023", "1", "--mode", "key", "--max-keys", "1", "--port", portText);
        await using (var client = await RespConnection.ConnectAsync("127.0.0.1", port))
            await client.WaitForProgressAsync("keys");
        var (exit, cancel) = await RunAsync("migration", "cancel", "--port", portText);
        Assert.That(exit, Is.Zero, cancel.Output);
        Assert.That(await waiting.ExitAsync(), Is.EqualTo(1), waiting.Output);
        Assert.That(waiting.StandardError, Does.Contain("reborn: migration cancelled"), waiting.Output);
        await AssertKeysAsync(port, 300);

        (exit, var weighted) = await RunAsync("rebalance", "--weights", "0=1,1=3", "--port", portText);
        Assert.That(exit, Is.Zero, weighted.Output);
        Assert.That(weighted.StandardOutput, Does.Contain("rebalance completed"), weighted.Output);
        (exit, var table) = await RunAsync("slot", "info", "--port", portText);
        Assert.That(table.StandardOutput, Does.Match(@"(?m)^0-255\s+group 0, stable"), table.Output);
        Assert.That(table.StandardOutput, Does.Match(@"(?m)^256-1023\s+group 1, stable"), table.Output);
        await AssertKeysAsync(port, 300);

        await server.SignalAsync("TERM");
        Assert.That(await server.ExitAsync(), Is.Zero, server.Output);
    }

    [Test]
    public async Task AnUnreachableServerIsOneClearLine()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int closed = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        foreach (var verb in new[] { new[] { "group", "list" }, ["slot", "migrate", "0", "1", "1"], ["migration", "status"], ["rebalance"] })
        {
            var (exit, process) = await RunAsync([.. verb, "--port", closed.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.That(exit, Is.EqualTo(1), process.Output);
            Assert.That(process.StandardError, Does.Match($@"^reborn: cannot connect to 127\.0\.0\.1:{closed}: [^\n]+$"), process.Output);
            Assert.That(process.StandardOutput, Is.Empty, process.Output);
        }
    }

    [Test]
    [Platform(Exclude = "Win")]
    public async Task APasswordIsSentWithAuth()
    {
        using var server = RebornCliProcess.Start(_directory, "server", "--port", "0", "--engine", "memory", "--requirepass", "s3cret");
        string port = (await server.ListeningAsync()).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (exit, anonymous) = await RunAsync("group", "list", "--port", port);
        Assert.That(exit, Is.EqualTo(1), anonymous.Output);
        Assert.That(anonymous.StandardError, Is.EqualTo("reborn: NOAUTH Authentication required. (pass --password)"), anonymous.Output);
        (exit, var wrong) = await RunAsync("group", "list", "--port", port, "--password", "nope");
        Assert.That(exit, Is.EqualTo(1), wrong.Output);
        Assert.That(wrong.StandardError, Does.StartWith("reborn: WRONGPASS"), wrong.Output);
        (exit, var list) = await RunAsync("group", "list", "--port", port, "--password", "s3cret");
        Assert.That(exit, Is.Zero, list.Output);
        Assert.That(list.StandardOutput, Does.Match(@"(?m)^0\s+1024\s+0\s+0 B\s+\(memory\)$"), list.Output);

        await server.SignalAsync("TERM");
        Assert.That(await server.ExitAsync(), Is.Zero, server.Output);
    }
}
