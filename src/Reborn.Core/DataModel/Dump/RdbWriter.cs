using System.Buffers.Binary;

namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// Writes RDB primitives as Redis 7.0 writes them (rdb.c rdbSaveLen, rdbSaveRawString with
/// rdbcompression on): canonical 32-bit integers int-encoded, strings over 20 bytes LZF-compressed
/// when that saves at least 4 bytes, everything else raw.
/// </summary>
internal sealed class RdbWriter
{
    private const int CompressionThreshold = 20;

    private byte[] _buffer;
    private int _length;

    public RdbWriter(int capacity = 64) => _buffer = new byte[Math.Max(capacity, 16)];

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteLength(ulong length)
    {
        if (length < 1 << 6)
        {
            WriteByte((byte)length);
        }
        else if (length < 1 << 14)
        {
            Span<byte> span = Reserve(2);
            span[0] = (byte)(0x40 | (length >> 8));
            span[1] = (byte)length;
        }
        else if (length <= uint.MaxValue)
        {
            Span<byte> span = Reserve(5);
            span[0] = 0x80;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
        }
        else
        {
            Span<byte> span = Reserve(9);
            span[0] = 0x81;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], length);
        }
    }

    public void WriteString(ReadOnlySpan<byte> value)
    {
        if (value.Length <= 11 && RdbText.TryParseCanonicalInt32(value, out int integer))
        {
            WriteInteger(integer);
            return;
        }
        if (value.Length > CompressionThreshold && TryWriteCompressed(value))
            return;
        WriteLength((ulong)value.Length);
        value.CopyTo(Reserve(value.Length));
    }

    public void WriteBinaryDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    /// <summary>Appends the footer (RDB version, CRC64 of everything before it) and returns the payload.</summary>
    public byte[] ToPayload(ushort rdbVersion)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(Reserve(2), rdbVersion);
        ulong crc = Crc64.Compute(_buffer.AsSpan(0, _length));
        BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), crc);
        return _buffer.AsSpan(0, _length).ToArray();
    }

    private void WriteInteger(int value)
    {
        if (value is >= sbyte.MinValue and <= sbyte.MaxValue)
        {
            Span<byte> span = Reserve(2);
            span[0] = 0xC0;
            span[1] = (byte)(sbyte)value;
        }
        else if (value is >= short.MinValue and <= short.MaxValue)
        {
            Span<byte> span = Reserve(3);
            span[0] = 0xC1;
            BinaryPrimitives.WriteInt16LittleEndian(span[1..], (short)value);
        }
        else
        {
            Span<byte> span = Reserve(5);
            span[0] = 0xC2;
            BinaryPrimitives.WriteInt32LittleEndian(span[1..], value);
        }
    }

    private bool TryWriteCompressed(ReadOnlySpan<byte> value)
    {
        // Redis requires a saving of at least four bytes (rdbSaveLzfStringObject: outlen = len - 4).
        int maxOutput = value.Length - 4;
        byte[] scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(maxOutput + 1);
        try
        {
            int compressedLength = Lzf.Compress(value, scratch, maxOutput);
            if (compressedLength == 0)
                return false;
            WriteByte(0xC3);
            WriteLength((ulong)compressedLength);
            WriteLength((ulong)value.Length);
            scratch.AsSpan(0, compressedLength).CopyTo(Reserve(compressedLength));
            return true;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            long wanted = Math.Max((long)_buffer.Length * 2, (long)_length + count);
            Array.Resize(ref _buffer, (int)Math.Min(wanted, Array.MaxLength));
            if (_buffer.Length - _length < count)
                throw new InvalidOperationException("DUMP payload exceeds the largest array .NET can hold.");
        }
        Span<byte> span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
