using System.Buffers.Binary;

namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// The DUMP/RESTORE payload codec of Redis 7.0: an RDB object (type byte + body), the RDB version
/// (2 bytes LE) and a CRC64 of everything before it (8 bytes LE). Pure functions: no storage access.
/// </summary>
public static class RdbDump
{
    /// <summary>Redis 7.0's RDB_VERSION, written by <see cref="Serialize"/>; newer payloads are refused.</summary>
    public const ushort RdbVersion = 10;

    private const int FooterSize = 10;

    /// <summary>
    /// A payload Redis 7.0 accepts in RESTORE. Strings are written exactly as Redis's DUMP writes them;
    /// collections use the plain encodings (list, set, hash, zset-2) and Redis picks its own in-memory
    /// encoding on load. Collections must be non-empty and free of duplicate members or fields
    /// (Redis refuses both); scores must not be NaN.
    /// </summary>
    public static byte[] Serialize(DumpedValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        RdbWriter writer;
        switch (value.Type)
        {
            case RedisType.String:
                writer = new RdbWriter(value.String!.Length + 32);
                writer.WriteByte(RdbObjectType.String);
                writer.WriteString(value.String);
                break;
            case RedisType.List:
                writer = WriteStrings(RdbObjectType.List, NonEmpty(value.List!));
                break;
            case RedisType.Set:
                writer = WriteStrings(RdbObjectType.Set, NonEmpty(value.Set!));
                break;
            case RedisType.Hash:
                writer = new RdbWriter();
                writer.WriteByte(RdbObjectType.Hash);
                writer.WriteLength((ulong)NonEmpty(value.Hash!).Count);
                foreach (KeyValuePair<byte[], byte[]> pair in value.Hash!)
                {
                    writer.WriteString(pair.Key);
                    writer.WriteString(pair.Value);
                }
                break;
            case RedisType.SortedSet:
                writer = new RdbWriter();
                writer.WriteByte(RdbObjectType.SortedSet2);
                writer.WriteLength((ulong)NonEmpty(value.SortedSet!).Count);
                foreach ((byte[] member, double score) in value.SortedSet!)
                {
                    if (double.IsNaN(score))
                        throw new ArgumentException("A sorted set score cannot be NaN.", nameof(value));
                    writer.WriteString(member);
                    writer.WriteBinaryDouble(score);
                }
                break;
            default:
                throw new ArgumentException($"Type {value.Type} has no DUMP form.", nameof(value));
        }
        return writer.ToPayload(RdbVersion);
    }

    /// <summary>
    /// Parses a payload as Redis 7.0's RESTORE does. Throws <see cref="DumpPayloadException"/> with
    /// "DUMP payload version or checksum are wrong" when it is shorter than its footer, its RDB version
    /// is newer than 10 or its CRC64 does not match (an all-zero CRC is not special: Redis 7.0 refuses
    /// it too), and with "Bad data format" when the body is malformed, empty, holds duplicates, or
    /// is a type Reborn does not hold (streams, modules). Like Redis, bytes after the object are ignored.
    /// </summary>
    public static DumpedValue Deserialize(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < FooterSize)
            throw DumpPayloadException.VersionOrChecksum();
        ReadOnlySpan<byte> footer = payload[^FooterSize..];
        if (BinaryPrimitives.ReadUInt16LittleEndian(footer) > RdbVersion
            || BinaryPrimitives.ReadUInt64LittleEndian(footer[2..]) != Crc64.Compute(payload[..^8]))
            throw DumpPayloadException.VersionOrChecksum();

        var reader = new RdbReader(payload[..^FooterSize]);
        byte type = reader.ReadByte();
        return type switch
        {
            RdbObjectType.String => DumpedValue.FromString(reader.ReadString()),
            RdbObjectType.List or RdbObjectType.ListZiplist or RdbObjectType.ListQuicklist
                or RdbObjectType.ListQuicklist2 => DumpedValue.FromList(RdbCollectionReader.ReadList(ref reader, type)),
            RdbObjectType.Set or RdbObjectType.SetIntset or RdbObjectType.SetListpack
                => DumpedValue.FromSet(RdbCollectionReader.ReadSet(ref reader, type)),
            RdbObjectType.Hash or RdbObjectType.HashZipmap or RdbObjectType.HashZiplist
                or RdbObjectType.HashListpack => DumpedValue.FromHash(RdbCollectionReader.ReadHash(ref reader, type)),
            RdbObjectType.SortedSet or RdbObjectType.SortedSet2 or RdbObjectType.SortedSetZiplist
                or RdbObjectType.SortedSetListpack => DumpedValue.FromSortedSet(RdbCollectionReader.ReadSortedSet(ref reader, type)),
            _ => throw DumpPayloadException.BadDataFormat(),
        };
    }

    private static RdbWriter WriteStrings(byte type, List<byte[]> elements)
    {
        var writer = new RdbWriter();
        writer.WriteByte(type);
        writer.WriteLength((ulong)elements.Count);
        foreach (byte[] element in elements)
            writer.WriteString(element);
        return writer;
    }

    private static List<T> NonEmpty<T>(List<T> elements) => elements.Count > 0
        ? elements
        : throw new ArgumentException("Redis refuses an empty collection in RESTORE.", nameof(elements));
}
