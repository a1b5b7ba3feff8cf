using System.Globalization;

namespace Reborn.Resp.Tests.Differential;

/// <summary>
/// Sorted sets, mixed with key commands, sets (inputs of the algebra, which count as score 1) and
/// strings and lists on the same keys (WRONGTYPE). Members come from a small pool so sets stay
/// below Redis's listpack limit (128): ZSCAN then returns whole sets with cursor 0, and lex ranges
/// over mixed scores follow the listpack's linear walk on both sides. Random picks are compared by
/// shape, or unordered when the count takes the whole set.
/// </summary>
public sealed class SortedSetCommandGenerator : GeneratorBase
{
    private const string Family = "z";

    private static readonly string[] MemberPool = ["a", "b", "c", "d", "e", "f", "m1", "m2", "m10", "hello", "", "zz", "A", "ab", "abc", "x y"];

    private static readonly string[] Scores =
        ["0", "1", "2", "3", "-1", "-2", "5", "10", "1.5", "-2.25", "0.1", "0.2", "1e3", "3e-2", "inf", "-inf", "+inf", "-0", "+4", ".5", "7.", "1E2", "Infinity"];

    private static readonly string[] BadScores = ["abc", "nan", "", " 1", "1 ", "1e400", "-1e400", "1e-400", "1e", "--1", "1,5", "NaN", "inf1"];

    private static readonly string[] Patterns = ["*", "m*", "a?", "[a-c]*", "*l*", "", "\\*", "m1*"];

