using Reborn.Core.DataModel;
using Reborn.Storage;

namespace Reborn.Core.Migration;

/// <summary>
/// Records a snapshot copy read verbatim from the source, keys and values back to back in one buffer,
/// on their way into the target's bulk load. A copy keeps two and alternates: reading into one
/// overlaps loading the other. Each read replaces what the buffer held, so a copy allocates nothing per record.
/// </summary>
internal sealed class CopiedRecords(int capacity)
{
    private byte[] _bytes = new byte[capacity];
    private int _length;
    private readonly List<(int Key, int Value)> _lengths = [];

    /// <summary>
    /// Reads the records of [<paramref name="from"/>, <paramref name="end"/>) verbatim from
    /// <paramref name="reader"/> (the source's snapshot), in place of those held, stopping before
    /// <paramref name="maxBytes"/> bytes or <paramref name="maxKeys"/> metadata records are passed.
    /// Returns the keys (metadata records) and bytes read, and the record key to resume from (null
    /// when the range is done). The slots' counters go into <paramref name="counters"/> on the way.
    /// </summary>
    public (long Keys, long Bytes, byte[]? Next) Read(IStorageReader reader, byte[] from, byte[] end, long maxBytes, long maxKeys, SlotCounters counters)
    {
        _length = 0;
        _lengths.Clear();
        long keys = 0, bytes = 0;
        using var it = reader.CreateIterator(from, end);
        for (it.SeekToFirst(); it.Valid; it.Next())
        {
            var key = it.Key;
            bool meta = key.Length > KeyEncoding.PrefixLength && key[3] == KeyEncoding.KindMeta;
            if (bytes >= maxBytes || (meta && keys >= maxKeys))
                return (keys, bytes, key.ToArray());
            var value = it.Value;
            if (!meta) counters.Count(key, value);
            Add(key, value);
            bytes += key.Length + value.Length;
            if (meta) keys++;
        }

        return (keys, bytes, null);
    }

    /// <summary>Puts the records, in the order they were read, into <paramref name="load"/>.</summary>
    public void PutInto(IBulkLoad load)
    {
        int at = 0;
        foreach (var (key, value) in _lengths)
        {
            load.Put(_bytes.AsSpan(at, key), _bytes.AsSpan(at + key, value));
            at += key + value;
        }
    }

    private void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int needed = _length + key.Length + value.Length;
        if (needed > _bytes.Length)
            Array.Resize(ref _bytes, Math.Max(needed, 2 * _bytes.Length));
        key.CopyTo(_bytes.AsSpan(_length));
        value.CopyTo(_bytes.AsSpan(_length + key.Length));
        _length = needed;
        _lengths.Add((key.Length, value.Length));
    }
}
