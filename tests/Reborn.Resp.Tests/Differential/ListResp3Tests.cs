namespace Reborn.Resp.Tests.Differential;

/// <summary>
/// The list replies whose encoding differs between RESP2 and RESP3 (null bulk versus null array,
/// both "_" in RESP3), compared byte for byte with a redis-server after HELLO 3.
/// </summary>
[NonParallelizable]
public sealed class ListResp3Tests
{
    private static readonly string[] Commands =
    [
        "RPUSH l a b c a",
        "LPOP nx", "LPOP nx 2", "RPOP nx 0", "LPOP l 0", "RPOP l 1",
        "LPOS nx a", "LPOS nx a COUNT 1", "LPOS l zz", "LPOS l zz COUNT 0", "LPOS l a COUNT 0", "LPOS l a RANK -1",
        "LMPOP 1 nx LEFT", "LMPOP 2 nx l RIGHT COUNT 2",
        "LMOVE nx l LEFT LEFT", "RPOPLPUSH nx l", "LMOVE l l RIGHT LEFT",
        "LINDEX nx 0", "LINDEX l 9", "LINDEX l 0", "LRANGE nx 0 -1", "LRANGE l 0 -1",
    ];

    [TestCase(2)]
    [TestCase(3)]
    public Task NullRepliesMatchRedis(int protocol) => ScriptComparison.AssertSameRepliesAsync(Commands, protocol);
}
