using System.Globalization;
using System.Text;

namespace Reborn.Resp.Tests.Wire;

/// <summary>What a fuzzed connection's payload lets the test assert about the server's answer.</summary>
public enum FuzzExpectation
{
    /// <summary>Only well-framed commands, then the sentinel ECHO: one reply per command, the sentinel last, no protocol error.</summary>
    Healthy,
    /// <summary>Well-framed commands, then a frame that must be answered with exactly <see cref="FuzzPayload.ProtocolError"/> and a close.</summary>
    ProtocolError,
    /// <summary>Well-framed commands, then an incomplete frame (truncated, or a huge declared length never sent): no error, closed at end of input.</summary>
    Incomplete,
    /// <summary>Garbage or mutated bytes: any valid reply stream, a protocol error only as its last reply.</summary>
    Unknown,
}

/// <summary>One connection's worth of fuzz: the bytes to send and what may come back.</summary>
public sealed record FuzzPayload(byte[] Bytes, int Frames, int RepliesBeforeTail, FuzzExpectation Expectation, string Kind, string? ProtocolError = null);

/// <summary>
/// Seeded generator of random and mutated RESP frames: well-formed commands (multibulk and
/// inline, random arguments, unknown names, empty frames), then one hostile tail (bad lengths,
/// huge declared bulks and counts followed by nothing, truncated frames, binary and inline
/// garbage, nested '*', mutations of valid frames). Commands are drawn from a list that never
/// blocks, subscribes, changes the protocol, or allocates by a numeric argument (no 4 GB SETBIT).
/// </summary>
public sealed class ProtocolFuzzer(Random random)
{
    public const string SentinelText = "fuzz-sentinel";

    private static readonly string[] CommandNames =
    [
        "PING", "ECHO", "SET", "GET", "GETSET", "APPEND", "STRLEN", "INCR", "INCRBY", "DECRBY", "INCRBYFLOAT",
        "GETRANGE", "SETRANGE", "GETBIT", "SETBIT", "BITCOUNT", "MGET", "MSET", "DEL", "EXISTS", "EXPIRE", "TTL",
        "TYPE", "LPUSH", "RPUSH", "LRANGE", "LLEN", "LINDEX", "HSET", "HGET", "HGETALL", "HDEL", "HINCRBY",
        "SADD", "SREM", "SMEMBERS", "SCARD", "ZADD", "ZRANGE", "ZSCORE", "ZINCRBY", "ZREM", "DBSIZE", "set", "gEt",
    ];

    private static readonly string[] Words =
    [
        "fz:k0", "fz:k1", "fz:k2", "fz:k3", "fz:k4", "fz:k5", "0", "1", "-1", "7", "42", "100", "1.5", "-0.5", "inf",
        "9223372036854775807", "-9223372036854775808", "abc", "", "EX", "PX", "NX", "XX", "GET", "KEEPTTL", "WITHSCORES",
        "REV", "BYSCORE", "LIMIT", "COUNT", "MATCH", "*", "hello world", "\"", "'", "\\", "$5", "*2", "\r\n", ":1",
    ];

    private static readonly byte[] Sentinel = Multibulk([Encoding.ASCII.GetBytes("ECHO"), Encoding.ASCII.GetBytes(SentinelText)]);

    public static byte[] SentinelReply => Encoding.ASCII.GetBytes($"${SentinelText.Length}\r\n{SentinelText}\r\n");

    /// <summary>The next connection's payload: up to <paramref name="maxBenign"/> well-framed commands and usually one hostile tail.</summary>
    public FuzzPayload Next(int maxBenign = 30)
    {
        var bytes = new List<byte>();
        int benign = random.Next(maxBenign + 1);
        int replies = 0;
        for (int i = 0; i < benign; i++)
        {
            var (frame, expected) = BenignFrame();
            bytes.AddRange(frame);
            replies += expected;
        }

        int tail = random.Next(10);
        switch (tail)
        {
            case 0 or 1:
                bytes.AddRange(Sentinel);
                return new FuzzPayload(bytes.ToArray(), benign + 1, replies, FuzzExpectation.Healthy, "healthy");
            case 2 or 3:
            {
                var (frame, error, kind) = KnownProtocolError();
                bytes.AddRange(frame);
                return new FuzzPayload(bytes.ToArray(), benign + 1, replies, FuzzExpectation.ProtocolError, kind, error);
            }
            case 4:
            {
                var (frame, kind) = HugeDeclaredLength();
                bytes.AddRange(frame);
                return new FuzzPayload(bytes.ToArray(), benign + 1, replies, FuzzExpectation.Incomplete, kind);
            }
            case 5:
            {
                byte[] whole = BenignFrame().Frame;
                int cut = whole.Length <= 1 ? 0 : random.Next(1, whole.Length);
                // An inline frame cut right after its last byte would still lack its newline; a cut
                // multibulk prefix is never an error. Empty frames cut to nothing are still nothing.
                bytes.AddRange(whole.AsSpan(0, cut).ToArray());
                if (cut > 0 && whole[0] != (byte)'*' && Array.IndexOf(whole, (byte)'\n', 0, cut) >= 0)
                    return new FuzzPayload(bytes.ToArray(), benign + 1, replies, FuzzExpectation.Unknown, "truncated-inline");
                return new FuzzPayload(bytes.ToArray(), benign + 1, replies, FuzzExpectation.Incomplete, "truncated");
            }
            case 6:
                bytes.AddRange(Garbage());
                bytes.AddRange(Sentinel);
                return new FuzzPayload(bytes.ToArray(), benign + 2, replies, FuzzExpectation.Unknown, "garbage");
            default:
            {
                int frames = random.Next(1, 4);
                var valid = new List<byte>();
                for (int i = 0; i < frames; i++) valid.AddRange(BenignFrame().Frame);
                bytes.AddRange(Mutate(valid));
                bytes.AddRange(Sentinel);
                return new FuzzPayload(bytes.ToArray(), benign + frames + 1, replies, FuzzExpectation.Unknown, "mutated");
            }
        }
    }

