using System.Globalization;

namespace Reborn.Resp.Tests.Differential;

/// <summary>
/// Hashes: every hash command with valid and invalid arguments, mixed with key commands, expiry and
/// strings on the same keys (WRONGTYPE). Field order differs from Redis's (byte order here,
/// insertion or hash order there), so whole-hash replies compare unordered; random picks compare by shape.
/// </summary>
public sealed class HashCommandGenerator : GeneratorBase
{
    /// <summary>Mostly "f" fields with any value; "n" fields hold numbers (or text) so HINCRBYFLOAT often succeeds on them.</summary>
    private static string Field(Random r) => r.Next(12) switch
    {
        0 => Pick(r, "", "long-field-name-" + new string('f', 70), "F1"),
        1 or 2 => "n" + r.Next(3),
        _ => "f" + r.Next(10),
    };

    private static string ValueFor(Random r, string field) =>
        field.StartsWith('n') ? Pick(r, "1.5", "-3", "0.25", "7", "hello", "", "-0.5", "-7.82", "500", "3.710000000000001")
        : r.Next(4) == 0 ? Int(r, 50) : Value(r);

    /// <summary>Valid increments (Redis adds in C's long double: 500 + 0.1 prints 500.10000000000000001) and invalid ones.</summary>
    private static string FloatIncrement(Random r, string field) => r.Next(4) != 0
        ? Pick(r, "1.5", "-3.25", "5.0e-1", "0.25", "7", "-2", "1e1", "0.1", "1e3", "-0.3", "10", "1.7976931348623157e308")
        : Pick(r, "abc", "inf", "-inf", "+inf", "nan", "", " 1", "1 ");

    private static string IntIncrement(Random r, string field) =>
        field.StartsWith('n') ? Int(r, 20) : Pick(r, Int(r, 20), Int(r, 20), "9223372036854775807", "-9223372036854775808", "1.5", "x", "");

    private static string[] Pairs(Random r, int count)
    {
        var args = new string[count * 2];
        for (int i = 0; i < count; i++)
        {
            string field = Field(r);
            (args[2 * i], args[2 * i + 1]) = (field, ValueFor(r, field));
        }
        return args;
    }

    private static string[] Fields(Random r, int count) => Enumerable.Range(0, count).Select(_ => Field(r)).ToArray();

    private static GeneratedCommand C(CompareMode mode, string name, string key, params string[] rest) => C(mode, [name, key, .. rest]);

    private static GeneratedCommand C(string name, string key, params string[] rest) => C(CompareMode.Exact, [name, key, .. rest]);

    public override GeneratedCommand Next(Random r)
    {
        string k = Key(r, "h");
        return r.Next(56) switch
        {
            0 or 1 or 2 => C("HSET", k, Pairs(r, r.Next(1, 4))),
            3 => C("HSET", k, [.. Pairs(r, 2), Field(r)]), // odd: wrong number of arguments
            4 => C("HMSET", k, Pairs(r, r.Next(1, 4))),
            5 => C("HMSET", k, Field(r)),
            6 => HSetNx(r, k),
            7 or 8 => C("HGET", k, Field(r)),
            9 => C("HMGET", k, Fields(r, r.Next(1, 5))),
            10 or 11 => C("HDEL", k, Fields(r, r.Next(1, 4))),
            12 => C("HLEN", k),
            13 => C("HSTRLEN", k, Field(r)),
            14 => C("HEXISTS", k, Field(r)),
            15 => C(CompareMode.Unordered, "HKEYS", k),
            16 => C(CompareMode.Unordered, "HVALS", k),
            17 or 18 => C(CompareMode.Unordered, "HGETALL", k),
            19 or 20 => Increment(r, k, "HINCRBY", IntIncrement),
            21 or 22 => Increment(r, k, "HINCRBYFLOAT", FloatIncrement),
            23 => C(CompareMode.Shape, "HRANDFIELD", k),
            24 => C(CompareMode.Shape, "HRANDFIELD", k, Int(r, 6)),
            25 => C(CompareMode.Shape, "HRANDFIELD", k, Int(r, 6), Pick(r, "WITHVALUES", "withvalues")),
            26 => C("HRANDFIELD", k, Pick(r, "0", "x", "1.5", "-9223372036854775808", "9223372036854775808")),
            27 => C("HRANDFIELD", k, Pick(r, "1", "0", "x"), Pick(r, "WITHVALUE", "foo", "WITHVALUES"), Pick(r, "WITHVALUES", "x")),
            28 => C("HRANDFIELD", k, Pick(r, "-4611686018427387904", "4611686018427387904", "0"), Pick(r, "WITHVALUES", "x")),
            29 or 30 => C(CompareMode.Unordered, "HSCAN", k, "0", "COUNT", Pick(r, "200", "1000")),
            31 => C(CompareMode.Unordered, "HSCAN", k, "0", "MATCH", Pick(r, "f*", "f[0-4]", "*1", "?0", "", "F*"), "COUNT", "1000"),
            32 => C("HSCAN", k, "0", "COUNT", "1000", "MATCH"),
            33 => C("HSCAN", k, Pick(r, "x", "1.5", "18446744073709551616", " 1")),
            34 => C("HSCAN", k, ["0", .. Pick(r, new[] { "COUNT", "0" }, ["COUNT", "-1"], ["COUNT", "x"], ["TYPE", "string"], ["FOO", "*"], ["MATCH", "*", "COUNT", "0"])]),
            35 => C("HSCAN", k, "0", "COUNT"),
            36 => C("HSET", k, Enumerable.Range(0, 140).SelectMany(i => new[] { "big" + i.ToString(CultureInfo.InvariantCulture), Int(r, 1000) }).ToArray()),
            37 => C("SET", k, Value(r)),
            38 => C("GET", k),
            39 => C("HGET", k),
            40 => C("HSTRLEN", k, Field(r), Field(r)),
            41 => C("HEXISTS", k),
            42 => C("HLEN", k, k),
            43 => C("HGETALL", k, k),
            44 => C("HINCRBY", k, Field(r)),
            45 => C("HSETNX", k, Field(r)),
            46 => C("HDEL", k),
            47 => C("HMGET", k),
            48 => C("HINCRBY", k, Field(r), Pick(r, "1", "-1"), "1"),
            _ => KeyCommand(r, "h"),
        };
    }

    private static GeneratedCommand HSetNx(Random r, string key)
    {
        string field = Field(r);
        return C("HSETNX", key, field, ValueFor(r, field));
    }

    private static GeneratedCommand Increment(Random r, string key, string command, Func<Random, string, string> increment)
    {
        string field = Field(r);
        return C(command, key, field, increment(r, field));
    }
}
