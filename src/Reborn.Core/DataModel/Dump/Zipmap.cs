using System.Buffers.Binary;

namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// Decodes a Redis zipmap (zipmap.c), the hash encoding of RDB versions before 4: a count byte,
/// then per pair: key length, key, value length, a "free" byte, value, free padding; then 0xFF.
/// A length is one byte below 254, or 254 followed by a u32 LE.
/// </summary>
internal static class Zipmap
{
    private const byte BigLength = 254;
    private const byte End = 255;

    public static List<KeyValuePair<byte[], byte[]>> Decode(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 2 || blob[^1] != End)
            throw DumpPayloadException.BadDataFormat();
        // Everything but the final end byte; every read below must stay inside it.
        ReadOnlySpan<byte> body = blob[..^1];
        var pairs = new List<KeyValuePair<byte[], byte[]>>(Math.Min((int)blob[0], blob.Length));
        int position = 1;
        while (position < body.Length)
        {
            byte[] field = Take(body, ref position, ReadLength(body, ref position));
            int valueLength = ReadLength(body, ref position);
            int free = Take(body, ref position, 1)[0];
            byte[] value = Take(body, ref position, valueLength);
            Take(body, ref position, free);
            pairs.Add(new(field, value));
        }
        return pairs;
    }

    private static int ReadLength(ReadOnlySpan<byte> body, ref int position)
    {
        if (position >= body.Length)
            throw DumpPayloadException.BadDataFormat();
        byte first = body[position++];
        if (first < BigLength)
            return first;
        if (first == End)
            throw DumpPayloadException.BadDataFormat();
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(Take(body, ref position, 4));
        return length > int.MaxValue ? throw DumpPayloadException.BadDataFormat() : (int)length;
    }

    private static byte[] Take(ReadOnlySpan<byte> body, ref int position, int length)
    {
        if (length > body.Length - position)
            throw DumpPayloadException.BadDataFormat();
        byte[] bytes = body.Slice(position, length).ToArray();
        position += length;
        return bytes;
    }
}