    /// <summary>A well-framed command and how many replies it gets (0 for empty frames).</summary>
    private (byte[] Frame, int Replies) BenignFrame()
    {
        switch (random.Next(20))
        {
            case 0: return (Encoding.ASCII.GetBytes(Pick("*0\r\n", "*-1\r\n", "*-5\r\n", "\r\n", "\n", "   \t \r\n")), 0);
            case 1: return (Encoding.ASCII.GetBytes(Pick("$5\r\n", "+OK\r\n", ":12\r\n", "-ERR x\r\n", "PING\n")), 1); // inline: an unknown command named "$5", "+OK"...
        }
        var args = new List<byte[]> { random.Next(12) == 0 ? RandomName() : Encoding.ASCII.GetBytes(Pick(CommandNames)) };
        int count = random.Next(5);
        for (int i = 0; i < count; i++) args.Add(Argument());
        return (random.Next(4) == 0 ? Inline(args) : Multibulk(args), 1);
    }

    private byte[] RandomName()
    {
        var name = new byte[random.Next(1, 20)];
        random.NextBytes(name);
        return name;
    }

    private byte[] Argument()
    {
        if (random.Next(8) != 0) return Encoding.UTF8.GetBytes(Pick(Words));
        var bytes = new byte[random.Next(0, random.Next(4) == 0 ? 2000 : 40)];
        random.NextBytes(bytes);
        return bytes;
    }

    public static byte[] Multibulk(IReadOnlyList<byte[]> args)
    {
        var frame = new List<byte>(Encoding.ASCII.GetBytes($"*{args.Count}\r\n"));
        foreach (byte[] arg in args)
        {
            frame.AddRange(Encoding.ASCII.GetBytes($"${arg.Length}\r\n"));
            frame.AddRange(arg);
            frame.AddRange("\r\n"u8.ToArray());
        }
        return frame.ToArray();
    }

    /// <summary>An inline line: plain tokens when they are plain, else every argument double-quoted with \xNN escapes.</summary>
    private byte[] Inline(List<byte[]> args)
    {
        bool plain = args.All(a => a.Length > 0 && a.All(b => b is > 32 and < 127 and not (byte)'"' and not (byte)'\'' and not (byte)'\\')) && args[0][0] != (byte)'*';
        var line = new StringBuilder();
        foreach (byte[] arg in args)
        {
            if (line.Length > 0) line.Append(' ', random.Next(1, 3));
            if (plain) line.Append(Encoding.ASCII.GetString(arg));
            else
            {
                line.Append('"');
                foreach (byte b in arg) line.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                line.Append('"');
            }
        }
        line.Append(random.Next(5) == 0 ? "\n" : "\r\n");
        return Encoding.ASCII.GetBytes(line.ToString());
    }

