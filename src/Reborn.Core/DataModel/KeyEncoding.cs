using System.Buffers.Binary;

namespace Reborn.Core.DataModel;

/// <summary>
/// The one record-key encoder. Layout (docs/storage-layout.md, pinned by StorageLayoutTests):
/// every record key starts with slot (2 bytes BE), physical database (1 byte), record kind (1 byte).
/// System records live under the prefix FF FF, above every slot.
/// </summary>
internal static class KeyEncoding
{
    public const int PrefixLength = 4;
    public const int VersionLength = 8;

    /// <summary>Record kinds. Persisted: numbers are append-only.</summary>
    public const byte KindMeta = 0x01;      // [prefix][user key] -> metadata (+ string value)
    public const byte KindElement = 0x02;   // [prefix][key len u32][user key][version u64][field] -> element value
    public const byte KindScore = 0x03;     // [prefix][key len u32][user key][version u64][score u64][member] -> empty
    public const byte KindExpiry = 0x04;    // [prefix][expire-at ms u64][user key] -> empty
    public const byte KindKeyCount = 0x05;  // [prefix] -> key count (i64 LE) of this slot and database

    /// <summary>System records: [FF FF][system kind]...</summary>
    public const byte SystemPrefix = 0xFF;
    public const byte SystemDatabaseMap = 0x01;   // [FF FF 01] -> 16 bytes: physical database of each logical one
    public const byte SystemGarbage = 0x02;       // [FF FF 02][version u64][slot u16][pdb u8][key len u32][user key] -> type
    public const byte SystemSlotTable = 0x03;     // [FF FF 03] -> the slot table (group 0's engine only)
    public const byte SystemGroups = 0x04;        // [FF FF 04] -> the list of groups, JSON (group 0's engine only)
    public const byte SystemLayout = 0x05;        // [FF FF 05] -> the layout version of the records, u8 (Metadata.LayoutVersion)

