using System.Globalization;
using System.Text;

namespace Reborn.Resp.Tests.Differential;

/// <summary>Shared vocabulary of the generators: a small key space so commands collide, and typical values.</summary>
public abstract class GeneratorBase : ICommandGenerator
{
    protected static readonly string[] Prefixes = ["s", "h", "l", "z", "t"];

    public abstract GeneratedCommand Next(Random random);

    protected static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    protected static GeneratedCommand C(CompareMode mode, params string[] args) => new(args.Select(B).ToArray(), mode);
    protected static GeneratedCommand C(params string[] args) => new(args.Select(B).ToArray());

    /// <summary>A key of the given family; sometimes one of another family, to provoke WRONGTYPE.</summary>
    protected static string Key(Random r, string family, int keys = 8)
        => r.Next(10) == 0 ? Prefixes[r.Next(Prefixes.Length)] + ":" + r.Next(keys) : family + ":" + r.Next(keys);

    protected static string Int(Random r, int span = 100) => (r.Next(span * 2) - span).ToString(CultureInfo.InvariantCulture);

    protected static string Value(Random r) => r.Next(8) switch
    {
        0 => "",
        1 => Int(r, 1000),
        2 => (r.Next(2000) / 100.0 - 10).ToString(CultureInfo.InvariantCulture),
        3 => new string('x', r.Next(1, 300)),
        4 => "9223372036854775807",
        5 => "hello world",
        _ => "v" + r.Next(20),
    };

    protected static T Pick<T>(Random r, params T[] choices) => choices[r.Next(choices.Length)];

    /// <summary>Key commands shared by every family: existence, type, expiry, deletion.</summary>
    protected static GeneratedCommand KeyCommand(Random r, string family)
    {
        string k = Key(r, family);
        return r.Next(14) switch
        {
            0 => C("DEL", k, Key(r, family)),
            1 => C("EXISTS", k, k, Key(r, family)),
            2 => C("TYPE", k),
            3 => C("EXPIRE", k, r.Next(50, 500).ToString(CultureInfo.InvariantCulture), Pick(r, "NX", "XX", "GT", "LT", "NX")),
            4 => C(CompareMode.Clock, "TTL", k),
            5 => C(CompareMode.Clock, "PTTL", k),
            6 => C("PERSIST", k),
            7 => C("PEXPIREAT", k, "1"), // in the past: deletes the key at once
            8 => C("EXPIRE", k, r.Next(100, 1000).ToString(CultureInfo.InvariantCulture)),
            9 => C("UNLINK", k),
            10 => C("TOUCH", k, Key(r, family)),
            11 => C(CompareMode.Unordered, "KEYS", family + ":*"), // not DBSIZE: it counts expired keys not yet reclaimed, which is timing-dependent
            12 => C(CompareMode.Clock, "EXPIRETIME", k),
            _ => C("EXPIRE", k, Pick(r, "0", "-1", "-5")), // never a short positive TTL: the two sides would race the clock
        };
    }
}
