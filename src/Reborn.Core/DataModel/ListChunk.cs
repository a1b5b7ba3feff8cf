using System.Numerics;

namespace Reborn.Core.DataModel;

/// <summary>
/// The record of one list chunk: the elements of 32 consecutive list indexes, as Redis's quicklist
/// packs a list into listpack nodes. List index i lives in chunk i / 32 at offset i % 32, so a
/// position is found without any directory, and pushes, pops and short ranges touch one or a few
/// records instead of one record per element.
/// Layout: [first offset u8][count u8] then count entries, one per offset first .. first+count-1:
/// a varint header h; h even: an inline element of h / 2 bytes follows; h = 1: the element is longer
/// than <see cref="InlineMax"/> and is stored in its own record (KeyEncoding.ListExternalKey), so a
/// chunk stays small (at most about 4 KB) and rewriting it on a push stays cheap.
/// </summary>
internal static class ListChunk
{
    public const int Shift = 5;
    public const int Slots = 1 << Shift;
    public const ulong OffsetMask = Slots - 1;
    /// <summary>Elements up to this length are stored inside the chunk record.</summary>
    public const int InlineMax = 128;

    /// <summary>A record's header: the first offset and the entry count, one byte each.</summary>
    public const int HeaderLength = 2;

    /// <summary>Where one entry's bytes are inside a chunk record; Length -1 marks an external element.</summary>
    public readonly record struct Entry(int Start, int Length)
    {
        public bool External => Length < 0;
    }

    public static ulong ChunkOf(ulong index) => index >> Shift;

    public static int OffsetOf(ulong index) => (int)(index & OffsetMask);

    public static bool IsInline(int length) => length <= InlineMax;

    /// <summary>The bit of each offset in [from, to] of one chunk.</summary>
    public static uint Bits(int from, int to) => from > to ? 0 : (uint)((2UL << to) - (1UL << from));

    /// <summary>The offsets of chunk <paramref name="chunk"/> that hold list indexes in [head, tail).</summary>
    public static uint LiveBits(ulong chunk, ulong head, ulong tail)
    {
        ulong start = chunk << Shift, end = start + Slots;
        ulong from = Math.Max(start, head), to = Math.Min(end, tail);
        return from >= to ? 0 : Bits((int)(from - start), (int)(to - 1 - start));
    }

    /// <summary>
    /// Parses a chunk record into <paramref name="entries"/> (indexed by entry, not by offset) and
    /// returns the first offset; throws InvalidDataException when the record is malformed.
    /// </summary>
    public static int Parse(ReadOnlySpan<byte> record, Span<Entry> entries, out int count)
    {
        if (record.Length < HeaderLength) throw Corrupt("shorter than its header");
        int first = record[0];
        count = record[1];
        if (count == 0 || first + count > Slots) throw Corrupt($"holds {count} entries from offset {first}");
        int at = HeaderLength;
        for (int i = 0; i < count; i++)
        {
            // Elements of up to 63 bytes have one-byte headers: read those without the varint loop.
            ulong header = at < record.Length && record[at] < 0x80 ? record[at++] : ReadVarint(record, ref at);
            if (header == 1) { entries[i] = new Entry(at, -1); continue; }
            if ((header & 1) != 0 || header / 2 > (ulong)(record.Length - at)) throw Corrupt($"entry {i} has a bad header");
            int length = (int)(header / 2);
            entries[i] = new Entry(at, length);
            at += length;
        }
        if (at != record.Length) throw Corrupt("has bytes after its last entry");
        return first;
    }

    /// <summary>The offsets a record holds, from its header alone.</summary>
    public static uint ReadHeader(ReadOnlySpan<byte> record)
    {
        if (record.Length < HeaderLength || record[1] == 0 || record[0] + record[1] > Slots) throw Corrupt("has a bad header");
        return Bits(record[0], record[0] + record[1] - 1);
    }

