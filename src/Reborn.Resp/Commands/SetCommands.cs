using Reborn.Core;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>
/// The set family: parsing and replies. Storage lives in Keyspace.Sets.cs. Whole-set replies
/// (SMEMBERS, SINTER, SUNION, SDIFF, SPOP with a count) are RESP3 sets; SRANDMEMBER with a count
/// is an array, since it may repeat members.
/// </summary>
internal static class SetCommands
{
    private const CommandFlags W = CommandFlags.Write;
    private const CommandFlags WD = W | CommandFlags.DenyOom;
    private const CommandFlags R = CommandFlags.ReadOnly;
    private const CommandFlags RF = R | CommandFlags.Fast;

    public static IEnumerable<CommandSpec> Specs =>
    [
        new("SADD", -3, WD | CommandFlags.Fast, 1, 1, 1, "@write @set @fast", SAdd),
        new("SREM", -3, W | CommandFlags.Fast, 1, 1, 1, "@write @set @fast", SRem),
        new("SCARD", 2, RF, 1, 1, 1, "@read @set @fast", SCard),
        new("SISMEMBER", 3, RF, 1, 1, 1, "@read @set @fast", SIsMember),
        new("SMISMEMBER", -3, RF, 1, 1, 1, "@read @set @fast", SMIsMember),
        new("SMEMBERS", 2, R, 1, 1, 1, "@read @set @slow", SMembers),
        new("SPOP", -2, W | CommandFlags.Fast, 1, 1, 1, "@write @set @fast", SPop),
        new("SRANDMEMBER", -2, R, 1, 1, 1, "@read @set @slow", SRandMember),
        new("SMOVE", 4, W | CommandFlags.Fast, 1, 2, 1, "@write @set @fast", SMove),
        new("SINTER", -2, R, 1, -1, 1, "@read @set @slow", c => Combine(c, SetOperation.Intersect)),
        // Movable keys (numkeys): Redis declares no fixed key range, and neither do we.
        new("SINTERCARD", -3, R, 0, 0, 0, "@read @set @slow", SInterCard),
        new("SINTERSTORE", -3, WD, 1, -1, 1, "@write @set @slow", c => CombineAndStore(c, SetOperation.Intersect)),
        new("SUNION", -2, R, 1, -1, 1, "@read @set @slow", c => Combine(c, SetOperation.Union)),
        new("SUNIONSTORE", -3, WD, 1, -1, 1, "@write @set @slow", c => CombineAndStore(c, SetOperation.Union)),
        new("SDIFF", -2, R, 1, -1, 1, "@read @set @slow", c => Combine(c, SetOperation.Difference)),
        new("SDIFFSTORE", -3, WD, 1, -1, 1, "@write @set @slow", c => CombineAndStore(c, SetOperation.Difference)),
        new("SSCAN", -3, R, 1, 1, 1, "@read @set @slow", SScan),
    ];

    private static RebornValue[] Members(CommandContext c, int first)
    {
        var members = new RebornValue[c.ArgCount - first];
        for (int i = 0; i < members.Length; i++) members[i] = c.Value(first + i);
        return members;
    }

    private static void SetReply(CommandContext c, RebornValue[] members)
    {
        c.Writer.SetHeader(members.Length);
        foreach (var member in members) c.Writer.BulkString(member.Span);
    }

    private static async ValueTask SAdd(CommandContext c) => c.Writer.Integer(await c.Db.SetAddAsync(c.Key(1), Members(c, 2)));

    private static async ValueTask SRem(CommandContext c) => c.Writer.Integer(await c.Db.SetRemoveAsync(c.Key(1), Members(c, 2)));

    private static async ValueTask SCard(CommandContext c) => c.Writer.Integer(await c.Db.SetLengthAsync(c.Key(1)));

    private static async ValueTask SIsMember(CommandContext c) => c.Writer.Integer(await c.Db.SetContainsAsync(c.Key(1), c.Value(2)) ? 1 : 0);

