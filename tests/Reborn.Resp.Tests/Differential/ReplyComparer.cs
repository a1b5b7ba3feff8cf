using Reborn.Resp.Protocol;

namespace Reborn.Resp.Tests.Differential;

/// <summary>Compares two raw replies under a <see cref="CompareMode"/>.</summary>
public static class ReplyComparer
{
    public static bool Same(byte[] expected, byte[] actual, CompareMode mode)
    {
        if (mode == CompareMode.Exact || expected.AsSpan().SequenceEqual(actual)) return expected.AsSpan().SequenceEqual(actual);
        RespReply a, b;
        try { a = RespReplyReader.Read(expected); b = RespReplyReader.Read(actual); }
        catch (Exception) { return false; }
        return mode switch
        {
            CompareMode.Unordered => Unordered(a, b),
            CompareMode.Clock => a.Type == b.Type && (a.Type != RespReplyType.Integer
                ? a.Equals(b)
                : (a.Integer < 0 || b.Integer < 0) ? a.Integer == b.Integer : Math.Abs(a.Integer - b.Integer) <= Math.Max(2, Math.Abs(a.Integer) / 100)),
            CompareMode.Shape => a.Type == b.Type && a.IsNull == b.IsNull && a.Elements.Count == b.Elements.Count,
            _ => false,
        };
    }

    private static bool Unordered(RespReply a, RespReply b)
    {
        if (a.Type != b.Type || a.IsNull != b.IsNull || a.Elements.Count != b.Elements.Count) return false;
        if (a.Elements.Count == 0) return a.Equals(b);
        // A two-element [cursor, items] SCAN page: compare the item lists unordered.
        var left = a.Elements.Select(Canonical).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        var right = b.Elements.Select(Canonical).OrderBy(s => s, StringComparer.Ordinal).ToArray();
        return left.SequenceEqual(right);
    }

    private static string Canonical(RespReply reply) =>
        reply.Elements.Count == 0 ? reply.ToString() : "[" + string.Join(",", reply.Elements.Select(Canonical).OrderBy(s => s, StringComparer.Ordinal)) + "]";
}
