namespace Reborn.Core.DataModel;

/// <summary>
/// The keys written in a set of slots while a snapshot copy of them runs. Replay copies each
/// journaled key's current state again; the journal only needs to say which keys changed.
/// </summary>
internal sealed class SlotJournal
{
    private readonly bool[] _slots;
    private HashSet<(int Pdb, string Key)> _dirty = new();
    private readonly Lock _gate = new();

    public SlotJournal(bool[] slots) => _slots = slots;

    public void Record(int slot, int pdb, ReadOnlySpan<byte> key)
    {
        if (!_slots[slot]) return;
        lock (_gate) _dirty.Add((pdb, Convert.ToBase64String(key)));
    }

    public int Count { get { lock (_gate) return _dirty.Count; } }

    /// <summary>Takes the keys journaled so far and starts a fresh set.</summary>
    public List<(int Pdb, byte[] Key)> Drain()
    {
        HashSet<(int, string)> taken;
        lock (_gate) { taken = _dirty; _dirty = new(); }
        return taken.Select(e => (e.Item1, Convert.FromBase64String(e.Item2))).ToList();
    }
}
