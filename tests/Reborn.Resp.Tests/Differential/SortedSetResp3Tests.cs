namespace Reborn.Resp.Tests.Differential;

/// <summary>
/// ZRANGE's reply shapes in RESP2 and RESP3 (WITHSCORES is a list of [member, score] pairs with
/// double scores in RESP3), compared byte for byte with a redis-server. The rank forms stream from
/// the engine; the score and lex forms go through the array path; both must read the same.
/// </summary>
[NonParallelizable]
public sealed class SortedSetResp3Tests
{
    private static readonly string[] Commands =
    [
        "ZADD z 1 a 2.5 b -3 c 1e300 d 0 e",
        "ZRANGE z 0 -1", "ZRANGE z 0 -1 WITHSCORES", "ZRANGE z 1 2 REV WITHSCORES", "ZRANGE z -2 -1 WITHSCORES",
        "ZRANGE z 3 1", "ZRANGE z 10 20 WITHSCORES", "ZRANGE z -100 100", "ZRANGE nx 0 -1 WITHSCORES", "ZRANGE nx 0 -1",
        "ZREVRANGE z 0 1 WITHSCORES", "ZREVRANGE z 0 -1",
        "ZRANGE z 0 10 BYSCORE WITHSCORES", "ZRANGE z (1 +inf BYSCORE LIMIT 1 2 WITHSCORES", "ZRANGEBYSCORE z -inf +inf WITHSCORES",
        "ZRANGE z - + BYLEX", "ZRANGE z 0 -1 WITHSCORES LIMIT 0 1",
        "SET s x", "ZRANGE s 0 -1", "ZRANGE s 0 -1 WITHSCORES",
    ];

    [TestCase(2)]
    [TestCase(3)]
    public Task RepliesMatchRedis(int protocol) => ScriptComparison.AssertSameRepliesAsync(Commands, protocol);
}
