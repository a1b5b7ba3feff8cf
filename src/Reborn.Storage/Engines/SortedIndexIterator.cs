using System.Collections.Immutable;

namespace Reborn.Storage.Engines;

/// <summary>
/// A bounded cursor over an immutable ordered index. The set never changes under the cursor, so a
/// position is a plain index; every move is O(log n). Subclasses say where values come from.
/// </summary>
internal abstract class SortedIndexIterator : IStorageIterator
{
    private readonly ImmutableSortedSet<IndexEntry> _set;
    private readonly byte[] _lower;
    private readonly byte[]? _upper;
    private readonly int _from;
    private readonly int _to;
    private int _position = -1;
    private IndexEntry? _current;

    protected SortedIndexIterator(ImmutableSortedSet<IndexEntry> set, ReadOnlySpan<byte> lowerBound, ReadOnlySpan<byte> upperBound)
    {
        _set = set;
        _lower = lowerBound.ToArray();
        _upper = upperBound.IsEmpty ? null : upperBound.ToArray();
        (_from, _to) = SortedIndex.Range(set, _lower, _upper);
    }

    public bool Valid => _current is not null;

    public ReadOnlySpan<byte> Key => Current.Key;

    public ReadOnlySpan<byte> Value => ValueOf(Current);

    protected IndexEntry Current => _current ?? throw new InvalidOperationException("The iterator is not positioned on a key");

    public void Seek(ReadOnlySpan<byte> key) => MoveTo(Math.Max(_from, SortedIndex.LowerBound(_set, key)));

    public void SeekForPrev(ReadOnlySpan<byte> key)
    {
        // Last key <= key: the lower bound when it is an exact match, else the one before it.
        var i = SortedIndex.LowerBound(_set, key);
        if (i >= _set.Count || !_set[i].Key.SequenceEqual(key))
            i--;
        MoveTo(Math.Min(i, _to - 1));
    }

    public void SeekToFirst() => MoveTo(_from);

    public void SeekToLast() => MoveTo(_to - 1);

    public void Next()
    {
        _ = Current;
        MoveTo(_position + 1);
    }

    public void Prev()
    {
        _ = Current;
        MoveTo(_position - 1);
    }

    public virtual void Dispose()
    {
        _current = null;
    }

    /// <summary>The value of <paramref name="entry"/>, valid until the next move.</summary>
    protected abstract ReadOnlySpan<byte> ValueOf(IndexEntry entry);

    /// <summary>Called after every move, so subclasses can drop a cached value.</summary>
    protected virtual void OnMoved()
    {
    }

    private void MoveTo(int position)
    {
        _position = position;
        _current = position >= _from && position < _to ? _set[position] : null;
        OnMoved();
    }
}
