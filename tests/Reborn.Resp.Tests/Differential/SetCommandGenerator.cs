using System.Globalization;

namespace Reborn.Resp.Tests.Differential;

/// <summary>
/// Sets, mixed with key commands and strings on the same keys. Whole-set replies are compared
/// unordered. Random picks are compared by shape; a random SPOP leaves the two servers holding
/// different members, so the next command deletes that key on both sides to bring them back in step.
/// </summary>
public sealed class SetCommandGenerator : GeneratorBase
{
    private const string Family = "t";

    /// <summary>Far more than the member pool, so SPOP / SRANDMEMBER with it take the whole set deterministically.</summary>
    private const string All = "100";

    private static readonly string[] Patterns = ["*", "m*", "1?", "[0-9]*", "*o*", "h[a-e]llo*", "", "m[!0-4]", "\\*"];

    private string? _resync;

    public override GeneratedCommand Next(Random r)
    {
        if (_resync is { } key)
        {
            _resync = null;
            return C("DEL", key);
        }
        string k = SetKey(r);
        return r.Next(48) switch
        {
            >= 0 and <= 5 => C("SADD", [k, .. Members(r, r.Next(1, 5))]),
            6 => C("SADD", k),
            7 or 8 => C("SREM", [k, .. Members(r, r.Next(1, 4))]),
            9 => C("SCARD", k),
            10 or 11 => C("SISMEMBER", k, Member(r)),
            12 => C("SMISMEMBER", [k, .. Members(r, r.Next(1, 4))]),
            13 or 14 => C(CompareMode.Unordered, "SMEMBERS", k),
            15 => Unsettled(k, C(CompareMode.Shape, "SPOP", k)),
            16 => Unsettled(k, C(CompareMode.Shape, "SPOP", k, Pick(r, "1", "2", "3"))),
            17 => C(CompareMode.Unordered, "SPOP", k, All),
            18 => C("SPOP", k, Pick(r, "0", "-1", "x", "1.5", "-9223372036854775808")),
            19 => C("SPOP", k, "1", "2"),
            20 => C(CompareMode.Shape, "SRANDMEMBER", k),
            21 => C(CompareMode.Shape, "SRANDMEMBER", k, Int(r, 6)),
            22 => C(CompareMode.Unordered, "SRANDMEMBER", k, All),
            23 => C("SRANDMEMBER", k, Pick(r, "0", "x", "-9223372036854775808", "1.0")),
            24 => C("SRANDMEMBER", k, "1", "2"),
            25 or 26 => C("SMOVE", k, Pick(r, k, SetKey(r)), Member(r)),
            27 or 28 => C(CompareMode.Unordered, "SINTER", [k, .. SetKeys(r)]),
            29 => C(CompareMode.Unordered, "SUNION", [k, .. SetKeys(r)]),
            30 => C(CompareMode.Unordered, "SDIFF", [k, .. SetKeys(r)]),
            31 => SInterCard(r, k),
            32 => C("SINTERSTORE", [SetKey(r), k, .. SetKeys(r)]),
            33 => C("SUNIONSTORE", [SetKey(r), k, .. SetKeys(r)]),
            34 => C("SDIFFSTORE", [SetKey(r), k, .. SetKeys(r)]),
            35 => C(CompareMode.Unordered, "SSCAN", k, "0", "COUNT", "1000"),
            36 => C(CompareMode.Unordered, "SSCAN", k, "0", "MATCH", Pick(r, Patterns), "COUNT", "1000"),
            37 => r.Next(3) switch
            {
                0 => C("SSCAN", k, Pick(r, "x", "-", "1.5")),
                1 => C("SSCAN", k, "0", "COUNT", Pick(r, "0", "-1", "x")),
                _ => C("SSCAN", k, "0", Pick(r, "TYPE", "FOO"), "set"),
            },
            38 => C("SSCAN", k, "0", "COUNT"),
            39 => C("SET", SetKey(r), Value(r)),
            40 => C("SINTERSTORE", k, SetKey(r)),
            41 => C("SUNIONSTORE", k, Pick(r, "nosuchkey", k)),
            42 => C(CompareMode.Unordered, "SDIFF", k),
            _ => KeyCommand(r, Family),
        };
    }

    /// <summary>A command with a random outcome on <paramref name="key"/>: the next command deletes the key on both sides.</summary>
    private GeneratedCommand Unsettled(string key, GeneratedCommand command)
    {
        _resync = key;
        return command;
    }

    private static GeneratedCommand SInterCard(Random r, string k)
    {
        var keys = SetKeys(r);
        string n = (keys.Length + 1).ToString(CultureInfo.InvariantCulture);
        return r.Next(10) switch
        {
            0 or 1 => C("SINTERCARD", [n, k, .. keys]),
            2 or 3 => C("SINTERCARD", [n, k, .. keys, "LIMIT", Pick(r, "0", "1", "2", "5")]),
            4 => C("SINTERCARD", [Pick(r, "0", "-1", "x", "9223372036854775808"), k, .. keys]),
            5 => C("SINTERCARD", ["5", k, .. keys]),
            6 => C("SINTERCARD", [n, k, .. keys, "LIMIT", Pick(r, "-1", "x", "1.5")]),
            7 => C("SINTERCARD", [n, k, .. keys, Pick(r, "LIMIT", "FOO")]),
            8 => C("SINTERCARD", ["1", k, "LIMIT", "1", "extra"]),
            _ => C("SINTERCARD", ["1", k, Pick(r, "limit", "LIMIT"), "2", "LIMIT", "0"]),
        };
    }

    private static GeneratedCommand C(CompareMode mode, string name, string[] args) => C(mode, [name, .. args]);
    private static GeneratedCommand C(string name, string[] args) => C([name, .. args]);

    private static string SetKey(Random r) => Key(r, Family, keys: 6);

    private static string[] SetKeys(Random r)
    {
        var keys = new string[r.Next(0, 3)];
        for (int i = 0; i < keys.Length; i++) keys[i] = SetKey(r);
        return keys;
    }

    /// <summary>About 30 distinct members: names, integers (Redis's intset encoding), the empty string, a long one.</summary>
    private static string Member(Random r) => r.Next(10) switch
    {
        0 or 1 or 2 or 3 => "m" + r.Next(10),
        4 or 5 or 6 => r.Next(-2, 12).ToString(CultureInfo.InvariantCulture),
        7 => Pick(r, "", "hello", "hallo world"),
        8 => new string('x', 70),
        _ => Pick(r, "9223372036854775807", "-0", "1.5", "*"),
    };

    private static string[] Members(Random r, int count)
    {
        var members = new string[count];
        for (int i = 0; i < count; i++) members[i] = Member(r);
        return members;
    }
}
