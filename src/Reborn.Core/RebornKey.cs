using System.Text;

namespace Reborn.Core;

/// <summary>A binary-safe key. Converts implicitly from string (UTF-8) and byte arrays.</summary>
public readonly struct RebornKey : IEquatable<RebornKey>
{
    public RebornKey(ReadOnlyMemory<byte> bytes) => Bytes = bytes;

    public ReadOnlyMemory<byte> Bytes { get; }
    public ReadOnlySpan<byte> Span => Bytes.Span;

    public static implicit operator RebornKey(string key) => new(Encoding.UTF8.GetBytes(key));
    public static implicit operator RebornKey(byte[] key) => new(key);
    public static implicit operator RebornKey(ReadOnlyMemory<byte> key) => new(key);

    public bool Equals(RebornKey other) => Span.SequenceEqual(other.Span);
    public override bool Equals(object? obj) => obj is RebornKey other && Equals(other);
    public override int GetHashCode() { var h = new HashCode(); h.AddBytes(Span); return h.ToHashCode(); }
    public override string ToString() => Encoding.UTF8.GetString(Span);
}
