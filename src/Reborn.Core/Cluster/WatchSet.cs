using Reborn.Core.DataModel;

namespace Reborn.Core.Cluster;

/// <summary>
/// The keys one client WATCHes. Any write to one of them (or a flush or swap of its database)
/// marks the set dirty, and EXEC then aborts, as in Redis.
/// </summary>
public sealed class WatchSet
{
    private volatile bool _dirty;
    internal readonly List<(WatchRegistry Registry, WatchRegistry.WatchedKey Key)> Entries = new();

    public bool IsDirty => _dirty;
    internal void MarkDirty() => _dirty = true;
}

/// <summary>Watched keys of one keyspace. Costs one volatile read per write while nobody watches.</summary>
internal sealed class WatchRegistry
{
    internal readonly record struct WatchedKey(int Pdb, byte[] Key)
    {
        public bool Equals(WatchedKey other) => Pdb == other.Pdb && Key.AsSpan().SequenceEqual(other.Key);
        public override int GetHashCode() { var h = new HashCode(); h.Add(Pdb); h.AddBytes(Key); return h.ToHashCode(); }
    }

    private readonly Dictionary<WatchedKey, List<WatchSet>> _watchers = new();
    private int _count;

    public void Add(int pdb, byte[] key, WatchSet set)
    {
        var watched = new WatchedKey(pdb, key);
        lock (_watchers)
        {
            if (!_watchers.TryGetValue(watched, out var sets)) _watchers[watched] = sets = new List<WatchSet>();
            sets.Add(set);
            set.Entries.Add((this, watched));
            _count++;
        }
    }

    public void Remove(WatchSet set)
    {
        lock (_watchers)
        {
            foreach (var (registry, key) in set.Entries)
            {
                if (registry != this || !_watchers.TryGetValue(key, out var sets)) continue;
                if (sets.Remove(set)) _count--;
                if (sets.Count == 0) _watchers.Remove(key);
            }
        }
    }

    /// <summary>Whether anybody watches a key here now.</summary>
    public bool Active => Volatile.Read(ref _count) > 0;

    public void Touch(int pdb, ReadOnlySpan<byte> key)
    {
        if (Volatile.Read(ref _count) == 0) return;
        lock (_watchers)
            if (_watchers.TryGetValue(new WatchedKey(pdb, key.ToArray()), out var sets))
                foreach (var set in sets) set.MarkDirty();
    }

    /// <summary>FLUSHDB / SWAPDB: every watched key of the database (null: of every database) is dirty.</summary>
    public void TouchDatabase(int? pdb)
    {
        if (Volatile.Read(ref _count) == 0) return;
        lock (_watchers)
            foreach (var (key, sets) in _watchers)
                if (pdb is null || key.Pdb == pdb)
                    foreach (var set in sets) set.MarkDirty();
    }
}