    /// <summary>
    /// Encodes the entries of the offsets set in <paramref name="live"/> (contiguous, not empty).
    /// <paramref name="external"/> marks the offsets whose element is stored in its own record.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<ReadOnlyMemory<byte>> values, uint live, uint external)
    {
        int first = BitOperations.TrailingZeroCount(live);
        int last = 31 - BitOperations.LeadingZeroCount(live);
        var record = new byte[HeaderLength + EntriesLength(values, first, last, external)];
        record[0] = (byte)first;
        record[1] = (byte)(last - first + 1);
        WriteEntries(record, HeaderLength, values, first, last, external);
        return record;
    }

    /// <summary>
    /// Encodes <paramref name="live"/>: the encoded entries of <paramref name="kept"/> (contiguous,
    /// inside live) copied as they are from <paramref name="keptEntries"/>, and new entries from
    /// <paramref name="values"/> at either end.
    /// </summary>
    public static byte[] Splice(ReadOnlySpan<ReadOnlyMemory<byte>> values, uint live, uint external, ReadOnlySpan<byte> keptEntries, uint kept)
    {
        byte[] spliced = [];
        Splice(values, live, external, keptEntries, kept, ref spliced); // an empty buffer grows to the exact length
        return spliced;
    }

    /// <summary>The same record, written at the start of <paramref name="buffer"/> (replaced by a larger one when too small); returns its length.</summary>
    public static int Splice(ReadOnlySpan<ReadOnlyMemory<byte>> values, uint live, uint external, ReadOnlySpan<byte> keptEntries, uint kept, ref byte[] buffer)
    {
        int first = BitOperations.TrailingZeroCount(live), last = 31 - BitOperations.LeadingZeroCount(live);
        int keptFirst = BitOperations.TrailingZeroCount(kept), keptLast = 31 - BitOperations.LeadingZeroCount(kept);
        int before = EntriesLength(values, first, keptFirst - 1, external);
        int length = HeaderLength + before + keptEntries.Length + EntriesLength(values, keptLast + 1, last, external);
        if (buffer.Length < length) buffer = new byte[Math.Max(length, buffer.Length == 0 ? 0 : 2 * buffer.Length)];
        var spliced = buffer.AsSpan(0, length);
        spliced[0] = (byte)first;
        spliced[1] = (byte)(last - first + 1);
        WriteEntries(spliced, HeaderLength, values, first, keptFirst - 1, external);
        keptEntries.CopyTo(spliced[(HeaderLength + before)..]);
        WriteEntries(spliced, HeaderLength + before + keptEntries.Length, values, keptLast + 1, last, external);
        return length;
    }

    private static int EntriesLength(ReadOnlySpan<ReadOnlyMemory<byte>> values, int from, int to, uint external)
    {
        int size = 0;
        for (int o = from; o <= to; o++)
            size += (external & (1u << o)) != 0 ? 1 : VarintLength((ulong)values[o].Length * 2) + values[o].Length;
        return size;
    }

    private static void WriteEntries(Span<byte> dest, int at, ReadOnlySpan<ReadOnlyMemory<byte>> values, int from, int to, uint external)
    {
        for (int o = from; o <= to; o++)
        {
            if ((external & (1u << o)) != 0) { dest[at++] = 1; continue; }
            var value = values[o].Span;
            WriteVarint(dest, ref at, (ulong)value.Length * 2);
            value.CopyTo(dest[at..]);
            at += value.Length;
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> source, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= source.Length) throw Corrupt("ends inside an entry header");
            byte b = source[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw Corrupt("has an entry header longer than 10 bytes");
    }

    private static void WriteVarint(Span<byte> dest, ref int at, ulong value)
    {
        while (value >= 0x80)
        {
            dest[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        dest[at++] = (byte)value;
    }

    private static int VarintLength(ulong value)
    {
        int length = 1;
        while (value >= 0x80) { value >>= 7; length++; }
        return length;
    }

    private static InvalidDataException Corrupt(string what) => new($"list chunk record {what}");
}
