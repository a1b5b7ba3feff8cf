namespace Reborn.Core.Slots;

/// <summary>
/// The one slot function: slot(key) = (CRC16-XMODEM(tag) mod 16384) / 16, where tag is the
/// Redis Cluster hash tag. Reborn slot s is exactly Redis Cluster slots 16s..16s+15.
/// </summary>
public static class SlotHash
{
    public const int SlotCount = 1024;
    public const int RedisClusterSlotCount = 16384;

    private static readonly ushort[] Table = BuildTable();

    /// <summary>The Reborn slot (0..1023) of a key.</summary>
    public static int GetSlot(ReadOnlySpan<byte> key) => GetRedisClusterSlot(key) >> 4;

    /// <summary>The Redis Cluster slot (0..16383) of a key, hash tags honoured.</summary>
    public static int GetRedisClusterSlot(ReadOnlySpan<byte> key) => Crc16(HashTag(key)) & (RedisClusterSlotCount - 1);

    /// <summary>The bytes between the first '{' and the next '}' when non-empty, else the whole key.</summary>
    public static ReadOnlySpan<byte> HashTag(ReadOnlySpan<byte> key)
    {
        int open = key.IndexOf((byte)'{');
        if (open < 0)
            return key;
        int close = key[(open + 1)..].IndexOf((byte)'}');
        return close <= 0 ? key : key.Slice(open + 1, close);
    }

    /// <summary>CRC16-XMODEM (poly 0x1021, init 0), as Redis Cluster uses.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (byte b in data)
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            ushort crc = (ushort)(i << 8);
            for (int bit = 0; bit < 8; bit++)
                crc = (ushort)((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
            table[i] = crc;
        }
        return table;
    }
}
