using Reborn.Core;
using Reborn.Resp.Server;

namespace Reborn.Resp.Commands;

/// <summary>
/// SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB, as Redis 7.0's pubsub.c. Each
/// (un)subscription is confirmed with [kind, name, subscriptions left] (an array in RESP2, a push in
/// RESP3); messages go out through the subscriber's connection. Shard channels (SSUBSCRIBE ...) are
/// not served; PUBSUB SHARDCHANNELS and SHARDNUMSUB answer as a server without any.
/// In process there is no connection to deliver to, so these commands answer an error.
/// </summary>
internal static class PubSubCommands
{
    private const CommandFlags Sub = CommandFlags.PubSub | CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale;
    private const string NeedsServer = "ERR pub/sub needs a client connection to a Reborn server; it is not available in process";

    private static readonly IReadOnlyDictionary<string, CommandSpec> PubSubSubcommands = Subcommands.Of(
        new("PUBSUB|CHANNELS", -2, CommandFlags.PubSub | CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "@pubsub @slow", Channels),
        new("PUBSUB|NUMSUB", -2, CommandFlags.PubSub | CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "@pubsub @slow", NumSub),
        new("PUBSUB|NUMPAT", 2, CommandFlags.PubSub | CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "@pubsub @slow", NumPat),
        new("PUBSUB|SHARDCHANNELS", -2, CommandFlags.PubSub | CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "@pubsub @slow", ShardChannels),
        new("PUBSUB|SHARDNUMSUB", -2, CommandFlags.PubSub | CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "@pubsub @slow", ShardNumSub),
        new("PUBSUB|HELP", 2, CommandFlags.Loading | CommandFlags.Stale, 0, 0, 0, "@slow", Help));

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("SUBSCRIBE", -2, Sub, 0, 0, 0, "@pubsub @slow", Subscribe),
        new("UNSUBSCRIBE", -1, Sub, 0, 0, 0, "@pubsub @slow", Unsubscribe),
        new("PSUBSCRIBE", -2, Sub, 0, 0, 0, "@pubsub @slow", PSubscribe),
        new("PUNSUBSCRIBE", -1, Sub, 0, 0, 0, "@pubsub @slow", PUnsubscribe),
        new("PUBLISH", 3, CommandFlags.PubSub | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast | CommandFlags.MayReplicate, 0, 0, 0, "@pubsub @fast", Publish),
        new("PUBSUB", -2, CommandFlags.None, 0, 0, 0, "@slow", c => Subcommands.Run(c, "PUBSUB", PubSubSubcommands)) { Subcommands = PubSubSubcommands },
    ];

    private static (RespServer Server, ClientConnection Connection) Require(CommandContext c)
    {
        if (c.Server is not { } server || server.FindConnection(c.Session.Id) is not { } connection) throw new RebornException(NeedsServer);
        return (server, connection);
    }

    private static ValueTask Subscribe(CommandContext c)
    {
        var (server, connection) = Require(c);
        Join(c, c.Session.Channels, "subscribe"u8, name => server.PubSub.Subscribe(connection, name));
        return default;
    }

    private static ValueTask PSubscribe(CommandContext c)
    {
        var (server, connection) = Require(c);
        Join(c, c.Session.Patterns, "psubscribe"u8, name => server.PubSub.PSubscribe(connection, name));
        return default;
    }

    /// <summary>(P)SUBSCRIBE name ...: each name joins once and is confirmed with the running subscription count.</summary>
    private static void Join(CommandContext c, HashSet<string> subscribed, ReadOnlySpan<byte> kind, Func<string, bool> subscribe)
    {
        for (int i = 1; i < c.ArgCount; i++)
        {
            string name = PubSubBroker.Name(c.Arg(i));
            if (subscribed.Add(name)) subscribe(name);
            Confirm(c, kind, c.Arg(i), c.Session.SubscriptionCount);
        }
    }

    /// <summary>UNSUBSCRIBE [channel ...]: none named means every channel; with none subscribed, one reply with a null name.</summary>
    private static ValueTask Unsubscribe(CommandContext c)
    {
        var (server, connection) = Require(c);
        Leave(c, c.Session.Channels, "unsubscribe"u8, name => server.PubSub.Unsubscribe(connection, name));
        return default;
    }

    private static ValueTask PUnsubscribe(CommandContext c)
    {
        var (server, connection) = Require(c);
        Leave(c, c.Session.Patterns, "punsubscribe"u8, name => server.PubSub.PUnsubscribe(connection, name));
        return default;
    }

    private static void Leave(CommandContext c, HashSet<string> subscribed, ReadOnlySpan<byte> kind, Func<string, bool> unsubscribe)
    {
        var session = c.Session;
        if (c.ArgCount > 1)
        {
            for (int i = 1; i < c.ArgCount; i++)
            {
                string name = PubSubBroker.Name(c.Arg(i));
                if (subscribed.Remove(name)) unsubscribe(name);
                Confirm(c, kind, c.Arg(i), session.SubscriptionCount);
            }
            return;
        }
        if (subscribed.Count == 0)
        {
            ConfirmName(c, kind, null, session.SubscriptionCount);
            return;
        }
        foreach (var name in subscribed.ToArray())
        {
            subscribed.Remove(name);
            unsubscribe(name);
            ConfirmName(c, kind, PubSubBroker.Bytes(name), session.SubscriptionCount);
        }
    }

    /// <summary>[kind, name (null: none), subscriptions left]: an array in RESP2, a push in RESP3.</summary>
    private static void Confirm(CommandContext c, ReadOnlySpan<byte> kind, ReadOnlySpan<byte> name, int count) => ConfirmName(c, kind, name.ToArray(), count);

    private static void ConfirmName(CommandContext c, ReadOnlySpan<byte> kind, byte[]? name, int count)
    {
        c.Writer.PushHeader(3);
        c.Writer.BulkString(kind);
        if (name is null) c.Writer.Null();
        else c.Writer.BulkString(name);
        c.Writer.Integer(count);
    }

    private static ValueTask Publish(CommandContext c)
    {
        var (server, connection) = Require(c);
        c.Writer.Integer(server.PubSub.Publish(PubSubBroker.Name(c.Arg(1)), c.Bytes(2), connection, c.Writer));
        return default;
    }

    /// <summary>PUBSUB CHANNELS [pattern]: active channels (with at least one subscriber), optionally matching.</summary>
    private static ValueTask Channels(CommandContext c)
    {
        if (c.ArgCount > 3) throw SubcommandSyntax(c);
        var (server, _) = Require(c);
        var channels = server.PubSub.Channels(c.ArgCount == 3 ? c.Arg(2) : default);
        c.Writer.ArrayHeader(channels.Count);
        foreach (var channel in channels) c.Writer.BulkString(PubSubBroker.Bytes(channel));
        return default;
    }

    /// <summary>PUBSUB NUMSUB [channel ...]: channel, subscriber count, ... (pattern subscribers not counted).</summary>
    private static ValueTask NumSub(CommandContext c)
    {
        var (server, _) = Require(c);
        c.Writer.ArrayHeader((c.ArgCount - 2) * 2);
        for (int i = 2; i < c.ArgCount; i++)
        {
            c.Writer.BulkString(c.Arg(i));
            c.Writer.Integer(server.PubSub.SubscriberCount(PubSubBroker.Name(c.Arg(i))));
        }
        return default;
    }

    /// <summary>PUBSUB NUMPAT: distinct patterns subscribed by any client.</summary>
    private static ValueTask NumPat(CommandContext c)
    {
        var (server, _) = Require(c);
        c.Writer.Integer(server.PubSub.PatternCount);
        return default;
    }

    private static ValueTask ShardChannels(CommandContext c)
    {
        if (c.ArgCount > 3) throw SubcommandSyntax(c);
        Require(c);
        c.Writer.ArrayHeader(0);
        return default;
    }

    private static ValueTask ShardNumSub(CommandContext c)
    {
        Require(c);
        c.Writer.ArrayHeader((c.ArgCount - 2) * 2);
        for (int i = 2; i < c.ArgCount; i++)
        {
            c.Writer.BulkString(c.Arg(i));
            c.Writer.Integer(0);
        }
        return default;
    }

    private static ValueTask Help(CommandContext c)
    {
        Subcommands.Help(c, "PUBSUB",
        [
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
        ]);
        return default;
    }

    /// <summary>Redis's addReplySubcommandSyntaxError, for a subcommand given more arguments than it takes.</summary>
    private static RebornException SubcommandSyntax(CommandContext c)
    {
        string name = c.Args.GetString(1);
        return new($"ERR unknown subcommand or wrong number of arguments for '{(name.Length > 128 ? name[..128] : name)}'. Try PUBSUB HELP.");
    }
}
