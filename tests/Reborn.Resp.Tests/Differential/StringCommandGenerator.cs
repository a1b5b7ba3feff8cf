using System.Globalization;

namespace Reborn.Resp.Tests.Differential;

/// <summary>Strings, mixed with key commands and expiry.</summary>
public sealed class StringCommandGenerator : GeneratorBase
{
    public override GeneratedCommand Next(Random r)
    {
        string k = Key(r, "s");
        string n() => Int(r, 20);
        return r.Next(40) switch
        {
            0 or 1 => C("SET", k, Value(r)),
            2 => C("SET", k, Value(r), Pick(r, "NX", "XX", "GET", "KEEPTTL"), Pick(r, "GET", "NX", "XX", "EX", "KEEPTTL")),
            3 => C("SET", k, Value(r), Pick(r, "EX", "PX"), Pick(r, "300000", "0", "-5", "abc", "100000")),
            4 => C("SET", k, Value(r), "PXAT", "1"),
            5 or 6 => C("GET", k),
            7 => C("SETNX", k, Value(r)),
            8 => C("SETEX", k, Pick(r, "100", "0", "-1", "x"), Value(r)),
            9 => C("PSETEX", k, Pick(r, "100000", "0"), Value(r)),
            10 => C("GETSET", k, Value(r)),
            11 => C("GETDEL", k),
            12 => C("GETEX", k, Pick(r, "EX", "PX", "PERSIST", "EXAT"), Pick(r, "300000", "200000", "0")),
            13 => C("MGET", k, Key(r, "s"), Key(r, "s")),
            14 => C("MSET", k, Value(r), Key(r, "s"), Value(r)),
            15 => C("MSETNX", k, Value(r), Key(r, "s"), Value(r)),
            16 or 17 => C("INCR", k),
            18 => C("DECR", k),
            19 => C("INCRBY", k, Pick(r, n(), "9223372036854775807", "-9223372036854775808", "1.5", "x")),
            20 => C("DECRBY", k, n()),
            21 => C("INCRBYFLOAT", k, Pick(r, "1.5", "0.1", "-3.25", "10", "1e3", "abc", "5.0e-1", "inf")),
            22 => C("APPEND", k, Value(r)),
            23 => C("STRLEN", k),
            24 => C("GETRANGE", k, n(), n()),
            25 => C("SETRANGE", k, r.Next(0, 40).ToString(CultureInfo.InvariantCulture), Value(r)),
            26 => C("GETBIT", k, r.Next(0, 400).ToString(CultureInfo.InvariantCulture)),
            27 => C("SETBIT", k, r.Next(0, 400).ToString(CultureInfo.InvariantCulture), Pick(r, "0", "1", "2")),
            28 => C("BITCOUNT", k, n(), n(), Pick(r, "BYTE", "BIT")),
            29 => C("BITCOUNT", k),
            30 => C("BITPOS", k, Pick(r, "0", "1"), n(), n(), Pick(r, "BYTE", "BIT")),
            31 => C("BITPOS", k, Pick(r, "0", "1")),
            32 => C("BITOP", Pick(r, "AND", "OR", "XOR"), k, Key(r, "s"), Key(r, "s")),
            33 => C("BITOP", "NOT", k, Key(r, "s")),
            34 => C("SUBSTR", k, n(), n()),
            35 => C("BITPOS", k, Pick(r, "0", "1"), n()),
            _ => KeyCommand(r, "s"),
        };
    }
}

/// <summary>Whole-key commands over every type: RENAME, COPY, DUMP/RESTORE round trips, SCAN, KEYS.</summary>
public sealed class KeyCommandGenerator : GeneratorBase
{
    private static readonly string[] Families = ["s", "h", "l", "z", "t"];

    public override GeneratedCommand Next(Random r)
    {
        string f = Pick(r, Families);
        string k = Key(r, f), other = Key(r, Pick(r, Families));
        return r.Next(24) switch
        {
            0 or 1 => C("SET", k, Value(r)),
            2 => C("HSET", Key(r, "h"), "f" + r.Next(5), Value(r)),
            3 => C("RPUSH", Key(r, "l"), Value(r), Value(r)),
            4 => C("SADD", Key(r, "t"), "m" + r.Next(10), "m" + r.Next(10)),
            5 => C("ZADD", Key(r, "z"), r.Next(100).ToString(System.Globalization.CultureInfo.InvariantCulture), "m" + r.Next(10)),
            6 => C("RENAME", k, other),
            7 => C("RENAMENX", k, other),
            8 => C("COPY", k, other),
            9 => C("COPY", k, other, "REPLACE"),
            10 => C("COPY", k, other, "DB", Pick(r, "0", "1", "16", "x")),
            11 => C(CompareMode.Unordered, "KEYS", Pick(r, "*", "s:*", "h:[0-3]", "?:1", "*:*1*")),
            12 => C(CompareMode.Unordered, "SCAN", "0", "COUNT", "1000", "MATCH", Pick(r, "*", "l:*", "*2")),
            13 => C(CompareMode.Unordered, "SCAN", "0", "COUNT", "1000", "TYPE", Pick(r, "string", "hash", "list", "set", "zset", "nope")),
            14 => C("RESTORE", k, "0", "garbage"),
            15 => C("SELECT", Pick(r, "0", "1", "0")),
            16 => C("SWAPDB", "0", "1"),
            17 => C("EXISTS", k, other),
            18 => C("DUMP", "nosuchkey"),
            19 => C("RENAME", "nosuchkey", k),
            20 => C("FLUSHDB"),
            21 => C("TYPE", k),
            _ => KeyCommand(r, f),
        };
    }
}
