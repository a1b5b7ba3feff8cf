using System.Buffers.Binary;

namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// Decodes a Redis ziplist (ziplist.c), the pre-7.0 packed encoding still found in quicklist,
/// hash and sorted-set payloads of RDB version 9 and older: zlbytes u32 LE, zltail u32 LE,
/// zllen u16 LE (65535 = unknown), entries, 0xFF. An entry is prevlen (1 byte, or 0xFE + u32 LE),
/// an encoding (6/14/32-bit string length, int16/32/64/24/8, or a 4-bit immediate 0..12), data.
/// </summary>
internal static class Ziplist
{
    private const int HeaderSize = 10;
    private const byte End = 0xFF;
    private const byte BigPrevlen = 0xFE;
    private const ushort UnknownCount = ushort.MaxValue;

    /// <summary>The elements, integers rendered as decimal text. Throws Bad data format when malformed.</summary>
    public static List<byte[]> Decode(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize + 1
            || BinaryPrimitives.ReadUInt32LittleEndian(blob) != (uint)blob.Length
            || blob[^1] != End)
            throw DumpPayloadException.BadDataFormat();

        uint tail = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        ushort declared = BinaryPrimitives.ReadUInt16LittleEndian(blob[8..]);
        var elements = new List<byte[]>(Math.Min(declared, blob.Length - HeaderSize));
        int position = HeaderSize;
        int lastEntry = HeaderSize;
        int previousSize = 0;
        while (blob[position] != End)
        {
            // Entries must finish before the end byte.
            int size = ReadEntry(blob[position..^1], previousSize, elements);
            lastEntry = position;
            previousSize = size;
            position += size;
        }
        if (position != blob.Length - 1 || tail != (uint)lastEntry
            || (declared != UnknownCount && declared != elements.Count))
            throw DumpPayloadException.BadDataFormat();
        return elements;
    }

    /// <summary>Decodes one entry into <paramref name="elements"/>; returns its whole size.</summary>
    private static int ReadEntry(ReadOnlySpan<byte> rest, int previousSize, List<byte[]> elements)
    {
        int prevlenSize;
        int prevlen;
        if (rest[0] < BigPrevlen)
        {
            prevlenSize = 1;
            prevlen = rest[0];
        }
        else if (rest[0] == BigPrevlen && rest.Length >= 5)
        {
            prevlenSize = 5;
            prevlen = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(rest[1..]), int.MaxValue);
        }
        else
        {
            throw DumpPayloadException.BadDataFormat();
        }
        if (prevlen != previousSize || rest.Length <= prevlenSize)
            throw DumpPayloadException.BadDataFormat();

        ReadOnlySpan<byte> entry = rest[prevlenSize..];
        byte e = entry[0];
        switch (e >> 6)
        {
            case 0:
                return prevlenSize + AddString(entry, 1, e & 0x3F, elements);
            case 1:
                Need(entry, 2);
                return prevlenSize + AddString(entry, 2, (e & 0x3F) << 8 | entry[1], elements);
            case 2:
                Need(entry, 5);
                uint length = BinaryPrimitives.ReadUInt32BigEndian(entry[1..]);
                if (length > int.MaxValue)
                    throw DumpPayloadException.BadDataFormat();
                return prevlenSize + AddString(entry, 5, (int)length, elements);
        }

        long value;
        int dataSize;
        switch (e)
        {
            case 0xC0:
                Need(entry, 3);
                value = BinaryPrimitives.ReadInt16LittleEndian(entry[1..]);
                dataSize = 2;
                break;
            case 0xD0:
                Need(entry, 5);
                value = BinaryPrimitives.ReadInt32LittleEndian(entry[1..]);
                dataSize = 4;
                break;
            case 0xE0:
                Need(entry, 9);
                value = BinaryPrimitives.ReadInt64LittleEndian(entry[1..]);
                dataSize = 8;
                break;
            case 0xF0:
                Need(entry, 4);
                value = (entry[1] | entry[2] << 8 | entry[3] << 16) << 8 >> 8;
                dataSize = 3;
                break;
            case 0xFE:
                Need(entry, 2);
                value = (sbyte)entry[1];
                dataSize = 1;
                break;
            case >= 0xF1 and <= 0xFD:
                value = (e & 0x0F) - 1;
                dataSize = 0;
                break;
            default:
                throw DumpPayloadException.BadDataFormat();
        }
        elements.Add(RdbText.FormatInteger(value));
        return prevlenSize + 1 + dataSize;
    }

    private static int AddString(ReadOnlySpan<byte> entry, int headerSize, int length, List<byte[]> elements)
    {
        if (length > entry.Length - headerSize)
            throw DumpPayloadException.BadDataFormat();
        elements.Add(entry.Slice(headerSize, length).ToArray());
        return headerSize + length;
    }

    private static void Need(ReadOnlySpan<byte> entry, int count)
    {
        if (entry.Length < count)
            throw DumpPayloadException.BadDataFormat();
    }
}