    public override GeneratedCommand Next(Random r)
    {
        string k = ZKey(r);
        return r.Next(64) switch
        {
            >= 0 and <= 7 => ZAdd(r, k),
            8 => C(["ZADD", k, "INCR", .. Flags(r), Score(r), Member(r)]),
            9 => ZAddInvalid(r, k),
            10 or 11 => C("ZINCRBY", k, Pick(r, Score(r), Score(r), BadScore(r)), Member(r)),
            12 or 13 => C(["ZREM", k, .. Members(r, r.Next(1, 4))]),
            14 => C("ZCARD", k),
            15 => C("ZSCORE", k, Member(r)),
            16 => C(["ZMSCORE", k, .. Members(r, r.Next(1, 4))]),
            17 => C(Pick(r, "ZRANK", "ZREVRANK"), k, Member(r)),
            18 => C(["ZCOUNT", k, .. ScoreRange(r, reverse: false)]),
            19 => C(["ZLEXCOUNT", k, .. LexRange(r, reverse: false)]),
            20 or 21 => C(["ZRANGE", k, Index(r), Index(r), .. Some(r, "WITHSCORES", "REV")]),
            22 => r.Next(2) == 0
                ? C(["ZRANGE", k, .. ScoreRange(r, reverse: false), "BYSCORE", .. Some(r, "WITHSCORES"), .. Limit(r)])
                : C(["ZRANGE", k, .. ScoreRange(r, reverse: true), "BYSCORE", "REV", .. Some(r, "WITHSCORES"), .. Limit(r)]),
            23 => r.Next(2) == 0
                ? C(["ZRANGE", k, .. LexRange(r, reverse: false), "BYLEX", .. Limit(r)])
                : C(["ZRANGE", k, .. LexRange(r, reverse: true), "REV", "BYLEX", .. Limit(r)]),
            24 => C(["ZRANGE", k, Pick(r, Index(r), Bound(r), LexBound(r)), Pick(r, Index(r), Bound(r), LexBound(r)), .. Soup(r)]),
            25 => C(["ZRANGEBYSCORE", k, .. ScoreRange(r, reverse: false), .. Some(r, "WITHSCORES"), .. Limit(r)]),
            26 => C(["ZREVRANGEBYSCORE", k, .. ScoreRange(r, reverse: true), .. Some(r, "WITHSCORES"), .. Limit(r)]),
            27 => C(["ZRANGEBYLEX", k, .. LexRange(r, reverse: false), .. Limit(r)]),
            28 => C(["ZREVRANGEBYLEX", k, .. LexRange(r, reverse: true), .. Limit(r)]),
            29 => C(["ZREVRANGE", k, Index(r), Index(r), .. Some(r, "WITHSCORES")]),
            30 => C(["ZRANGESTORE", ZKey(r), k, .. RangeArguments(r)]),
            31 => C("ZREMRANGEBYRANK", k, Index(r), Index(r)),
            32 => C(["ZREMRANGEBYSCORE", k, .. ScoreRange(r, reverse: false)]),
            33 => C(["ZREMRANGEBYLEX", k, .. LexRange(r, reverse: false)]),
            34 => C(Pick(r, "ZPOPMIN", "ZPOPMAX"), k),
            35 => C(Pick(r, "ZPOPMIN", "ZPOPMAX"), k, Pick(r, "0", "1", "2", "5", "100", "-1", "x", "1", "2")),
            36 => r.Next(4) == 0 ? C("ZPOPMIN", k, "1", "2") : C(Pick(r, "ZPOPMIN", "ZPOPMAX"), k, Pick(r, "2", "3")),
            37 or 38 => ZMPop(r),
            39 => C(CompareMode.Shape, "ZRANDMEMBER", k),
            40 => C(CompareMode.Shape, ["ZRANDMEMBER", k, Int(r, 6), .. Some(r, "WITHSCORES")]),
            41 => C(CompareMode.Unordered, ["ZRANDMEMBER", k, "100", .. Some(r, "WITHSCORES")]),
            42 => C("ZRANDMEMBER", k, Pick(r, "x", "-9223372036854775808", "1.5", "0", "5000000000000000000", "-5000000000000000000"), Pick(r, "WITHSCORES", "WITHSCORES", "foo")),
            43 => C("ZRANDMEMBER", k, "1", "WITHSCORES", "x"),
            44 or 45 => Algebra(r, Pick(r, "ZUNION", "ZINTER", "ZDIFF"), store: false),
            46 or 47 => Algebra(r, Pick(r, "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"), store: true),
            48 => ZInterCard(r),
            49 => C(Pick(r, "ZUNION", "ZINTERSTORE", "ZDIFF", "ZINTERCARD"), Pick(r, "0", "-1", "x", "5"), ZKey(r)),
            50 => C(CompareMode.Unordered, "ZSCAN", k, Pick(r, "0", "0", "7"), "COUNT", "1000"),
            51 => C(CompareMode.Unordered, "ZSCAN", k, "0", "MATCH", Pick(r, Patterns)),
            52 => C("ZSCAN", k, Pick(r, "x", "0", "-1"), Pick(r, "COUNT", "MATCH", "TYPE", "NOVALUES"), Pick(r, "0", "-1", "zset", "*")),
            53 => C(["SADD", SetKey(r), .. Members(r, r.Next(1, 5))]),
            54 => C("SET", r.Next(4) == 0 ? ZKey(r) : Pick(r, "s:0", "s:1"), Value(r)),
            55 => C("RPUSH", r.Next(4) == 0 ? ZKey(r) : "l:0", Value(r)),
            56 => C(["ZADD", k, .. Enumerable.Range(0, 6).SelectMany(_ => new[] { "0", Member(r) })]), // equal scores: the lex commands' home ground
            _ => KeyCommand(r, Family),
        };
    }

    private static string ZKey(Random r) => Key(r, Family, 6);

    private static string SetKey(Random r) => "t:" + r.Next(3).ToString(CultureInfo.InvariantCulture);

    /// <summary>An input of the algebra: mostly sorted sets, sometimes a set, a string or a missing key.</summary>
    private static string InputKey(Random r) => r.Next(8) switch
    {
        0 => SetKey(r),
        1 => "s:" + r.Next(2).ToString(CultureInfo.InvariantCulture),
        2 => "nosuchkey",
        _ => "z:" + r.Next(6).ToString(CultureInfo.InvariantCulture),
    };

    private static string Member(Random r) => MemberPool[r.Next(MemberPool.Length)];

    private static string[] Members(Random r, int count) => Enumerable.Range(0, count).Select(_ => Member(r)).ToArray();

    private static string Score(Random r) => r.Next(3) == 0 ? Int(r, 10) : Pick(r, Scores);

    private static string BadScore(Random r) => Pick(r, BadScores);

    private static string Bound(Random r) => r.Next(12) switch
    {
        0 => Pick(r, "abc", "((1", "nan", "(nan", "1x", "  "),
        1 => Pick(r, "", "(", " 2", "(-inf", "(+inf", "1e400"),
        2 or 3 or 4 => "(" + Score(r),
        _ => Score(r),
    };

