namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// Redis's CRC-64 (Jones polynomial 0xad93d23594c935a9, reflected in and out, init 0, no final xor),
/// as in redis src/crc64.c. Check value: "123456789" gives 0xe9c6d914c4b8d9ca.
/// </summary>
internal static class Crc64
{
    private const ulong ReflectedPolynomial = 0x95AC9329AC4BC9B5UL;

    private static readonly ulong[] Table = BuildTable();

    public static ulong Compute(ReadOnlySpan<byte> data, ulong crc = 0)
    {
        ulong[] table = Table;
        foreach (byte b in data)
            crc = table[(byte)(crc ^ b)] ^ (crc >> 8);
        return crc;
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (uint i = 0; i < 256; i++)
        {
            ulong crc = i;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            table[i] = crc;
        }
        return table;
    }
}
