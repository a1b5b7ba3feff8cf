using System.Buffers.Binary;

namespace Reborn.Core.Slots;

/// <summary>A slot's state. Persisted: numbers are append-only.</summary>
public enum SlotState : byte
{
    /// <summary>Owned and served by one group.</summary>
    Stable = 0,

    /// <summary>Moving key by key from Group to Target: the target serves; a touched key moves first.</summary>
    MigratingKeys = 1,

    /// <summary>Copied by snapshot from Group to Target: the source serves until the switch.</summary>
    MigratingSnapshot = 2,
}

/// <summary>Who owns a slot and whether it is moving.</summary>
public readonly record struct SlotAssignment(int Group, SlotState State = SlotState.Stable, int Target = -1)
{
    public bool IsMigrating => State != SlotState.Stable;

    /// <summary>The group that runs commands on the slot's keys now.</summary>
    public int ServingGroup => State == SlotState.MigratingKeys ? Target : Group;
}

/// <summary>
/// The slot table: for each of the 1024 slots its assignment, and a version bumped by every
/// change. Immutable: a change makes a new table, swapped in atomically, so routers read it
/// without locks. Persisted as [version i64][1024 x (group u16, state u8, target u16)] little-endian.
/// </summary>
public sealed class SlotTable
{
    private const int EntryLength = 5;
    private readonly SlotAssignment[] _slots;

    private SlotTable(SlotAssignment[] slots, long version)
    {
        _slots = slots;
        Version = version;
    }

    public long Version { get; }

    public SlotAssignment this[int slot] => _slots[slot];

    public static SlotTable AllIn(int group) => new(Enumerable.Repeat(new SlotAssignment(group), SlotHash.SlotCount).ToArray(), 1);

    /// <summary>A new table with the given slots changed and the version bumped.</summary>
    public SlotTable With(IEnumerable<(int Slot, SlotAssignment Assignment)> changes)
    {
        var slots = (SlotAssignment[])_slots.Clone();
        foreach (var (slot, assignment) in changes) slots[slot] = assignment;
        return new SlotTable(slots, Version + 1);
    }

    public SlotTable With(int first, int last, Func<SlotAssignment, SlotAssignment> change)
        => With(Enumerable.Range(first, last - first + 1).Select(s => (s, change(_slots[s]))));

    public IEnumerable<int> SlotsOf(int group)
    {
        for (int s = 0; s < _slots.Length; s++)
            if (_slots[s].Group == group || _slots[s].Target == group) yield return s;
    }

    public bool Owns(int group, int slot) => _slots[slot].Group == group || _slots[slot].Target == group;

    public byte[] Encode()
    {
        var bytes = new byte[8 + SlotHash.SlotCount * EntryLength];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, Version);
        for (int s = 0; s < _slots.Length; s++)
        {
            var span = bytes.AsSpan(8 + s * EntryLength);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)_slots[s].Group);
            span[2] = (byte)_slots[s].State;
            BinaryPrimitives.WriteUInt16LittleEndian(span[3..], (ushort)(_slots[s].Target < 0 ? 0xFFFF : _slots[s].Target));
        }
        return bytes;
    }

    public static SlotTable Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 8 + SlotHash.SlotCount * EntryLength) throw new InvalidDataException("slot table record has the wrong length");
        var slots = new SlotAssignment[SlotHash.SlotCount];
        for (int s = 0; s < slots.Length; s++)
        {
            var span = bytes[(8 + s * EntryLength)..];
            ushort target = BinaryPrimitives.ReadUInt16LittleEndian(span[3..]);
            slots[s] = new SlotAssignment(BinaryPrimitives.ReadUInt16LittleEndian(span), (SlotState)span[2], target == 0xFFFF ? -1 : target);
        }
        return new SlotTable(slots, BinaryPrimitives.ReadInt64LittleEndian(bytes));
    }

    /// <summary>Compact ranges "first-last:group" for logs and SLOTSINFO-like listings.</summary>
    public IEnumerable<(int First, int Last, SlotAssignment Assignment)> Ranges()
    {
        int start = 0;
        for (int s = 1; s <= _slots.Length; s++)
        {
            if (s == _slots.Length || _slots[s] != _slots[start])
            {
                yield return (start, s - 1, _slots[start]);
                start = s;
            }
        }
    }
}
