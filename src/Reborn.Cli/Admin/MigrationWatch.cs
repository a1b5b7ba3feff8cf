using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Reborn.Cli.Admin;

/// <summary>REBORN MIGRATION STATUS as the CLI reads it, and the live progress bar that polls it.</summary>
internal sealed record MigrationStatus(
    string Job, string State, string Mode, long FirstSlot, long LastSlot, long Target, long SlotsDone, long SlotsTotal,
    long Keys, long Bytes, long KeysPerSecond, string MegabytesPerSecond, long ElapsedMs, string LongestFreezeMs,
    long RebalanceSlotsDone, long RebalanceSlotsTotal, string? Error)
{
    public bool IsRunning => State == "running";

    public string Describe()
    {
        var text = new StringBuilder();
        void Line(string name, string value) => text.Append(name.PadRight(16)).Append(value).Append('\n');
        Line("state", State);
        Line("job", Job);
        if (Job != "none")
        {
            Line("mode", Mode);
            Line("range", $"slots {FirstSlot}-{LastSlot} to group {Target}");
            Line("slots", $"{SlotsDone}/{SlotsTotal}");
            if (Job == "rebalance") Line("rebalance", $"{RebalanceSlotsDone}/{RebalanceSlotsTotal} slots");
            Line("keys", AdminCommands.Text(Keys));
            Line("bytes", $"{AdminCommands.Text(Bytes)} ({AdminCommands.Size(Bytes)})");
            Line("rate", $"{AdminCommands.Text(KeysPerSecond)} keys/s, {MegabytesPerSecond} MB/s");
            Line("elapsed", Seconds(ElapsedMs));
            Line("longest freeze", $"{LongestFreezeMs} ms");
        }
        if (Error is not null) Line("error", Error);
        return text.ToString();
    }

    public static string Seconds(long ms) => (ms / 1000.0).ToString("0.0", CultureInfo.InvariantCulture) + " s";
}

internal static class MigrationWatch
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<MigrationStatus> ReadAsync(AdminConnection server)
    {
        var f = AdminConnection.Fields(await server.ExecuteAsync("REBORN", "MIGRATION", "STATUS").ConfigureAwait(false));
        return new MigrationStatus(
            f["job"].AsString() ?? "", f["state"].AsString() ?? "", f["mode"].AsString() ?? "",
            f["first-slot"].Integer, f["last-slot"].Integer, f["target"].Integer, f["slots-done"].Integer, f["slots-total"].Integer,
            f["keys"].Integer, f["bytes"].Integer, f["keys-per-sec"].Integer, f["mb-per-sec"].AsString() ?? "0", f["elapsed-ms"].Integer,
            f["longest-freeze-ms"].AsString() ?? "0", f["rebalance-slots-done"].Integer, f["rebalance-slots-total"].Integer, f["error"].AsString());
    }

    /// <summary>
    /// Polls the status until the job ends, drawing a progress bar of slots moved; prints the outcome.
    /// Exit code 0 when it completed, 1 when it failed or was cancelled.
    /// </summary>
    public static async Task<int> WatchAsync(AdminConnection server, bool rebalance, CancellationToken cancellationToken)
    {
        var status = await ReadAsync(server).ConfigureAwait(false);
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Describe(status, rebalance), maxValue: Math.Max(1, Total(status, rebalance)));
                while (true)
                {
                    task.MaxValue = Math.Max(1, Total(status, rebalance));
                    task.Value = Done(status, rebalance);
                    task.Description = Describe(status, rebalance);
                    if (!status.IsRunning) break;
                    await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                    status = await ReadAsync(server).ConfigureAwait(false);
                }
                if (status.State == "completed") task.Value = task.MaxValue;
                task.StopTask();
            }).ConfigureAwait(false);

        string what = rebalance ? "rebalance" : "migration";
        switch (status.State)
        {
            case "completed":
                Console.WriteLine(rebalance
                    ? $"rebalance completed: {status.RebalanceSlotsTotal} slots moved; last range {status.FirstSlot}-{status.LastSlot} to group {status.Target}: {Summary(status)}"
                    : $"migration completed: slots {status.FirstSlot}-{status.LastSlot} to group {status.Target}, {Summary(status)}");
                return 0;
            case "cancelled":
                await Console.Error.WriteLineAsync($"reborn: {what} cancelled; unfinished slots went back to their source").ConfigureAwait(false);
                return 1;
            default:
                await Console.Error.WriteLineAsync($"reborn: {what} {status.State}{(status.Error is null ? "" : ": " + status.Error)}").ConfigureAwait(false);
                return 1;
        }
    }

    private static string Summary(MigrationStatus s) =>
        $"{AdminCommands.Text(s.Keys)} keys ({AdminCommands.Size(s.Bytes)}) in {MigrationStatus.Seconds(s.ElapsedMs)}, " +
        $"{AdminCommands.Text(s.KeysPerSecond)} keys/s, {s.MegabytesPerSecond} MB/s, longest write freeze {s.LongestFreezeMs} ms";

    private static long Total(MigrationStatus s, bool rebalance) => rebalance ? s.RebalanceSlotsTotal : s.SlotsTotal;

    private static long Done(MigrationStatus s, bool rebalance) => rebalance ? s.RebalanceSlotsDone : s.SlotsDone;

    private static string Describe(MigrationStatus s, bool rebalance) => Markup.Escape(
        $"{(rebalance ? "rebalance: " : "")}slots {s.FirstSlot}-{s.LastSlot} → group {s.Target} ({s.Mode}) · {AdminCommands.Text(s.Keys)} keys · {s.MegabytesPerSecond} MB/s");
}
