using System.Buffers.Binary;
using System.Text;
using Reborn.Core.DataModel.Dump;

namespace Reborn.Core.Tests.Dump;

/// <summary>
/// Test-only encoders that build listpacks, ziplists, intsets and whole payloads byte by byte from
/// explicit entry encodings, so decoders are checked against the specs, not against themselves.
/// </summary>
internal static class PackedBuilder
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    // ---- listpack entries: encoding + data, without backlen ----
    public static byte[] LpUInt7(int value) => [(byte)value];
    public static byte[] LpStr6(byte[] s) => [(byte)(0x80 | s.Length), .. s];
    public static byte[] LpInt13(int value) => [(byte)(0xC0 | ((value >> 8) & 0x1F)), (byte)value];
    public static byte[] LpStr12(byte[] s) => [(byte)(0xE0 | (s.Length >> 8)), (byte)s.Length, .. s];
    public static byte[] LpStr32(byte[] s) => [0xF0, .. Le32((uint)s.Length), .. s];
    public static byte[] LpInt16(short v) => [0xF1, (byte)v, (byte)(v >> 8)];
    public static byte[] LpInt24(int v) => [0xF2, (byte)v, (byte)(v >> 8), (byte)(v >> 16)];
    public static byte[] LpInt32(int v) => [0xF3, .. Le32((uint)v)];
    public static byte[] LpInt64(long v) => [0xF4, .. Le64((ulong)v)];

    public static byte[] BuildListpack(params byte[][] entries) => BuildListpackWithCount(entries.Length, entries);

    public static byte[] BuildListpackWithCount(int declaredCount, params byte[][] entries)
    {
        var body = new List<byte>();
        foreach (byte[] entry in entries)
        {
            body.AddRange(entry);
            body.AddRange(Backlen(entry.Length));
        }
        int total = 6 + body.Count + 1;
        return [.. Le32((uint)total), (byte)declaredCount, (byte)(declaredCount >> 8), .. body, 0xFF];
    }

    public static byte[] Backlen(int l)
    {
        if (l <= 127) return [(byte)l];
        if (l < 16383) return [(byte)(l >> 7), (byte)((l & 127) | 128)];
        if (l < 2097151) return [(byte)(l >> 14), (byte)(((l >> 7) & 127) | 128), (byte)((l & 127) | 128)];
        return [(byte)(l >> 21), (byte)(((l >> 14) & 127) | 128), (byte)(((l >> 7) & 127) | 128), (byte)((l & 127) | 128)];
    }

    // ---- ziplist entries: encoding + data, without prevlen ----
    public static byte[] ZlStr6(byte[] s) => [(byte)s.Length, .. s];
    public static byte[] ZlStr14(byte[] s) => [(byte)(0x40 | (s.Length >> 8)), (byte)s.Length, .. s];
    public static byte[] ZlStr32(byte[] s) => [0x80, (byte)(s.Length >> 24), (byte)(s.Length >> 16), (byte)(s.Length >> 8), (byte)s.Length, .. s];
    public static byte[] ZlInt16(short v) => [0xC0, (byte)v, (byte)(v >> 8)];
    public static byte[] ZlInt32(int v) => [0xD0, .. Le32((uint)v)];
    public static byte[] ZlInt64(long v) => [0xE0, .. Le64((ulong)v)];
    public static byte[] ZlInt24(int v) => [0xF0, (byte)v, (byte)(v >> 8), (byte)(v >> 16)];
    public static byte[] ZlInt8(sbyte v) => [0xFE, (byte)v];
    public static byte[] ZlImmediate(int v) => [(byte)(0xF1 + v)];

    public static byte[] BuildZiplist(params byte[][] entries)
    {
        var body = new List<byte>();
        int previous = 0;
        int tail = 10;
        foreach (byte[] entry in entries)
        {
            tail = 10 + body.Count;
            byte[] prevlen = previous < 254 ? [(byte)previous] : [0xFE, .. Le32((uint)previous)];
            body.AddRange(prevlen);
            body.AddRange(entry);
            previous = prevlen.Length + entry.Length;
        }
        int total = 10 + body.Count + 1;
        return [.. Le32((uint)total), .. Le32((uint)tail), (byte)entries.Length, (byte)(entries.Length >> 8), .. body, 0xFF];
    }

    public static byte[] BuildIntset(int width, params long[] values)
    {
        var bytes = new List<byte>();
        bytes.AddRange(Le32((uint)width));
        bytes.AddRange(Le32((uint)values.Length));
        foreach (long v in values)
            bytes.AddRange(Le64((ulong)v).Take(width));
        return [.. bytes];
    }

    // ---- RDB pieces ----
    public static byte[] RdbLength(int length) => length switch
    {
        < 64 => [(byte)length],
        < 16384 => [(byte)(0x40 | (length >> 8)), (byte)length],
        _ => [0x80, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length],
    };

    public static byte[] RdbString(byte[] s) => [.. RdbLength(s.Length), .. s];

    /// <summary>A full payload: body, version, and CRC64 (or the given CRC bytes).</summary>
    public static byte[] Payload(byte[] body, ushort version = 10, byte[]? crc = null)
    {
        byte[] withVersion = [.. body, (byte)version, (byte)(version >> 8)];
        return [.. withVersion, .. crc ?? Le64(Crc64.Compute(withVersion))];
    }

    public static byte[] Le32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }

    public static byte[] Le64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return b;
    }

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    public static string[] Texts(IEnumerable<byte[]> items) => items.Select(Text).ToArray();
}