    /// <summary>A frame Redis 7.0 answers with a protocol error, and that error's exact text.</summary>
    private (byte[] Frame, string Error, string Kind) KnownProtocolError()
    {
        const string Bulk = "ERR Protocol error: invalid bulk length";
        const string Multi = "ERR Protocol error: invalid multibulk length";
        switch (random.Next(14))
        {
            case 0: return (A("*1\r\n$-5\r\n"), Bulk, "negative-bulk");
            case 1: return (A("*2\r\n$3\r\nGET\r\n$abc\r\n"), Bulk, "non-numeric-bulk");
            case 2: return (A("*1\r\n$2147483647\r\n"), Bulk, "huge-bulk-over-limit");
            case 3: return (A("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870913\r\n"), Bulk, "bulk-over-512mb");
            case 4: return (A("*1\r\n$9223372036854775808\r\n"), Bulk, "bulk-overflow");
            case 5: return (A("*x\r\n"), Multi, "non-numeric-count");
            case 6: return (A("*2147483648\r\n"), Multi, "count-over-int");
            case 7: return (A("*2\r\n*1\r\n$4\r\nPING\r\n"), "ERR Protocol error: expected '$', got '*'", "nested-multibulk");
            case 8: return (A("*3\r\n$3\r\nSET\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"), "ERR Protocol error: expected '$', got '*'", "nested-multibulk");
            case 9: return (A("*1\r\n:5\r\n"), "ERR Protocol error: expected '$', got ':'", "integer-in-multibulk");
            case 10: return (A("SET \"abc\r\n"), "ERR Protocol error: unbalanced quotes in request", "unbalanced-quotes");
            case 11: return (A("SET \"a\"b c\r\n"), "ERR Protocol error: unbalanced quotes in request", "quote-then-letter");
            case 12: return (A(new string('a', 64 * 1024 + 1 + random.Next(100))), "ERR Protocol error: too big inline request", "inline-too-big");
            default: return (A("*1\r\n$" + new string('1', 64 * 1024 + 10)), "ERR Protocol error: too big bulk count string", "bulk-count-too-long");
        }
    }

    /// <summary>A declared length far larger than what follows: the server must wait without allocating it.</summary>
    private (byte[] Frame, string Kind) HugeDeclaredLength() => random.Next(5) switch
    {
        0 => (A("*2147483647\r\n"), "count-2147483647-then-nothing"),
        1 => (A("*2147483647\r\n$3\r\nSET\r\n$1\r\n"), "count-2147483647-partial"),
        2 => (A("*1\r\n$536870912\r\n"), "bulk-512mb-then-nothing"),
        3 => (A("*3\r\n$3\r\nSET\r\n$2\r\nfz\r\n$536870911\r\n" + new string('v', random.Next(1, 5000))), "bulk-512mb-partial"),
        _ => (A("*1048576\r\n" + string.Concat(Enumerable.Repeat("$1\r\na\r\n", random.Next(1, 200)))), "count-1m-partial"),
    };

    private byte[] Garbage()
    {
        switch (random.Next(4))
        {
            case 0:
            {
                var bytes = new byte[random.Next(1, 600)];
                random.NextBytes(bytes);
                return bytes;
            }
            case 1: // printable inline garbage, one or more lines
            {
                var text = new StringBuilder();
                int lines = random.Next(1, 4);
                for (int l = 0; l < lines; l++)
                {
                    int length = random.Next(0, 80);
                    for (int i = 0; i < length; i++) text.Append((char)random.Next(32, 127));
                    text.Append(random.Next(3) == 0 ? "\n" : "\r\n");
                }
                return A(text.ToString());
            }
            case 2: // RESP type bytes in random order
            {
                var text = new StringBuilder();
                int parts = random.Next(1, 12);
                for (int i = 0; i < parts; i++)
                    text.Append(Pick("*", "$", ":", "+", "-", "%", "~", "_", ",", "#", "\r\n", "\r", "\n", "0", "1", "-1", "3", "2147483647", "x", " "));
                return A(text.ToString());
            }
            default: // a NUL byte mid-line, as sdssplitargs stops at it
                return A("GET fz:k1\0 ignored\r\n");
        }
    }

    private byte[] Mutate(List<byte> frame)
    {
        int mutations = random.Next(1, 5);
        for (int m = 0; m < mutations && frame.Count > 0; m++)
        {
            int at = random.Next(frame.Count);
            switch (random.Next(8))
            {
                case 0: frame[at] = (byte)random.Next(256); break;
                case 1: frame.Insert(at, (byte)random.Next(256)); break;
                case 2: frame.RemoveAt(at); break;
                case 3: frame[at] ^= (byte)(1 << random.Next(8)); break;
                case 4: frame.InsertRange(at, A(Pick("*", "$", "\r\n", "*2\r\n", "$-1\r\n", "$2147483647\r\n", "\r", "\n", "\""))); break;
                case 5: // change a digit, so a declared length or count lies
                {
                    int digit = frame.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
                    if (digit >= 0) frame[digit] = (byte)('0' + random.Next(10));
                    break;
                }
                case 6: frame.RemoveRange(at, Math.Min(frame.Count - at, random.Next(1, 16))); break;
                default: // duplicate a chunk
                {
                    int length = Math.Min(frame.Count - at, random.Next(1, 32));
                    frame.InsertRange(random.Next(frame.Count), frame.GetRange(at, length));
                    break;
                }
            }
        }
        return frame.ToArray();
    }

    private T Pick<T>(params T[] choices) => choices[random.Next(choices.Length)];

    private static byte[] A(string text) => Encoding.Latin1.GetBytes(text);
}
