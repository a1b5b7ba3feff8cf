using System.Text;
using Reborn.Core.DataModel;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Server;

/// <summary>
/// Channels and patterns to subscribed connections. PUBLISH delivers to every subscriber of the
/// channel and every matching pattern, and returns how many received it, as Redis does.
/// </summary>
internal sealed class PubSubBroker
{
    private readonly RespServer _server;
    private readonly Dictionary<string, HashSet<ClientConnection>> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<ClientConnection>> _patterns = new(StringComparer.Ordinal);
    // Patterns are matched on every PUBLISH: keep their bytes rather than re-encoding each time.
    private readonly Dictionary<string, byte[]> _patternBytes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public PubSubBroker(RespServer server) => _server = server;

    // Channel names are binary: keep them as Latin-1 strings so every byte maps to one char.
    public static string Name(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
    public static byte[] Bytes(string name) => Encoding.Latin1.GetBytes(name);

    public bool Subscribe(ClientConnection client, string channel) => Add(_channels, client, channel);
    public bool Unsubscribe(ClientConnection client, string channel) => Remove(_channels, client, channel);
    public bool PSubscribe(ClientConnection client, string pattern) => Add(_patterns, client, pattern);
    public bool PUnsubscribe(ClientConnection client, string pattern)
    {
        lock (_gate)
        {
            bool removed = Remove(_patterns, client, pattern);
            if (!_patterns.ContainsKey(pattern)) _patternBytes.Remove(pattern);
            return removed;
        }
    }

    private bool Add(Dictionary<string, HashSet<ClientConnection>> map, ClientConnection client, string name)
    {
        lock (_gate)
        {
            if (!map.TryGetValue(name, out var set)) map[name] = set = new HashSet<ClientConnection>();
            return set.Add(client);
        }
    }

    private bool Remove(Dictionary<string, HashSet<ClientConnection>> map, ClientConnection client, string name)
    {
        lock (_gate)
        {
            if (!map.TryGetValue(name, out var set) || !set.Remove(client)) return false;
            if (set.Count == 0) map.Remove(name);
            return true;
        }
    }

    public void RemoveAll(ClientConnection client)
    {
        lock (_gate)
        {
            foreach (var channel in client.Session.Channels) Remove(_channels, client, channel);
            foreach (var pattern in client.Session.Patterns)
            {
                Remove(_patterns, client, pattern);
                if (!_patterns.ContainsKey(pattern)) _patternBytes.Remove(pattern);
            }
        }
    }

    /// <summary>
    /// Delivers a message; returns the number of deliveries (channel subscribers plus pattern
    /// matches, so a client matching twice receives twice). Channel subscribers come first, then
    /// pattern subscribers, as Redis 7.0 sends them. A delivery to <paramref name="publisher"/>
    /// itself (a RESP3 client may publish to its own channel) is written inline to
    /// <paramref name="publisherWriter"/>, so it precedes PUBLISH's own reply as in Redis; every other
    /// delivery is pushed through the subscriber's connection, in publish order per subscriber.
    /// </summary>
    public long Publish(string channel, byte[] message, ClientConnection? publisher = null, RespWriter? publisherWriter = null)
    {
        var deliveries = new List<(ClientConnection Client, string? Pattern)>();
        var channelBytes = Bytes(channel);
        lock (_gate)
        {
            if (_channels.TryGetValue(channel, out var subscribers))
                foreach (var client in subscribers) deliveries.Add((client, null));
            foreach (var (pattern, clients) in _patterns)
                if (Glob.IsMatch(PatternBytes(pattern), channelBytes))
                    foreach (var client in clients) deliveries.Add((client, pattern));
        }
        foreach (var (client, pattern) in deliveries)
        {
            var patternBytes = pattern is null ? null : Bytes(pattern);
            if (client == publisher && publisherWriter is not null) WriteMessage(publisherWriter, patternBytes, channelBytes, message);
            else _ = client.PushAsync(writer => WriteMessage(writer, patternBytes, channelBytes, message));
        }
        return deliveries.Count;
    }

    /// <summary>["message", channel, payload] or ["pmessage", pattern, channel, payload]: an array in RESP2, a push in RESP3.</summary>
    public static void WriteMessage(RespWriter writer, byte[]? pattern, byte[] channel, byte[] message)
    {
        if (pattern is null)
        {
            writer.PushHeader(3);
            writer.BulkString("message"u8);
        }
        else
        {
            writer.PushHeader(4);
            writer.BulkString("pmessage"u8);
            writer.BulkString(pattern);
        }
        writer.BulkString(channel);
        writer.BulkString(message);
    }

    private byte[] PatternBytes(string pattern)
    {
        if (!_patternBytes.TryGetValue(pattern, out var bytes)) _patternBytes[pattern] = bytes = Bytes(pattern);
        return bytes;
    }

    public List<string> Channels(ReadOnlySpan<byte> pattern)
    {
        lock (_gate)
        {
            var result = new List<string>();
            foreach (var name in _channels.Keys)
                if (pattern.IsEmpty || Glob.IsMatch(pattern, Bytes(name))) result.Add(name);
            return result;
        }
    }

    public long SubscriberCount(string channel)
    {
        lock (_gate) return _channels.TryGetValue(channel, out var set) ? set.Count : 0;
    }

    public long PatternCount
    {
        get { lock (_gate) return _patterns.Count; }
    }
}
