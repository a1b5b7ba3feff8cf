using System.Buffers.Binary;

namespace Reborn.Core.DataModel;

/// <summary>
/// The metadata record of one user key. Layout (little-endian):
/// [type u8][layout u8 = 2][expire-at ms i64, 0 = none] then
/// string: the value bytes;
/// collection: [version u64][count i64] and for lists [head u64][tail u64] (elements occupy [head, tail)).
/// </summary>
internal struct Metadata
{
    public const byte LayoutVersion = 2;
    public const int HeaderLength = 10;
    public const int CollectionLength = HeaderLength + 16;
    public const int ListLength = CollectionLength + 16;
    public const ulong ListInitialIndex = 1UL << 63;

    public RedisType Type;
    public long ExpireAtMs;
    public ulong Version;
    public long Count;
    public ulong Head;
    public ulong Tail;

    public readonly bool HasExpiry => ExpireAtMs != 0;
    /// <summary>Redis's keyIsExpired: expired once now has passed the expiry (a key expiring at now still lives).</summary>
    public readonly bool IsExpired(long nowMs) => ExpireAtMs != 0 && ExpireAtMs < nowMs;

    public static RedisType PeekType(ReadOnlySpan<byte> record) => (RedisType)record[0];
    public static long PeekExpiry(ReadOnlySpan<byte> record) => BinaryPrimitives.ReadInt64LittleEndian(record[2..]);
    public static ReadOnlySpan<byte> StringValue(ReadOnlySpan<byte> record) => record[HeaderLength..];

    public static Metadata Decode(ReadOnlySpan<byte> record)
    {
        if (record.Length < HeaderLength) throw new InvalidDataException("metadata record is shorter than its header");
        if (record[1] != LayoutVersion)
            throw new InvalidDataException($"metadata record has layout version {record[1]}; this build reads version {LayoutVersion} (docs/storage-layout.md)");
        var meta = new Metadata { Type = (RedisType)record[0], ExpireAtMs = BinaryPrimitives.ReadInt64LittleEndian(record[2..]) };
        if (meta.Type != RedisType.String)
        {
            meta.Version = BinaryPrimitives.ReadUInt64LittleEndian(record[HeaderLength..]);
            meta.Count = BinaryPrimitives.ReadInt64LittleEndian(record[(HeaderLength + 8)..]);
            if (meta.Type == RedisType.List)
            {
                meta.Head = BinaryPrimitives.ReadUInt64LittleEndian(record[CollectionLength..]);
                meta.Tail = BinaryPrimitives.ReadUInt64LittleEndian(record[(CollectionLength + 8)..]);
            }
        }
        return meta;
    }

    public static void WriteHeader(Span<byte> dest, RedisType type, long expireAtMs)
    {
        dest[0] = (byte)type;
        dest[1] = LayoutVersion;
        BinaryPrimitives.WriteInt64LittleEndian(dest[2..], expireAtMs);
    }

    public static byte[] EncodeString(ReadOnlySpan<byte> value, long expireAtMs)
    {
        var record = new byte[HeaderLength + value.Length];
        WriteHeader(record, RedisType.String, expireAtMs);
        value.CopyTo(record.AsSpan(HeaderLength));
        return record;
    }

    public readonly byte[] EncodeCollection()
    {
        var record = new byte[Type == RedisType.List ? ListLength : CollectionLength];
        EncodeCollection(record);
        return record;
    }

    /// <summary>Encodes a collection's record into <paramref name="dest"/> (at least <see cref="ListLength"/> bytes); returns its length.</summary>
    public readonly int EncodeCollection(Span<byte> dest)
    {
        WriteHeader(dest, Type, ExpireAtMs);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[HeaderLength..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(dest[(HeaderLength + 8)..], Count);
        if (Type != RedisType.List) return CollectionLength;
        BinaryPrimitives.WriteUInt64LittleEndian(dest[CollectionLength..], Head);
        BinaryPrimitives.WriteUInt64LittleEndian(dest[(CollectionLength + 8)..], Tail);
        return ListLength;
    }

    /// <summary>Rewrites the expiry of an encoded record in place.</summary>
    public static void SetExpiry(Span<byte> record, long expireAtMs) => BinaryPrimitives.WriteInt64LittleEndian(record[2..], expireAtMs);
}
