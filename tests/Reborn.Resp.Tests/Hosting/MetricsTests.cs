using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Reborn.Hosting.Metrics;
using Reborn.Resp.Client;

namespace Reborn.Resp.Tests.Hosting;

/// <summary>The "Reborn" meter, read with a MeterListener scoped to one host's meter factory.</summary>
public sealed class MetricsTests
{
    [Test]
    public async Task TheMeterReportsCommandsLatencyClientsAndBytes()
    {
        using var host = TestHosts.Build();
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        var commands = new ConcurrentDictionary<string, long>();
        var durations = new ConcurrentBag<(string Command, double Milliseconds)>();
        var observed = new ConcurrentDictionary<string, long>();

        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RebornMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "reborn.server.commands") commands.AddOrUpdate(Command(tags), value, (_, sum) => sum + value);
            else observed[instrument.Name] = value;
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => observed[instrument.Name] = value);
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "reborn.server.command.duration") durations.Add((Command(tags), value));
        });
        listener.Start();

        await host.StartAsync();
        await using (var client = await RespConnection.ConnectAsync("127.0.0.1", host.Port()))
        {
            await client.PipelineAsync([["PING"], ["PING"], ["PING"], ["SET", "k", "v"], ["GET", "k"]]);
            listener.RecordObservableInstruments();
        }

        Assert.Multiple(() =>
        {
            Assert.That(commands.GetValueOrDefault("ping"), Is.EqualTo(3));
            Assert.That(commands.GetValueOrDefault("set"), Is.EqualTo(1));
            Assert.That(commands.GetValueOrDefault("get"), Is.EqualTo(1));
            Assert.That(durations.Count(d => d.Command == "ping"), Is.EqualTo(3));
            Assert.That(durations.All(d => d.Milliseconds >= 0), Is.True);
            Assert.That(observed.GetValueOrDefault("reborn.server.clients"), Is.EqualTo(1));
            Assert.That(observed.GetValueOrDefault("reborn.server.net.input"), Is.GreaterThan(0));
            Assert.That(observed.GetValueOrDefault("reborn.server.net.output"), Is.GreaterThan(0));
        });
        await host.StopAsync();
    }

    private static string Command(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
            if (tag.Key == "command") return (string)tag.Value!;
        return "";
    }
}