    private static async ValueTask SMIsMember(CommandContext c)
    {
        var found = await c.Db.SetContainsAsync(c.Key(1), Members(c, 2));
        c.Writer.ArrayHeader(found.Length);
        foreach (bool f in found) c.Writer.Integer(f ? 1 : 0);
    }

    private static ValueTask SMembers(CommandContext c) => c.Db.SetMembersAsync(c.Key(1), c.Aggregate(AggregateKind.Set));

    private static async ValueTask SPop(CommandContext c)
    {
        if (c.ArgCount == 2)
        {
            c.Bulk(await c.Db.SetPopAsync(c.Key(1)));
            return;
        }
        if (c.ArgCount > 3) throw CommandContext.Syntax();
        // Any non-integer is reported as out of range, as Redis's getPositiveLongFromObjectOrReply does.
        if (!Numbers.TryParseInt64(c.Arg(2), out long count) || count < 0) throw new RebornException(Errors.PositiveCount);
        SetReply(c, await c.Db.SetPopAsync(c.Key(1), count));
    }

    private static async ValueTask SRandMember(CommandContext c)
    {
        if (c.ArgCount == 2)
        {
            c.Bulk(await c.Db.SetRandomMemberAsync(c.Key(1)));
            return;
        }
        if (c.ArgCount > 3) throw CommandContext.Syntax();
        long count = c.Long(2);
        if (count == long.MinValue) throw new RebornException(Errors.RandomCountRange);
        c.BulkArray(await c.Db.SetRandomMembersAsync(c.Key(1), count));
    }

    private static async ValueTask SMove(CommandContext c)
        => c.Writer.Integer(await c.Db.SetMoveAsync(c.Key(1), c.Key(2), c.Value(3)) ? 1 : 0);

    private static async ValueTask Combine(CommandContext c, SetOperation operation)
        => SetReply(c, await c.Db.SetCombineAsync(operation, c.Keys(1, c.ArgCount - 1)));

    private static async ValueTask CombineAndStore(CommandContext c, SetOperation operation)
        => c.Writer.Integer(await c.Db.SetCombineAndStoreAsync(operation, c.Key(1), c.Keys(2, c.ArgCount - 1)));

    /// <summary>SINTERCARD numkeys key [key ...] [LIMIT limit].</summary>
    private static async ValueTask SInterCard(CommandContext c)
    {
        if (!Numbers.TryParseInt64(c.Arg(1), out long numKeys) || numKeys < 1) throw new RebornException(Errors.NumKeysNotPositive);
        if (numKeys > c.ArgCount - 2) throw new RebornException(Errors.NumKeysExceedArgs);
        long limit = 0;
        for (int i = 2 + (int)numKeys; i < c.ArgCount; i++)
        {
            if (c.Is(i, "LIMIT"u8) && i + 1 < c.ArgCount)
            {
                i++;
                if (!Numbers.TryParseInt64(c.Arg(i), out limit) || limit < 0) throw new RebornException(Errors.LimitNegative);
            }
            else throw CommandContext.Syntax();
        }
        c.Writer.Integer(await c.Db.SetIntersectionLengthAsync(c.Keys(2, 1 + (int)numKeys), limit));
    }

    /// <summary>SSCAN key cursor [MATCH pattern] [COUNT count]: the key is looked up before the options are parsed, as in Redis.</summary>
    private static async ValueTask SScan(CommandContext c)
    {
        long cursor = ScanArguments.Cursor(c, 2);
        if (await c.Db.SetLengthAsync(c.Key(1)) == 0)
        {
            ScanArguments.WritePage(c, 0, []);
            return;
        }
        var (pattern, count, _) = ScanArguments.Options(c, 3, allowType: false);
        var page = await c.Db.SetScanAsync(c.Key(1), cursor, pattern, count);
        ScanArguments.WritePage(c, page.Cursor, page.Items);
    }
}
