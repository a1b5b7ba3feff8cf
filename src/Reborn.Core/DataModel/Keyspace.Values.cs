using System.Buffers.Binary;
using Reborn.Core.DataModel.Dump;

namespace Reborn.Core.DataModel;

/// <summary>Whole-value operations: RENAME, COPY, DUMP, RESTORE. Everything runs under Gate.</summary>
internal sealed partial class Keyspace
{
    /// <summary>RENAME / RENAMENX. Returns false only for RENAMENX onto an existing key.</summary>
    public bool Rename(int db, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool onlyIfAbsent)
    {
        var from = Ref(db, source);
        var to = Ref(db, destination);
        lock (Gate)
        {
            if (!Lookup(from, out var meta, out var record)) throw Errors.Error(Errors.NoSuchKey);
            if (source.SequenceEqual(destination)) return !onlyIfAbsent;
            bool targetExists = Lookup(to, out var old, out _);
            if (targetExists && onlyIfAbsent) return false;
            BeginWrite();
            if (targetExists) DeleteKey(to, old);
            CopyRecords(from, meta, record!, to, meta.ExpireAtMs);
            DeleteKey(from, meta);
            Commit();
            if (meta.Type is RedisType.List or RedisType.SortedSet) NotifyReady(db, to);
            return true;
        }
    }

    /// <summary>COPY to another key, possibly in another database. Returns whether it copied.</summary>
    public bool Copy(int db, ReadOnlySpan<byte> source, int destinationDb, ReadOnlySpan<byte> destination, bool replace)
    {
        var from = Ref(db, source);
        var to = Ref(destinationDb, destination);
        lock (Gate)
        {
            if (db == destinationDb && source.SequenceEqual(destination)) throw Errors.Error(Errors.SourceAndDestinationSame);
            if (!Lookup(from, out var meta, out var record)) return false;
            bool targetExists = Lookup(to, out var old, out _);
            if (targetExists && !replace) return false;
            BeginWrite();
            if (targetExists) DeleteKey(to, old);
            CopyRecords(from, meta, record!, to, meta.ExpireAtMs);
            Commit();
            if (meta.Type is RedisType.List or RedisType.SortedSet) NotifyReady(destinationDb, to);
            return true;
        }
    }

    /// <summary>Writes a copy of a key's records under another key (a fresh version for collections).</summary>
    private void CopyRecords(in KeyRef from, in Metadata meta, byte[] record, in KeyRef to, long expireAtMs)
    {
        if (meta.Type == RedisType.String)
        {
            var copy = (byte[])record.Clone();
            Metadata.SetExpiry(copy, expireAtMs);
            PutMeta(to, copy, 0, false);
            return;
        }
        var target = meta;
        target.Version = NewVersion();
        target.ExpireAtMs = expireAtMs;
        foreach (byte kind in new[] { KeyEncoding.KindElement, KeyEncoding.KindScore })
        {
            var targetPrefix = KeyEncoding.ElementPrefix(to.Slot, to.Pdb, kind, to.UserKey, target.Version);
            var batch = _batch;
            var buffer = new List<KeyValuePair<byte[], byte[]>>();
            ForEachElement(from, meta.Version, false, (field, value) =>
            {
                var key = new byte[targetPrefix.Length + field.Length];
                targetPrefix.CopyTo(key, 0);
                field.CopyTo(key.AsSpan(targetPrefix.Length));
                batch.Put(key, value);
                return true;
            }, kind);
        }
        PutMeta(to, target.EncodeCollection(), 0, false);
    }

    /// <summary>DUMP: Redis 7.0's payload for the key, or null when it is missing.</summary>
    public byte[]? Dump(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, out var meta, out var record)) return null;
            return RdbDump.Serialize(ReadValue(k, meta, record!));
        }
    }

    /// <summary>The whole value of a key as a DUMP model.</summary>
    private DumpedValue ReadValue(in KeyRef k, in Metadata meta, byte[] record)
    {
        switch (meta.Type)
        {
            case RedisType.String:
                return DumpedValue.FromString(Metadata.StringValue(record).ToArray());
            case RedisType.Hash:
                return DumpedValue.FromHash(ReadElements(k, meta.Version));
            case RedisType.Set:
                return DumpedValue.FromSet(ReadElements(k, meta.Version).ConvertAll(e => e.Key));
            case RedisType.List:
                return DumpedValue.FromList(ReadList(k, meta));
            case RedisType.SortedSet:
                return DumpedValue.FromSortedSet(ReadElements(k, meta.Version).ConvertAll(e => (e.Key, KeyEncoding.DecodeScoreValue(e.Value))));
            default:
                throw new InvalidDataException($"unknown type {meta.Type}");
        }
    }

    /// <summary>
    /// RESTORE: checks run in Redis's order (BUSYKEY, then the payload); an expiry already in the
    /// past leaves no key. <paramref name="expireAtMs"/> is absolute, 0 for none.
    /// </summary>
    public void Restore(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> payload, long expireAtMs, bool replace)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            bool exists = Lookup(k, out var old, out _);
            if (exists && !replace) throw Errors.Error(Errors.BusyKey);
            DumpedValue value;
            try { value = RdbDump.Deserialize(payload); }
            catch (DumpPayloadException error) { throw Errors.Error("ERR " + error.Message); }
            BeginWrite();
            if (exists) DeleteKey(k, old);
            if (expireAtMs == 0 || expireAtMs > NowMs) WriteValue(k, value, expireAtMs);
            Commit();
            if (value.Type is RedisType.List or RedisType.SortedSet) NotifyReady(db, k);
        }
    }

    /// <summary>Writes a whole value as a new key (the key must not exist in the current batch's view).</summary>
    private void WriteValue(in KeyRef k, DumpedValue value, long expireAtMs)
    {
        if (value.Type == RedisType.String)
        {
            PutMeta(k, Metadata.EncodeString(value.String!, expireAtMs), 0, false);
            return;
        }
        var meta = NewCollection(value.Type);
        meta.ExpireAtMs = expireAtMs;
        switch (value.Type)
        {
            case RedisType.Hash:
                var fields = new Dictionary<byte[], byte[]>(ByteArrayComparer.Instance);
                foreach (var pair in value.Hash!) fields[pair.Key] = pair.Value;
                foreach (var pair in fields) _batch.Put(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, pair.Key), pair.Value);
                meta.Count = fields.Count;
                break;
            case RedisType.Set:
                var members = new HashSet<byte[]>(value.Set!, ByteArrayComparer.Instance);
                foreach (var member in members) _batch.Put(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, member), []);
                meta.Count = members.Count;
                break;
            case RedisType.List:
                var list = EditList(k, meta);
                foreach (var element in value.List!) PushListElement(list, ref meta, element, left: false);
                list.Flush(meta);
                break;
            case RedisType.SortedSet:
                var scores = new Dictionary<byte[], double>(ByteArrayComparer.Instance);
                foreach (var (member, score) in value.SortedSet!) scores[member] = score;
                foreach (var (member, score) in scores)
                {
                    _batch.Put(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, member), KeyEncoding.EncodeScoreValue(score));
                    _batch.Put(KeyEncoding.ScoreKey(k.Slot, k.Pdb, k.UserKey, meta.Version, score, member), []);
                }
                meta.Count = scores.Count;
                break;
        }
        if (meta.Count > 0) PutMeta(k, meta.EncodeCollection(), 0, false);
    }
}
