using System.Diagnostics;
using Reborn.Resp.Client;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Tests.Admin;

/// <summary>Reading REBORN replies in tests: maps by field, errors by text, migration status polled with a bound.</summary>
internal static class AdminReplies
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    /// <summary>A RESP3 map or a RESP2 flat key/value array, by field name.</summary>
    public static Dictionary<string, RespReply> Fields(RespReply reply)
    {
        Assert.That(reply.IsError, Is.False, reply.ToString());
        Assert.That(reply.Elements.Count % 2, Is.Zero, reply.ToString());
        var fields = new Dictionary<string, RespReply>();
        for (int i = 0; i < reply.Elements.Count; i += 2) fields.Add(reply.Elements[i].AsString()!, reply.Elements[i + 1]);
        return fields;
    }

    public static async Task<Dictionary<string, RespReply>> FieldsAsync(this RespConnection connection, params string[] command) =>
        Fields(await connection.ExecuteAsync(command));

    public static async Task<string> ErrorAsync(this RespConnection connection, params string[] command)
    {
        var reply = await connection.ExecuteAsync(command);
        Assert.That(reply.IsError, Is.True, $"{string.Join(' ', command)} answered {reply}");
        return reply.AsString()!;
    }

    public static async Task OkAsync(this RespConnection connection, params string[] command) =>
        Assert.That((await connection.ExecuteAsync(command)).ToString(), Is.EqualTo("OK"), string.Join(' ', command));

    public static Task<Dictionary<string, RespReply>> StatusAsync(this RespConnection connection) =>
        connection.FieldsAsync("REBORN", "MIGRATION", "STATUS");

    /// <summary>Polls REBORN MIGRATION STATUS until the job is no longer running (bounded); returns the final status.</summary>
    public static async Task<Dictionary<string, RespReply>> WaitForEndAsync(this RespConnection connection)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await connection.StatusAsync();
            if (status["state"].AsString() != "running") return status;
            if (clock.Elapsed > Bound) Assert.Fail($"the migration still runs after {Bound}: {Render(status)}");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Polls (bounded) until a job runs and its <paramref name="field"/> is above zero, so a cancel finds
    /// work half done. Idle is waited through: another process may not have started the job yet.
    /// </summary>
    public static async Task WaitForProgressAsync(this RespConnection connection, string field = "slots-done")
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await connection.StatusAsync();
            Assert.That(status["state"].AsString(), Is.AnyOf("running", "idle"), Render(status));
            if (status["state"].AsString() == "running" && status[field].Integer > 0) return;
            if (clock.Elapsed > Bound) Assert.Fail($"no progress after {Bound}: {Render(status)}");
            await Task.Delay(10);
        }
    }

    public static string Render(Dictionary<string, RespReply> fields) => string.Join(", ", fields.Select(f => $"{f.Key}={f.Value}"));
}
