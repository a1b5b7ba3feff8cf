using System.Collections.Immutable;

namespace Reborn.Storage.Engines;

/// <summary>
/// One key of an in-memory ordered index. The memory engine keeps the value here; the FASTER
/// engine keeps only its length (the value lives in FASTER). Entries are immutable once in a set,
/// because snapshots share them.
/// </summary>
internal sealed class IndexEntry
{
    [ThreadStatic]
    private static IndexEntry? t_probe;

    private byte[] _key;
    private int _keyLength;

    public IndexEntry(byte[] key, byte[]? value, int valueLength)
    {
        _key = key;
        _keyLength = key.Length;
        Value = value;
        ValueLength = valueLength;
    }

    public ReadOnlySpan<byte> Key => new(_key, 0, _keyLength);

    public byte[]? Value { get; }

    public int ValueLength { get; }

    /// <summary>Key plus value bytes, for size accounting.</summary>
    public long Size => _keyLength + ValueLength;

    /// <summary>
    /// A per-thread entry holding a copy of <paramref name="key"/>, for searching a set without
    /// allocating. Valid until the next call on the same thread; never store it in a set.
    /// </summary>
    public static IndexEntry Probe(ReadOnlySpan<byte> key)
    {
        var probe = t_probe ??= new IndexEntry(new byte[64], null, 0);
        if (probe._key.Length < key.Length)
            probe._key = new byte[Math.Max(key.Length, probe._key.Length * 2)];
        key.CopyTo(probe._key);
        probe._keyLength = key.Length;
        return probe;
    }
}

/// <summary>Orders <see cref="IndexEntry"/> by key, memcmp order.</summary>
internal sealed class IndexEntryComparer : IComparer<IndexEntry>
{
    public static readonly IndexEntryComparer Instance = new();

    public static readonly ImmutableSortedSet<IndexEntry> EmptySet = ImmutableSortedSet<IndexEntry>.Empty.WithComparer(Instance);

    public int Compare(IndexEntry? x, IndexEntry? y) => x!.Key.SequenceCompareTo(y!.Key);
}

/// <summary>Searches on an immutable ordered index.</summary>
internal static class SortedIndex
{
    /// <summary>Index of the first entry whose key is &gt;= <paramref name="key"/> (Count when none).</summary>
    public static int LowerBound(ImmutableSortedSet<IndexEntry> set, ReadOnlySpan<byte> key)
    {
        var i = set.IndexOf(IndexEntry.Probe(key));
        return i >= 0 ? i : ~i;
    }

    /// <summary>The entry with exactly this key, or null.</summary>
    public static IndexEntry? Find(ImmutableSortedSet<IndexEntry> set, ReadOnlySpan<byte> key)
        => set.TryGetValue(IndexEntry.Probe(key), out var found) ? found : null;

    /// <summary>Index range [from, to) of the entries whose keys are in [start, end); empty end = no end.</summary>
    public static (int From, int To) Range(ImmutableSortedSet<IndexEntry> set, ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        var from = LowerBound(set, start);
        var to = end.IsEmpty ? set.Count : LowerBound(set, end);
        return (from, Math.Max(from, to));
    }

    /// <summary>Sets or replaces the entry for its key.</summary>
    public static ImmutableSortedSet<IndexEntry> Upsert(ImmutableSortedSet<IndexEntry> set, IndexEntry entry, out IndexEntry? previous)
    {
        if (set.TryGetValue(entry, out var existing))
        {
            previous = existing;
            return set.Remove(existing).Add(entry);
        }

        previous = null;
        return set.Add(entry);
    }
}
