using System.Buffers.Binary;
using Reborn.Core.Slots;

namespace Reborn.Core.DataModel;

/// <summary>
/// Slot counters as a keyspace's records give them: the key count of each slot and physical database
/// (its count record) and whether it holds expiry-index records. A snapshot copy gathers them from the
/// records it copies (<see cref="Count"/>), and the target adopts them for the copied slots
/// (<see cref="Keyspace.AdoptSlotCounters"/>) instead of seeking its new records back out.
/// </summary>
internal sealed class SlotCounters
{
    public long[] KeyCounts { get; } = new long[Keyspace.DatabaseCount * SlotHash.SlotCount]; // by physical db, then slot

    public bool[] ExpiryPresent { get; } = new bool[Keyspace.DatabaseCount * SlotHash.SlotCount];

    /// <summary>Takes note of a record of a slot, if it is a count record or an expiry-index record.</summary>
    public void Count(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (key.Length < KeyEncoding.PrefixLength || key[2] >= Keyspace.DatabaseCount)
            return;
        int at = key[2] * SlotHash.SlotCount + BinaryPrimitives.ReadUInt16BigEndian(key);
        if (key[3] == KeyEncoding.KindKeyCount && key.Length == KeyEncoding.PrefixLength && value.Length == 8)
            KeyCounts[at] = BinaryPrimitives.ReadInt64LittleEndian(value);
        else if (key[3] == KeyEncoding.KindExpiry)
            ExpiryPresent[at] = true;
    }
}
