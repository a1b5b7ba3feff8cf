namespace Reborn.Resp.Tests.Differential;

/// <summary>
/// The hash replies whose shape differs between RESP2 and RESP3 (HGETALL is a map, HRANDFIELD
/// WITHVALUES a list of pairs, nulls are "_"), compared byte for byte with a redis-server after
/// HELLO 3. One-field hashes keep every reply deterministic.
/// </summary>
[NonParallelizable]
public sealed class HashResp3Tests
{
    private static readonly string[] Commands =
    [
        "HSET h a 1",
        "HGETALL h", "HGETALL nx",
        "HRANDFIELD nx", "HRANDFIELD h", "HRANDFIELD nx 2", "HRANDFIELD nx 2 WITHVALUES", "HRANDFIELD h 0 WITHVALUES",
        "HRANDFIELD h 1 WITHVALUES", "HRANDFIELD h 5 WITHVALUES", "HRANDFIELD h -3 WITHVALUES", "HRANDFIELD h -2",
        "HGET h zz", "HMGET h a zz", "HMGET nx a", "HKEYS nx", "HVALS h",
        "HINCRBYFLOAT h f 1.5", "HINCRBY h i 2", "HSTRLEN h f", "HEXISTS h f",
        "HSCAN h 0", "HSCAN nx 0", "HSCAN h 0 MATCH b*",
        "HDEL h a f i", "HGETALL h",
    ];

    [TestCase(2)]
    [TestCase(3)]
    public Task RepliesMatchRedis(int protocol) => ScriptComparison.AssertSameRepliesAsync(Commands, protocol);
}
