using Reborn.Storage;

namespace Reborn.Core.DataModel;

/// <summary>Shared plumbing of the collection types (hash, list, set, sorted set). Everything here runs under Gate.</summary>
internal sealed partial class Keyspace
{
    /// <summary>Fresh metadata for a new, empty collection with a never-used version.</summary>
    private Metadata NewCollection(RedisType type) => new()
    {
        Type = type,
        Version = NewVersion(),
        Head = Metadata.ListInitialIndex,
        Tail = Metadata.ListInitialIndex,
    };

    /// <summary>
    /// Looks up a collection of <paramref name="type"/> (WRONGTYPE for another type) or, when
    /// absent and <paramref name="create"/>, returns new metadata. <paramref name="exists"/> says which.
    /// </summary>
    private bool OpenCollection(in KeyRef k, RedisType type, bool create, out Metadata meta, out bool exists)
    {
        exists = Lookup(k, type, out meta);
        if (exists) return true;
        if (!create) return false;
        meta = NewCollection(type);
        return true;
    }

    /// <summary>
    /// Writes a collection's metadata after its elements changed in the current batch: an empty
    /// collection is deleted (Redis never keeps empty collections), otherwise the record is stored.
    /// </summary>
    private void SaveCollection(in KeyRef k, in Metadata meta, bool existed)
    {
        if (meta.Count <= 0)
        {
            if (existed)
            {
                var gone = meta;
                gone.Count = 0; // elements were deleted one by one; nothing left for the sweep
                DeleteKey(k, gone);
            }
            return;
        }
        Span<byte> record = stackalloc byte[Metadata.ListLength];
        PutMeta(k, record[..meta.EncodeCollection(record)], existed ? meta.ExpireAtMs : 0, existed);
    }

    private byte[]? GetElement(in KeyRef k, ulong version, ReadOnlySpan<byte> field)
        => _engine.Get(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, version, field));

    /// <summary>Whether an element record exists, without copying its value.</summary>
    private bool ElementExists(ReadOnlySpan<byte> elementKey) => _engine.TryRead(elementKey, 0, static (_, _) => true, out _);

    /// <summary>
    /// Visits the element records of one key version in key order (or reverse): the visitor gets the
    /// field (the record key after the version) and the value, and returns false to stop.
    /// </summary>
    private void ForEachElement(in KeyRef k, ulong version, bool reverse, ElementVisitor visitor, byte kind = KeyEncoding.KindElement)
    {
        var prefix = KeyEncoding.ElementPrefix(k.Slot, k.Pdb, kind, k.UserKey, version);
        using var it = _engine.CreateIterator(prefix, KeyEncoding.PrefixEnd(prefix));
        if (reverse) it.SeekToLast(); else it.SeekToFirst();
        for (; it.Valid; _ = reverse ? Prev(it) : Next(it))
        {
            if (!visitor(it.Key[prefix.Length..], it.Value)) break;
        }
    }

    private static bool Next(IStorageIterator it) { it.Next(); return true; }
    private static bool Prev(IStorageIterator it) { it.Prev(); return true; }

    /// <summary>
    /// Hands every element record of a collection to <paramref name="sink"/> in key order: per record
    /// its field, its value, or both (field first). The metadata's count is the number of records;
    /// another number means the records are corrupt, and throws.
    /// </summary>
    private void StreamElements(in KeyRef k, in Metadata meta, ElementParts parts, IValueSink sink)
    {
        long records = meta.Count;
        var prefix = KeyEncoding.ElementPrefix(k.Slot, k.Pdb, KeyEncoding.KindElement, k.UserKey, meta.Version);
        using var it = _engine.CreateIterator(prefix, KeyEncoding.PrefixEnd(prefix));
        it.SeekToFirst();
        sink.Begin(checked((int)(parts == ElementParts.FieldsAndValues ? records * 2 : records)));
        long read = 0;
        for (; it.Valid; it.Next())
        {
            if (read == records) throw CountMismatch(k, records);
            if (parts != ElementParts.Values) sink.Value(it.Key[prefix.Length..]);
            if (parts != ElementParts.Fields) sink.Value(it.Value);
            read++;
        }
        if (read != records) throw CountMismatch(k, records);
    }

    private static InvalidDataException CountMismatch(in KeyRef k, long count)
        => new($"a collection in slot {k.Slot} does not have the {count} element records its metadata counts");

    /// <summary>All elements of one key version as (field, value) pairs, in key order.</summary>
    private List<KeyValuePair<byte[], byte[]>> ReadElements(in KeyRef k, ulong version, byte kind = KeyEncoding.KindElement)
    {
        var items = new List<KeyValuePair<byte[], byte[]>>();
        ForEachElement(k, version, false, (field, value) => { items.Add(new(field.ToArray(), value.ToArray())); return true; }, kind);
        return items;
    }
}

/// <summary>Which parts of each element record a streamed read hands over.</summary>
internal enum ElementParts
{
    Fields,
    Values,
    FieldsAndValues,
}

/// <summary>Sees one element record; return false to stop the iteration.</summary>
internal delegate bool ElementVisitor(ReadOnlySpan<byte> field, ReadOnlySpan<byte> value);
