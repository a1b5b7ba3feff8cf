namespace Reborn.Storage.Engines;

/// <summary>
/// Orders and hashes byte keys the way every engine must: unsigned, lexicographic (memcmp order,
/// shorter prefix first). Also lets a <see cref="Dictionary{TKey,TValue}"/> keyed by arrays be
/// probed with a span, so lookups need no copy.
/// </summary>
internal sealed class ByteKeyComparer :
    IComparer<byte[]>, IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteKeyComparer Instance = new();

    private ByteKeyComparer()
    {
    }

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => HashOf(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => HashOf(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    // Keys come from clients: the seed is random per process, so nobody can choose keys that collide.
    private static readonly long Seed = Random.Shared.NextInt64();

    /// <summary>XXH3 (System.IO.Hashing): eight bytes a step, where HashCode.AddBytes takes four.</summary>
    public static int HashOf(ReadOnlySpan<byte> key) => (int)System.IO.Hashing.XxHash3.HashToUInt64(key, Seed);
}
