using System.Buffers.Text;
using System.Text;

namespace Reborn.Core;

/// <summary>
/// A binary-safe value, or null (a missing key or field). Converts implicitly from string (UTF-8),
/// byte arrays and integers, and explicitly back to string and byte[].
/// </summary>
public readonly struct RebornValue : IEquatable<RebornValue>
{
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly bool _hasValue;

    public RebornValue(ReadOnlyMemory<byte> bytes) { _bytes = bytes; _hasValue = true; }

    public static RebornValue Null => default;
    public bool IsNull => !_hasValue;
    public ReadOnlyMemory<byte> Bytes => _bytes;
    public ReadOnlySpan<byte> Span => _bytes.Span;
    public int Length => _bytes.Length;

    public static implicit operator RebornValue(string? value) => value is null ? default : new(Encoding.UTF8.GetBytes(value));
    public static implicit operator RebornValue(byte[]? value) => value is null ? default : new(value);
    public static implicit operator RebornValue(ReadOnlyMemory<byte> value) => new(value);
    public static implicit operator RebornValue(long value) => new(Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public static explicit operator string?(RebornValue value) => value.IsNull ? null : Encoding.UTF8.GetString(value.Span);
    public static explicit operator byte[]?(RebornValue value) => value.IsNull ? null : value._bytes.ToArray();

    /// <summary>The value as a 64-bit integer when it is one in Redis's canonical form.</summary>
    public bool TryParseInt64(out long result) =>
        Utf8Parser.TryParse(Span, out result, out int consumed) && consumed == Length && Length > 0;

    public bool Equals(RebornValue other) => _hasValue == other._hasValue && Span.SequenceEqual(other.Span);
    public override bool Equals(object? obj) => obj is RebornValue other && Equals(other);
    public override int GetHashCode() { var h = new HashCode(); h.AddBytes(Span); return h.ToHashCode(); }
    public override string ToString() => IsNull ? "(nil)" : Encoding.UTF8.GetString(Span);
}
