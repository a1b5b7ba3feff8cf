using System.Buffers.Binary;

namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// Reads RDB primitives (rdb.c rdbLoadLen, rdbGenericLoadStringObject, rdbLoad*DoubleValue) from an
/// object body. Every failure throws <see cref="DumpPayloadException.BadDataFormat"/>; no length is
/// trusted for an allocation before it is checked against the bytes that remain.
/// </summary>
internal ref struct RdbReader
{
    private const int EncodingInt8 = 0;
    private const int EncodingInt16 = 1;
    private const int EncodingInt32 = 2;
    private const int EncodingLzf = 3;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public RdbReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte()
    {
        if (_position >= _data.Length)
            throw DumpPayloadException.BadDataFormat();
        return _data[_position++];
    }

    /// <summary>A length or, when <paramref name="encoded"/>, a special string encoding number.</summary>
    public ulong ReadLength(out bool encoded)
    {
        byte first = ReadByte();
        encoded = false;
        switch (first >> 6)
        {
            case 0:
                return (ulong)(first & 0x3F);
            case 1:
                return (ulong)((first & 0x3F) << 8 | ReadByte());
            case 3:
                encoded = true;
                return (ulong)(first & 0x3F);
        }
        if (first == 0x80)
            return BinaryPrimitives.ReadUInt32BigEndian(Take(4));
        if (first == 0x81)
            return BinaryPrimitives.ReadUInt64BigEndian(Take(8));
        throw DumpPayloadException.BadDataFormat();
    }

    /// <summary>
    /// An element count. Each element takes at least <paramref name="minBytesEach"/> bytes, so a
    /// count the remaining payload cannot hold is refused before anything is allocated for it.
    /// </summary>
    public int ReadCount(int minBytesEach = 1)
    {
        ulong count = ReadLength(out bool encoded);
        if (encoded || count > (ulong)(Remaining / minBytesEach))
            throw DumpPayloadException.BadDataFormat();
        return (int)count;
    }

    public byte[] ReadString()
    {
        ulong length = ReadLength(out bool encoded);
        if (!encoded)
            return Take(CheckedLength(length)).ToArray();
        switch ((int)length)
        {
            case EncodingInt8:
                return RdbText.FormatInteger((sbyte)ReadByte());
            case EncodingInt16:
                return RdbText.FormatInteger(BinaryPrimitives.ReadInt16LittleEndian(Take(2)));
            case EncodingInt32:
                return RdbText.FormatInteger(BinaryPrimitives.ReadInt32LittleEndian(Take(4)));
            case EncodingLzf:
                return ReadLzfString();
            default:
                throw DumpPayloadException.BadDataFormat();
        }
    }

    /// <summary>RDB_TYPE_ZSET's text double: a length byte (253 NaN, 254 +inf, 255 -inf) then ASCII.</summary>
    public double ReadTextDouble()
    {
        byte length = ReadByte();
        double value;
        switch (length)
        {
            case 253:
                throw DumpPayloadException.BadDataFormat(); // NaN score: Redis refuses it too.
            case 254:
                return double.PositiveInfinity;
            case 255:
                return double.NegativeInfinity;
        }
        if (!RdbText.TryParseScore(Take(length), out value))
            throw DumpPayloadException.BadDataFormat();
        return value;
    }

    /// <summary>RDB_TYPE_ZSET_2's binary double: 8 bytes, little-endian IEEE 754.</summary>
    public double ReadBinaryDouble()
    {
        double value = BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
        if (double.IsNaN(value))
            throw DumpPayloadException.BadDataFormat();
        return value;
    }

    private byte[] ReadLzfString()
    {
        ulong compressedLength = ReadLength(out bool encoded);
        if (encoded)
            throw DumpPayloadException.BadDataFormat();
        ulong length = ReadLength(out encoded);
        if (encoded)
            throw DumpPayloadException.BadDataFormat();
        ReadOnlySpan<byte> compressed = Take(CheckedLength(compressedLength));
        // A declared length beyond what the compressed bytes could ever expand to is a lie: refuse it
        // before allocating.
        if (length == 0 || length > (ulong)compressed.Length * Lzf.MaxExpansion || length > (ulong)Array.MaxLength)
            throw DumpPayloadException.BadDataFormat();
        var value = new byte[length];
        if (!Lzf.TryDecompress(compressed, value))
            throw DumpPayloadException.BadDataFormat();
        return value;
    }

    private readonly int CheckedLength(ulong length)
    {
        if (length > (ulong)Remaining)
            throw DumpPayloadException.BadDataFormat();
        return (int)length;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
            throw DumpPayloadException.BadDataFormat();
        ReadOnlySpan<byte> slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
