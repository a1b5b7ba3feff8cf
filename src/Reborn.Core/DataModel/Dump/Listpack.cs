using System.Buffers.Binary;

namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// Decodes a Redis listpack (listpack.c): total-bytes u32 LE, element count u16 LE (65535 = unknown),
/// entries, 0xFF. An entry is an encoding byte (7-bit uint, 6/12/32-bit string length, 13/16/24/32/64-bit
/// int), its data, then its "backlen": the entry's size in 1..5 bytes, 7 bits per byte.
/// </summary>
internal static class Listpack
{
    private const int HeaderSize = 6;
    private const byte End = 0xFF;
    private const ushort UnknownCount = ushort.MaxValue;

    /// <summary>The elements, integers rendered as decimal text. Throws Bad data format when malformed.</summary>
    public static List<byte[]> Decode(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize + 1
            || BinaryPrimitives.ReadUInt32LittleEndian(blob) != (uint)blob.Length
            || blob[^1] != End)
            throw DumpPayloadException.BadDataFormat();

        ushort declared = BinaryPrimitives.ReadUInt16LittleEndian(blob[4..]);
        var elements = new List<byte[]>(Math.Min(declared, blob.Length - HeaderSize));
        int position = HeaderSize;
        while (blob[position] != End)
        {
            int entrySize = ReadEntry(blob, position, elements);
            position += entrySize;
            position += CheckBacklen(blob, position, entrySize);
        }
        if (position != blob.Length - 1 || (declared != UnknownCount && declared != elements.Count))
            throw DumpPayloadException.BadDataFormat();
        return elements;
    }

    /// <summary>Decodes one entry into <paramref name="elements"/>; returns encoding + data size.</summary>
    private static int ReadEntry(ReadOnlySpan<byte> blob, int position, List<byte[]> elements)
    {
        // The end byte is at blob.Length - 1, so every entry must finish before it.
        ReadOnlySpan<byte> rest = blob[position..^1];
        byte b = rest[0];
        if ((b & 0x80) == 0)
        {
            elements.Add(RdbText.FormatInteger(b & 0x7F));
            return 1;
        }
        if ((b & 0xC0) == 0x80)
            return AddString(rest, 1, b & 0x3F, elements);
        if ((b & 0xE0) == 0xC0)
        {
            Need(rest, 2);
            int raw = (b & 0x1F) << 8 | rest[1];
            elements.Add(RdbText.FormatInteger(raw >= 1 << 12 ? raw - (1 << 13) : raw));
            return 2;
        }
        if ((b & 0xF0) == 0xE0)
        {
            Need(rest, 2);
            return AddString(rest, 2, (b & 0x0F) << 8 | rest[1], elements);
        }
        switch (b)
        {
            case 0xF0:
                Need(rest, 5);
                uint length = BinaryPrimitives.ReadUInt32LittleEndian(rest[1..]);
                if (length > int.MaxValue)
                    throw DumpPayloadException.BadDataFormat();
                return AddString(rest, 5, (int)length, elements);
            case 0xF1:
                Need(rest, 3);
                elements.Add(RdbText.FormatInteger(BinaryPrimitives.ReadInt16LittleEndian(rest[1..])));
                return 3;
            case 0xF2:
                Need(rest, 4);
                int int24 = (rest[1] | rest[2] << 8 | rest[3] << 16) << 8 >> 8;
                elements.Add(RdbText.FormatInteger(int24));
                return 4;
            case 0xF3:
                Need(rest, 5);
                elements.Add(RdbText.FormatInteger(BinaryPrimitives.ReadInt32LittleEndian(rest[1..])));
                return 5;
            case 0xF4:
                Need(rest, 9);
                elements.Add(RdbText.FormatInteger(BinaryPrimitives.ReadInt64LittleEndian(rest[1..])));
                return 9;
            default:
                throw DumpPayloadException.BadDataFormat();
        }
    }

    private static int AddString(ReadOnlySpan<byte> rest, int headerSize, int length, List<byte[]> elements)
    {
        if (length > rest.Length - headerSize)
            throw DumpPayloadException.BadDataFormat();
        elements.Add(rest.Slice(headerSize, length).ToArray());
        return headerSize + length;
    }

    /// <summary>Checks the backlen at <paramref name="position"/> encodes <paramref name="entrySize"/>; returns its size.</summary>
    private static int CheckBacklen(ReadOnlySpan<byte> blob, int position, int entrySize)
    {
        int size = BacklenSize(entrySize);
        if (size > blob.Length - 1 - position)
            throw DumpPayloadException.BadDataFormat();
        for (int i = 0; i < size; i++)
        {
            int shift = 7 * (size - 1 - i);
            int expected = i == 0 ? entrySize >> shift : ((entrySize >> shift) & 127) | 128;
            if (blob[position + i] != (byte)expected)
                throw DumpPayloadException.BadDataFormat();
        }
        return size;
    }

    internal static int BacklenSize(int entrySize) => entrySize switch
    {
        <= 127 => 1,
        < 16383 => 2,
        < 2097151 => 3,
        < 268435455 => 4,
        _ => 5,
    };

    private static void Need(ReadOnlySpan<byte> rest, int count)
    {
        if (rest.Length < count)
            throw DumpPayloadException.BadDataFormat();
    }
}