    /// <summary>Mostly an ordered interval (max first when <paramref name="reverse"/>), sometimes any two bounds.</summary>
    private static string[] ScoreRange(Random r, bool reverse)
    {
        if (r.Next(4) == 0) return [Bound(r), Bound(r)];
        int a = r.Next(-10, 11), b = r.Next(-10, 11);
        if (a > b) (a, b) = (b, a);
        string min = r.Next(8) == 0 ? Pick(r, "-inf", "(-inf") : (r.Next(3) == 0 ? "(" : "") + a.ToString(CultureInfo.InvariantCulture);
        string max = r.Next(8) == 0 ? Pick(r, "+inf", "inf", "(inf") : (r.Next(3) == 0 ? "(" : "") + b.ToString(CultureInfo.InvariantCulture);
        return reverse ? [max, min] : [min, max];
    }

    /// <summary>Mostly an ordered lex interval (max first when <paramref name="reverse"/>), sometimes any two bounds.</summary>
    private static string[] LexRange(Random r, bool reverse)
    {
        if (r.Next(4) == 0) return [LexBound(r), LexBound(r)];
        string a = Member(r), b = Member(r);
        if (string.CompareOrdinal(a, b) > 0) (a, b) = (b, a);
        string min = r.Next(6) == 0 ? "-" : Pick(r, "[", "(") + a;
        string max = r.Next(6) == 0 ? "+" : Pick(r, "[", "(") + b;
        return reverse ? [max, min] : [min, max];
    }

    private static string LexBound(Random r) => r.Next(10) switch
    {
        0 => Pick(r, "a", "", "--", "++", "+a"),
        1 or 2 => Pick(r, "-", "+"),
        3 => Pick(r, "[", "("),
        4 or 5 or 6 => "(" + Member(r),
        _ => "[" + Member(r),
    };

    private static string Index(Random r) => r.Next(10) switch
    {
        0 => Pick(r, "x", "1.5", "9223372036854775807", "-9223372036854775808"),
        _ => Int(r, 8),
    };

    /// <summary>Each of the options, independently, with probability one half.</summary>
    private static string[] Some(Random r, params string[] options) => options.Where(_ => r.Next(2) == 0).ToArray();

    private static string[] Limit(Random r) => r.Next(3) switch
    {
        0 => [],
        1 => ["LIMIT", Int(r, 4), Int(r, 5)],
        _ => ["LIMIT", Pick(r, "0", "1", "2", "-1", "x"), Pick(r, "1", "2", "-1", "0", "y")],
    };

    /// <summary>ZRANGE options in any order and number, repeats and conflicts included.</summary>
    private static string[] Soup(Random r)
    {
        var options = new List<string>();
        int n = r.Next(0, 5);
        for (int i = 0; i < n; i++)
        {
            switch (r.Next(6))
            {
                case 0: options.Add("BYSCORE"); break;
                case 1: options.Add("BYLEX"); break;
                case 2: options.Add("REV"); break;
                case 3: options.Add("WITHSCORES"); break;
                case 4: options.AddRange(Limit(r)); break;
                default: options.Add(Pick(r, "LIMIT", "XX", "rev", "withscores")); break;
            }
        }
        return [.. options];
    }

    /// <summary>The range part of ZRANGESTORE: by rank, score or lex, sometimes with options it refuses.</summary>
    private static string[] RangeArguments(Random r) => r.Next(5) switch
    {
        0 => [Index(r), Index(r), .. Some(r, "REV")],
        1 => r.Next(2) == 0 ? [.. ScoreRange(r, reverse: false), "BYSCORE", .. Limit(r)] : [.. ScoreRange(r, reverse: true), "BYSCORE", "REV", .. Limit(r)],
        2 => r.Next(2) == 0 ? [.. LexRange(r, reverse: false), "BYLEX", .. Limit(r)] : [.. LexRange(r, reverse: true), "BYLEX", "REV", .. Limit(r)],
        3 => [Index(r), Index(r), "WITHSCORES"],
        _ => [Pick(r, Index(r), Bound(r)), Pick(r, Index(r), Bound(r)), .. Soup(r)],
    };

