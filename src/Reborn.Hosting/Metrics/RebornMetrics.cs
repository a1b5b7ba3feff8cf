using System.Diagnostics.Metrics;
using Reborn.Resp.Server;

namespace Reborn.Hosting.Metrics;

/// <summary>
/// The meter "Reborn": commands processed (tag <c>command</c>), command latency in milliseconds,
/// connected clients, and bytes in and out of the RESP endpoint. Instruments that sample the
/// server read <see cref="RespServer.Statistics"/>; the per-command ones are fed by
/// <see cref="RespServer.CommandCompleted"/>.
/// </summary>
public sealed class RebornMetrics
{
    /// <summary>The meter's name, for MeterListener, OpenTelemetry's AddMeter, dotnet-counters.</summary>
    public const string MeterName = "Reborn";

    private readonly Meter _meter;
    private readonly Counter<long> _commands;
    private readonly Histogram<double> _duration;

    public RebornMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _commands = _meter.CreateCounter<long>("reborn.server.commands", "{command}", "Commands processed, by command name.");
        _duration = _meter.CreateHistogram<double>("reborn.server.command.duration", "ms", "Time to execute one command, by command name.");
    }

    /// <summary>Feeds the meter from one server: hooks its per-command callback and samples its statistics.</summary>
    internal void Attach(RespServer server)
    {
        server.CommandCompleted = RecordCommand;
        _meter.CreateObservableGauge("reborn.server.clients", () => server.ConnectedClients, "{client}", "Clients connected now.");
        _meter.CreateObservableCounter("reborn.server.net.input", () => Volatile.Read(ref server.Statistics.NetInputBytes), "By", "Bytes read from clients.");
        _meter.CreateObservableCounter("reborn.server.net.output", () => Volatile.Read(ref server.Statistics.NetOutputBytes), "By", "Bytes written to clients.");
    }

    private void RecordCommand(string command, TimeSpan elapsed)
    {
        if (!_commands.Enabled && !_duration.Enabled) return; // nobody listens: nothing to record
        var tag = new KeyValuePair<string, object?>("command", command);
        _commands.Add(1, tag);
        _duration.Record(elapsed.TotalMilliseconds, tag);
    }
}
