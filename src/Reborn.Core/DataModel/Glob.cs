namespace Reborn.Core.DataModel;

/// <summary>Redis's glob matching (stringmatchlen): * ? [abc] [^a] [a-z] and \ escapes, byte-wise.</summary>
public static class Glob
{
    public static bool IsMatch(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool ignoreCase = false)
        => Match(pattern, text, ignoreCase, 0);

    private static bool Match(ReadOnlySpan<byte> p, ReadOnlySpan<byte> s, bool nocase, int depth)
    {
        if (depth > 1000) return false; // Redis bounds the recursion the same way
        while (p.Length > 0 && s.Length > 0)
        {
            switch (p[0])
            {
                case (byte)'*':
                    while (p.Length > 1 && p[1] == '*') p = p[1..];
                    if (p.Length == 1) return true;
                    while (s.Length > 0)
                    {
                        if (Match(p[1..], s, nocase, depth + 1)) return true;
                        s = s[1..];
                    }
                    return false;
                case (byte)'?':
                    s = s[1..];
                    break;
                case (byte)'[':
                {
                    p = p[1..];
                    bool not = p.Length > 0 && p[0] == '^';
                    if (not) p = p[1..];
                    bool matched = false;
                    while (true)
                    {
                        if (p.Length == 0) break;
                        if (p[0] == '\\' && p.Length >= 2) { p = p[1..]; if (Eq(p[0], s[0], nocase)) matched = true; }
                        else if (p[0] == ']') break;
                        else if (p.Length >= 3 && p[1] == '-')
                        {
                            int start = p[0], end = p[2], c = s[0];
                            if (start > end) (start, end) = (end, start);
                            if (nocase) { start = Lower(start); end = Lower(end); c = Lower(c); }
                            p = p[2..];
                            if (c >= start && c <= end) matched = true;
                        }
                        else if (Eq(p[0], s[0], nocase)) matched = true;
                        p = p[1..];
                    }
                    if (p.Length == 0) { /* unterminated [: Redis treats the end as ']' */ }
                    if (not) matched = !matched;
                    if (!matched) return false;
                    s = s[1..];
                    break;
                }
                case (byte)'\\':
                    if (p.Length >= 2) p = p[1..];
                    if (!Eq(p[0], s[0], nocase)) return false;
                    s = s[1..];
                    break;
                default:
                    if (!Eq(p[0], s[0], nocase)) return false;
                    s = s[1..];
                    break;
            }
            if (p.Length > 0) p = p[1..];
            if (s.Length == 0)
            {
                while (p.Length > 0 && p[0] == '*') p = p[1..];
                break;
            }
        }
        if (s.Length == 0)
            while (p.Length > 0 && p[0] == '*') p = p[1..];
        return p.Length == 0 && s.Length == 0;
    }

    private static int Lower(int c) => c is >= 'A' and <= 'Z' ? c + 32 : c;
    private static bool Eq(byte a, byte b, bool nocase) => nocase ? Lower(a) == Lower(b) : a == b;
}
