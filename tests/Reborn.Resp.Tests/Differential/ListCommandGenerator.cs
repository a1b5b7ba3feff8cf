using System.Globalization;

namespace Reborn.Resp.Tests.Differential;

/// <summary>
/// Lists: every list command with valid and invalid arguments, on a few keys so pushes, pops,
/// moves and rotations collide; mixed with key commands, expiry and strings on the same keys.
/// With <paramref name="keys"/> = 2 and a wide <paramref name="pushWidth"/>, lists grow past one
/// storage chunk (32 elements) and the commands that shift, trim and search them cross chunks.
/// </summary>
public sealed class ListCommandGenerator(int keys = 8, int pushWidth = 4) : GeneratorBase
{
    private const string Family = "l";

    /// <summary>A small vocabulary so LREM, LPOS and LINSERT find their elements.</summary>
    private static string Element(Random r) => r.Next(10) switch
    {
        0 => Value(r),
        1 => "",
        _ => ((char)('a' + r.Next(5))).ToString(),
    };

    private static string[] Elements(Random r, int max)
    {
        var items = new string[r.Next(1, max + 1)];
        for (int i = 0; i < items.Length; i++) items[i] = Element(r);
        return items;
    }

    private static string N(Random r, int span) => Int(r, span);

    /// <summary>An index or count argument: usually small, sometimes extreme or not a number.</summary>
    private static string Number(Random r, int span) => r.Next(20) switch
    {
        0 => "x",
        1 => "9223372036854775807",
        2 => "-9223372036854775808",
        3 => "1.5",
        4 => "9223372036854775808",
        _ => N(r, span),
    };

    private static string Side(Random r) => r.Next(30) == 0 ? "UP" : Pick(r, "LEFT", "RIGHT", "left", "Right");

    public override GeneratedCommand Next(Random r)
    {
        string k = Key(r, Family, keys);
        int choice = r.Next(46);
        // Long lists: most key commands (DEL, EXPIRE ...) become pushes, so lists live long enough to grow.
        if (pushWidth > 4 && choice >= 37 && r.Next(4) != 0) choice = r.Next(6);
        return choice switch
        {
            0 or 1 or 2 => C(["LPUSH", k, .. Elements(r, pushWidth)]),
            3 or 4 or 5 => C(["RPUSH", k, .. Elements(r, pushWidth)]),
            6 => C(["LPUSHX", k, .. Elements(r, 3)]),
            7 => C(["RPUSHX", k, .. Elements(r, 3)]),
            8 => C(Pick(r, "LPOP", "RPOP"), k),
            9 => C(Pick(r, "LPOP", "RPOP"), k, r.Next(8) == 0 ? Number(r, 3) : r.Next(0, 5).ToString(CultureInfo.InvariantCulture)),
            10 => C(Pick(r, "LPOP", "RPOP"), k, "1", "2"),
            11 => C("LLEN", k),
            12 or 13 => C("LINDEX", k, r.Next(6) == 0 ? Number(r, 12) : N(r, 8)),
            14 => C("LSET", k, r.Next(6) == 0 ? Number(r, 12) : N(r, 6), Element(r)),
            15 or 16 => C("LRANGE", k, r.Next(8) == 0 ? Number(r, 12) : N(r, 8), r.Next(8) == 0 ? Number(r, 12) : N(r, 10)),
            17 => C("LRANGE", k, "0", "-1"),
            18 => C("LTRIM", k, r.Next(8) == 0 ? Number(r, 12) : r.Next(-3, 3).ToString(CultureInfo.InvariantCulture), r.Next(8) == 0 ? Number(r, 12) : N(r, 10)),
            19 or 20 => C("LINSERT", k, r.Next(15) == 0 ? "MIDDLE" : Pick(r, "BEFORE", "AFTER", "before", "After"), Element(r), Element(r)),
            21 or 22 => C("LREM", k, r.Next(8) == 0 ? Number(r, 3) : N(r, 3), Element(r)),
            23 or 24 or 25 => LPos(r, k),
            26 or 27 => C("LMOVE", k, r.Next(4) == 0 ? k : Key(r, Family, keys), Side(r), Side(r)),
            28 => C("RPOPLPUSH", k, r.Next(4) == 0 ? k : Key(r, Family, keys)),
            29 or 30 or 31 => LMPop(r),
            32 => C("SET", k, Value(r)),
            33 => C("GET", k),
            34 => C("LPUSH", k),
            35 => C("LINSERT", k, "BEFORE", Element(r)),
            36 => C("LMOVE", k, Key(r, Family), "LEFT"),
            _ => KeyCommand(r, Family),
        };
    }

    private static GeneratedCommand LPos(Random r, string k)
    {
        var args = new List<string> { "LPOS", k, Element(r) };
        int options = r.Next(4);
        for (int i = 0; i < options; i++)
        {
            switch (r.Next(8))
            {
                case 0 or 1: args.AddRange(["RANK", r.Next(10) == 0 ? Pick(r, "0", "x", "-9223372036854775808", "9223372036854775807") : N(r, 3)]); break;
                case 2 or 3: args.AddRange(["COUNT", r.Next(10) == 0 ? Pick(r, "-1", "x") : r.Next(0, 4).ToString(CultureInfo.InvariantCulture)]); break;
                case 4 or 5: args.AddRange(["MAXLEN", r.Next(10) == 0 ? Pick(r, "-1", "x") : r.Next(0, 6).ToString(CultureInfo.InvariantCulture)]); break;
                case 6: args.Add(Pick(r, "RANK", "COUNT", "MAXLEN")); break; // missing value
                default: args.AddRange([Pick(r, "FOO", "rank"), "1"]); break;
            }
        }
        return C([.. args]);
    }

    private static GeneratedCommand LMPop(Random r)
    {
        int count = r.Next(1, 4);
        var args = new List<string> { "LMPOP" };
        args.Add(r.Next(12) == 0 ? Pick(r, "0", "-1", "x", "9", "9223372036854775807") : count.ToString(CultureInfo.InvariantCulture));
        for (int i = 0; i < count; i++) args.Add(Key(r, Family));
        args.Add(Side(r));
        if (r.Next(2) == 0) args.AddRange(["COUNT", r.Next(10) == 0 ? Pick(r, "0", "-2", "x") : r.Next(1, 5).ToString(CultureInfo.InvariantCulture)]);
        if (r.Next(15) == 0) args.Add(Pick(r, "COUNT", "FOO"));
        return C([.. args]);
    }
}