    private static string[] Flags(Random r)
    {
        var flags = new List<string>();
        int n = r.Next(0, 3);
        for (int i = 0; i < n; i++) flags.Add(Pick(r, "NX", "XX", "GT", "LT", "CH", "INCR", "ch", "gt", "XX"));
        return [.. flags];
    }

    private static GeneratedCommand ZAdd(Random r, string k)
    {
        var args = new List<string> { "ZADD", k };
        args.AddRange(Flags(r));
        int pairs = r.Next(4) == 0 ? 1 : r.Next(1, 5);
        for (int i = 0; i < pairs; i++)
        {
            args.Add(Score(r));
            args.Add(Member(r));
        }
        return C([.. args]);
    }

    private static GeneratedCommand ZAddInvalid(Random r, string k) => r.Next(6) switch
    {
        0 => C("ZADD", k, Score(r), Member(r), Score(r)),
        1 => C("ZADD", k, BadScore(r), Member(r)),
        2 => C("ZADD", k, Score(r), Member(r), BadScore(r), Member(r)),
        3 => C("ZADD", k, "NX", "XX", Score(r), Member(r)),
        4 => C("ZADD", k, Pick(r, "GT", "LT"), Pick(r, "NX", "LT", "GT"), Score(r), Member(r)),
        _ => C("ZADD", k, "INCR", Score(r), Member(r), Score(r), Member(r)),
    };

    private static GeneratedCommand ZMPop(Random r)
    {
        int n = r.Next(1, 4);
        var keys = Enumerable.Range(0, n).Select(_ => r.Next(4) == 0 ? "nosuchkey" : ZKey(r)).ToArray();
        string numKeys = r.Next(12) == 0 ? Pick(r, "0", "-1", "x", "9") : n.ToString(CultureInfo.InvariantCulture);
        string[] tail = r.Next(8) switch
        {
            0 => ["MIN", "COUNT", Pick(r, "0", "-1", "x")],
            1 => [Pick(r, "LEFT", "min", "max"), "COUNT"],
            2 => ["MAX", "COUNT", "1", "COUNT", "2"],
            3 or 4 => [Pick(r, "MIN", "MAX"), "COUNT", Pick(r, "1", "2", "3", "10")],
            _ => [Pick(r, "MIN", "MAX")],
        };
        return C(["ZMPOP", numKeys, .. keys, .. tail]);
    }

    private static GeneratedCommand Algebra(Random r, string command, bool store)
    {
        int n = r.Next(1, 4);
        var keys = Enumerable.Range(0, n).Select(_ => InputKey(r)).ToArray();
        var args = new List<string> { command };
        if (store) args.Add(Pick(r, ZKey(r), ZKey(r), SetKey(r), "s:0"));
        args.Add(r.Next(15) == 0 ? (n + 1).ToString(CultureInfo.InvariantCulture) : n.ToString(CultureInfo.InvariantCulture));
        args.AddRange(keys);
        bool diff = command.StartsWith("ZDIFF", StringComparison.Ordinal);
        if (r.Next(diff ? 12 : 3) == 0)
        {
            args.Add("WEIGHTS");
            for (int i = 0; i < n; i++) args.Add(r.Next(10) == 0 ? BadScore(r) : Pick(r, "1", "2", "0", "-1", "0.5", "inf", "3"));
        }
        if (r.Next(diff ? 12 : 3) == 0) args.AddRange(["AGGREGATE", Pick(r, "SUM", "MIN", "MAX", "max", "AVG")]);
        if (!store && r.Next(2) == 0) args.Add("WITHSCORES");
        if (r.Next(12) == 0) args.Add(Pick(r, "WITHSCORES", "LIMIT", "WEIGHTS"));
        return C([.. args]);
    }

    private static GeneratedCommand ZInterCard(Random r)
    {
        int n = r.Next(1, 4);
        var keys = Enumerable.Range(0, n).Select(_ => InputKey(r)).ToArray();
        string[] tail = r.Next(4) switch
        {
            0 => ["LIMIT", Pick(r, "0", "1", "2", "-1", "x")],
            1 => [Pick(r, "LIMIT", "WITHSCORES", "AGGREGATE")],
            _ => [],
        };
        return C(["ZINTERCARD", n.ToString(CultureInfo.InvariantCulture), .. keys, .. tail]);
    }
}
