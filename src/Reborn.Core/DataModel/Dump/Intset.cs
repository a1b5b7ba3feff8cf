using System.Buffers.Binary;

namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// Decodes a Redis intset (intset.c): encoding u32 LE (2, 4 or 8 bytes per integer), length u32 LE,
/// then the integers little-endian in strictly ascending order.
/// </summary>
internal static class Intset
{
    private const int HeaderSize = 8;

    /// <summary>The members as decimal text. Throws Bad data format when malformed or empty.</summary>
    public static List<byte[]> Decode(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize)
            throw DumpPayloadException.BadDataFormat();
        uint width = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(blob[4..]);
        if (width is not (2 or 4 or 8) || count == 0 || (ulong)count * width != (ulong)(blob.Length - HeaderSize))
            throw DumpPayloadException.BadDataFormat();

        var members = new List<byte[]>((int)count);
        ReadOnlySpan<byte> contents = blob[HeaderSize..];
        long previous = 0;
        for (int i = 0; i < (int)count; i++)
        {
            ReadOnlySpan<byte> item = contents.Slice(i * (int)width, (int)width);
            long value = width switch
            {
                2 => BinaryPrimitives.ReadInt16LittleEndian(item),
                4 => BinaryPrimitives.ReadInt32LittleEndian(item),
                _ => BinaryPrimitives.ReadInt64LittleEndian(item),
            };
            // Ascending order is what makes an intset a set: it rules out duplicates.
            if (i > 0 && value <= previous)
                throw DumpPayloadException.BadDataFormat();
            previous = value;
            members.Add(RdbText.FormatInteger(value));
        }
        return members;
    }
}