    public static void WritePrefix(Span<byte> dest, int slot, int pdb, byte kind)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dest, (ushort)slot);
        dest[2] = (byte)pdb;
        dest[3] = kind;
    }

    public static int MetaKeyLength(int keyLength) => PrefixLength + keyLength;

    public static int MetaKey(Span<byte> dest, int slot, int pdb, ReadOnlySpan<byte> key)
    {
        WritePrefix(dest, slot, pdb, KindMeta);
        key.CopyTo(dest[PrefixLength..]);
        return PrefixLength + key.Length;
    }

    public static byte[] MetaKey(int slot, int pdb, ReadOnlySpan<byte> key)
    {
        var dest = new byte[PrefixLength + key.Length];
        MetaKey(dest, slot, pdb, key);
        return dest;
    }

    /// <summary>[slot][pdb][kind][key len][key][version] — the prefix of every element (or score) record of one key version.</summary>
    public static byte[] ElementPrefix(int slot, int pdb, byte kind, ReadOnlySpan<byte> key, ulong version, int extra = 0)
    {
        var dest = new byte[PrefixLength + 4 + key.Length + VersionLength + extra];
        WriteElementPrefix(dest, slot, pdb, kind, key, version);
        return dest;
    }

    public static int ElementPrefixLength(int keyLength) => PrefixLength + 4 + keyLength + VersionLength;

    public static int WriteElementPrefix(Span<byte> dest, int slot, int pdb, byte kind, ReadOnlySpan<byte> key, ulong version)
    {
        WritePrefix(dest, slot, pdb, kind);
        BinaryPrimitives.WriteUInt32BigEndian(dest[PrefixLength..], (uint)key.Length);
        key.CopyTo(dest[(PrefixLength + 4)..]);
        BinaryPrimitives.WriteUInt64BigEndian(dest[(PrefixLength + 4 + key.Length)..], version);
        return PrefixLength + 4 + key.Length + VersionLength;
    }

    public static byte[] ElementKey(int slot, int pdb, ReadOnlySpan<byte> key, ulong version, ReadOnlySpan<byte> field)
    {
        var dest = ElementPrefix(slot, pdb, KindElement, key, version, field.Length);
        field.CopyTo(dest.AsSpan(ElementPrefixLength(key.Length)));
        return dest;
    }

    /// <summary>The record of list chunk <paramref name="chunk"/> (list index / 32, see ListChunk).</summary>
    public static byte[] ListChunkKey(int slot, int pdb, ReadOnlySpan<byte> key, ulong version, ulong chunk)
    {
        var dest = ElementPrefix(slot, pdb, KindElement, key, version, 8);
        BinaryPrimitives.WriteUInt64BigEndian(dest.AsSpan(ElementPrefixLength(key.Length)), chunk);
        return dest;
    }

    /// <summary>
    /// The record of a list element too long to sit inside its chunk: the chunk's key and the offset,
    /// so it sorts after its chunk and before the next one.
    /// </summary>
    public static byte[] ListExternalKey(int slot, int pdb, ReadOnlySpan<byte> key, ulong version, ulong chunk, int offset)
    {
        var dest = ElementPrefix(slot, pdb, KindElement, key, version, 9);
        int at = ElementPrefixLength(key.Length);
        BinaryPrimitives.WriteUInt64BigEndian(dest.AsSpan(at), chunk);
        dest[at + 8] = (byte)offset;
        return dest;
    }

    public static byte[] ScoreKey(int slot, int pdb, ReadOnlySpan<byte> key, ulong version, double score, ReadOnlySpan<byte> member)
    {
        var dest = ElementPrefix(slot, pdb, KindScore, key, version, 8 + member.Length);
        int at = ElementPrefixLength(key.Length);
        BinaryPrimitives.WriteUInt64BigEndian(dest.AsSpan(at), EncodeScore(score));
        member.CopyTo(dest.AsSpan(at + 8));
        return dest;
    }

    public static byte[] ExpiryKey(int slot, int pdb, long expireAtMs, ReadOnlySpan<byte> key)
    {
        var dest = new byte[PrefixLength + 8 + key.Length];
        WritePrefix(dest, slot, pdb, KindExpiry);
        BinaryPrimitives.WriteUInt64BigEndian(dest.AsSpan(PrefixLength), (ulong)expireAtMs);
        key.CopyTo(dest.AsSpan(PrefixLength + 8));
        return dest;
    }

    public static byte[] KeyCountKey(int slot, int pdb)
    {
        var dest = new byte[PrefixLength];
        WritePrefix(dest, slot, pdb, KindKeyCount);
        return dest;
    }

    /// <summary>The first key of a (slot, pdb, kind) range; the range ends at the same prefix with kind + 1.</summary>
    public static byte[] KindStart(int slot, int pdb, byte kind)
    {
        var dest = new byte[PrefixLength];
        WritePrefix(dest, slot, pdb, kind);
        return dest;
    }

    /// <summary>[slot][pdb] .. [slot][pdb + 1]: every record of one database in one slot.</summary>
    public static (byte[] Start, byte[] End) DatabaseRange(int slot, int pdb)
    {
        var start = new byte[3];
        BinaryPrimitives.WriteUInt16BigEndian(start, (ushort)slot);
        start[2] = (byte)pdb;
        var end = (byte[])start.Clone();
        if (pdb == 255) { BinaryPrimitives.WriteUInt16BigEndian(end, (ushort)(slot + 1)); end[2] = 0; }
        else end[2] = (byte)(pdb + 1);
        return (start, end);
    }

    /// <summary>[slot] .. [slot + 1]: every record of a slot.</summary>
    public static (byte[] Start, byte[] End) SlotRange(int slot)
    {
        var start = new byte[2];
        var end = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(start, (ushort)slot);
        BinaryPrimitives.WriteUInt16BigEndian(end, (ushort)(slot + 1));
        return (start, end);
    }

    public static byte[] SystemKey(byte systemKind, int extra = 0)
    {
        var dest = new byte[3 + extra];
        dest[0] = SystemPrefix; dest[1] = SystemPrefix; dest[2] = systemKind;
        return dest;
    }

    public static byte[] GarbageKey(ulong version, int slot, int pdb, ReadOnlySpan<byte> key)
    {
        var dest = SystemKey(SystemGarbage, 8 + 2 + 1 + 4 + key.Length);
        var span = dest.AsSpan(3);
        BinaryPrimitives.WriteUInt64BigEndian(span, version);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], (ushort)slot);
        span[10] = (byte)pdb;
        BinaryPrimitives.WriteUInt32BigEndian(span[11..], (uint)key.Length);
        key.CopyTo(span[15..]);
        return dest;
    }

    public static void ParseGarbageKey(ReadOnlySpan<byte> record, out ulong version, out int slot, out int pdb, out ReadOnlySpan<byte> key)
    {
        var span = record[3..];
        version = BinaryPrimitives.ReadUInt64BigEndian(span);
        slot = BinaryPrimitives.ReadUInt16BigEndian(span[8..]);
        pdb = span[10];
        int len = (int)BinaryPrimitives.ReadUInt32BigEndian(span[11..]);
        key = span.Slice(15, len);
    }

    /// <summary>Order-preserving encoding of a double: byte order equals numeric order; -0 sorts as +0.</summary>
    public static ulong EncodeScore(double score)
    {
        if (score == 0) score = 0; // folds -0 into +0
        ulong bits = (ulong)BitConverter.DoubleToInt64Bits(score);
        return (bits & 0x8000_0000_0000_0000UL) != 0 ? ~bits : bits | 0x8000_0000_0000_0000UL;
    }

    public static double DecodeScore(ulong encoded)
    {
        ulong bits = (encoded & 0x8000_0000_0000_0000UL) != 0 ? encoded & 0x7FFF_FFFF_FFFF_FFFFUL : ~encoded;
        return BitConverter.Int64BitsToDouble((long)bits);
    }

    /// <summary>The value of a sorted-set element record: the score's IEEE 754 bits, little-endian.</summary>
    public static byte[] EncodeScoreValue(double score)
    {
        var value = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(value, score);
        return value;
    }

    public static double DecodeScoreValue(ReadOnlySpan<byte> value) => BinaryPrimitives.ReadDoubleLittleEndian(value);

    /// <summary>The smallest key greater than every key that starts with prefix.</summary>
    public static byte[] PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        var end = prefix.ToArray();
        for (int i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] != 0xFF) { end[i]++; return end.AsSpan(0, i + 1).ToArray(); }
        }
        return []; // all 0xFF: unbounded
    }
}
