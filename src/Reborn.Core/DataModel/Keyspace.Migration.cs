using System.Buffers.Binary;
using Reborn.Core.Slots;
using Reborn.Storage;

namespace Reborn.Core.DataModel;

/// <summary>One key's records as they leave a group: the metadata record and its element and score records.</summary>
internal sealed record KeyExport(int Slot, int Pdb, byte[] UserKey, byte[] MetaRecord, Metadata Meta, List<KeyValuePair<byte[], byte[]>> Records)
{
    public long Bytes => MetaRecord.Length + UserKey.Length + Records.Sum(r => (long)r.Key.Length + r.Value.Length);
}

/// <summary>
/// Moving keys between groups. Export and import bypass slot ownership: they are how ownership
/// changes. Callers that write hold the gate of the keyspace they write (always in group-id order
/// when they hold two).
/// </summary>
internal sealed partial class Keyspace
{
    /// <summary>Exports a live key from <paramref name="reader"/> (the engine or a snapshot); null when absent or expired.</summary>
    public KeyExport? ExportKey(IStorageReader reader, int slot, int pdb, ReadOnlySpan<byte> userKey, long nowMs)
    {
        var record = reader.Get(KeyEncoding.MetaKey(slot, pdb, userKey));
        return record is null ? null : ExportRecord(reader, slot, pdb, userKey.ToArray(), record, nowMs);
    }

    /// <summary>Exports a key whose metadata record was already read from <paramref name="reader"/>; null when expired.</summary>
    private static KeyExport? ExportRecord(IStorageReader reader, int slot, int pdb, byte[] userKey, byte[] record, long nowMs)
    {
        var meta = Metadata.Decode(record);
        if (meta.IsExpired(nowMs)) return null;
        var records = new List<KeyValuePair<byte[], byte[]>>();
        if (meta.Type != RedisType.String)
        {
            foreach (byte kind in new[] { KeyEncoding.KindElement, KeyEncoding.KindScore })
            {
                var prefix = KeyEncoding.ElementPrefix(slot, pdb, kind, userKey, meta.Version);
                using var it = reader.CreateIterator(prefix, KeyEncoding.PrefixEnd(prefix));
                for (it.SeekToFirst(); it.Valid; it.Next()) records.Add(new(it.Key.ToArray(), it.Value.ToArray()));
            }
        }
        return new KeyExport(slot, pdb, userKey, record, meta, records);
    }

    /// <summary>
    /// Copies the garbage entries of <paramref name="reader"/> (the snapshot a copy of the slots came
    /// from) that name one of <paramref name="slots"/>: their dead versions came across with the records.
    /// </summary>
    public void CopyGarbage(IStorageReader reader, bool[] slots)
    {
        lock (Gate)
        {
            using var it = reader.CreateIterator(KeyEncoding.SystemKey(KeyEncoding.SystemGarbage), KeyEncoding.SystemKey(KeyEncoding.SystemGarbage + 1));
            BeginWrite();
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                KeyEncoding.ParseGarbageKey(it.Key, out _, out int slot, out _, out _);
                if (!slots[slot]) continue;
                _batch.Put(it.Key, it.Value);
                Garbage.Queued++;
            }
            Commit();
        }
    }

    /// <summary>
    /// The key-by-key mover's read, with no gate (the caller re-checks under the gates that the key is
    /// still here; see MigrationCoordinator.MoveKeys). False when the key is not here. Otherwise its
    /// metadata, and a live key comes back exported, an expired one as null (it is deleted, never moved),
    /// and a collection above <paramref name="bigAbove"/> elements as null with <paramref name="big"/>
    /// set (it moves in chunks).
    /// </summary>
    public bool ReadForMove(int slot, int pdb, byte[] userKey, long bigAbove, out Metadata meta, out KeyExport? export, out bool big)
    {
        var record = _engine.Get(KeyEncoding.MetaKey(slot, pdb, userKey));
        if (record is not null) return ReadForMove(slot, pdb, userKey, record, bigAbove, out meta, out export, out big);
        (meta, export, big) = (default, null, false);
        return false;
    }

    /// <summary><see cref="ReadForMove(int, int, byte[], long, out Metadata, out KeyExport?, out bool)"/> of a key whose metadata record was read already (<see cref="ListSlotRecords"/>).</summary>
    public bool ReadForMove(int slot, int pdb, byte[] userKey, byte[] record, long bigAbove, out Metadata meta, out KeyExport? export, out bool big)
    {
        export = null;
        big = false;
        meta = Metadata.Decode(record);
        long now = NowMs;
        if (meta.IsExpired(now)) return true;
        if (meta.Type != RedisType.String && meta.Count > bigAbove) big = true;
        else export = ExportRecord(_engine, slot, pdb, userKey, record, now);
        return true;
    }

    public KeyExport? ExportLiveKey(int slot, int pdb, ReadOnlySpan<byte> userKey)
    {
        var export = ExportKey(_engine, slot, pdb, userKey, NowMs);
        if (export is null)
        {
            var k = new KeyRef(slot, pdb, KeyEncoding.MetaKey(slot, pdb, userKey));
            var record = _engine.Get(k.MetaKey);
            if (record is not null)
            {
                BeginWrite();
                DeleteKey(k, Metadata.Decode(record));
                Commit();
            }
        }
        return export;
    }

    /// <summary>
    /// Reads, with no gate, the records <see cref="ImportKeys"/> (without <c>absent</c>) and
    /// <see cref="RemoveMovedKey"/> read for these keys, so that under the gate they find RocksDB's
    /// blocks cached. Right after a snapshot move's ingestion the target's blocks are cold: a replay
    /// chunk of 256 keys held the target's gate 5-15 ms reading them, and every write to the group
    /// waited as long. What is read here may change before the gate is taken; only the cache matters.
    /// </summary>
    public void Prefetch(List<KeyExport> exports, List<(int Slot, int Pdb, byte[] Key)> removals)
    {
        foreach (var export in exports)
        {
            HasKey(export.Slot, export.Pdb, export.UserKey);
            if (export.Meta.Type != RedisType.String)
                _engine.Get(KeyEncoding.GarbageKey(export.Meta.Version, export.Slot, export.Pdb, export.UserKey));
        }
        foreach (var (slot, pdb, key) in removals) HasKey(slot, pdb, key);
    }

    /// <summary>
    /// Writes exported keys into this keyspace in one batch (caller holds the gate). A copy already
    /// here (a crash between copy and delete) is replaced, unless the caller knows none of the keys is
    /// here (<paramref name="absent"/>: no read per key). Records keep their version: versions are
    /// unique across the process's groups.
    /// </summary>
    public void ImportKeys(IEnumerable<KeyExport> exports, bool absent = false)
    {
        BeginWrite();
        foreach (var export in exports)
        {
            var k = new KeyRef(export.Slot, export.Pdb, KeyEncoding.MetaKey(export.Slot, export.Pdb, export.UserKey));
            var existing = absent ? null : _engine.Get(k.MetaKey);
            Metadata old = existing is null ? default : Metadata.Decode(existing);
            if (existing is not null) DeleteKey(k, old);
            if (export.Meta.Type != RedisType.String)
            {
                // Records of this very version may already be here: a replay re-imports a copy, or the key
                // moved away and back before the sweep took its old records. They must neither survive
                // (stale elements) nor be swept later (the live key's elements): clear them now.
                var garbage = KeyEncoding.GarbageKey(export.Meta.Version, export.Slot, export.Pdb, export.UserKey);
                if ((existing is not null && old.Version == export.Meta.Version) || _engine.Get(garbage) is not null)
                {
                    foreach (byte kind in new[] { KeyEncoding.KindElement, KeyEncoding.KindScore })
                    {
                        var prefix = KeyEncoding.ElementPrefix(export.Slot, export.Pdb, kind, export.UserKey, export.Meta.Version);
                        _batch.DeleteRange(prefix, KeyEncoding.PrefixEnd(prefix));
                    }
                    _batch.Delete(garbage);
                }
            }
            foreach (var record in export.Records) _batch.Put(record.Key, record.Value);
            PutMeta(k, export.MetaRecord, 0, false);
        }
        Commit();
    }

    /// <summary>Deletes a key that now lives in another group (caller holds the gate). O(1): its elements become garbage.</summary>
    public void RemoveMovedKey(int slot, int pdb, ReadOnlySpan<byte> userKey)
    {
        var k = new KeyRef(slot, pdb, KeyEncoding.MetaKey(slot, pdb, userKey));
        var record = _engine.Get(k.MetaKey);
        if (record is null) return;
        BeginWrite();
        DeleteKey(k, Metadata.Decode(record));
        Commit();
    }

    /// <summary>Deletes keys that now live in another group, in one batch (caller holds the gate).</summary>
    public void RemoveMovedKeys(int slot, List<(int Pdb, byte[] Key)> keys)
    {
        if (keys.Count == 0) return;
        BeginWrite();
        foreach (var (pdb, userKey) in keys)
        {
            var k = new KeyRef(slot, pdb, KeyEncoding.MetaKey(slot, pdb, userKey));
            if (_engine.Get(k.MetaKey) is { } record) DeleteKey(k, Metadata.Decode(record));
        }
        Commit();
    }

    /// <summary>Deletes keys that now live in another group, whose metadata the caller read under the gate it holds, in one batch.</summary>
    public void RemoveMovedKeys(int slot, List<(int Pdb, byte[] Key, Metadata Meta)> keys)
    {
        if (keys.Count == 0) return;
        BeginWrite();
        foreach (var (pdb, userKey, meta) in keys) DeleteKey(new KeyRef(slot, pdb, KeyEncoding.MetaKey(slot, pdb, userKey)), meta);
        Commit();
    }

    public bool HasKey(int slot, int pdb, ReadOnlySpan<byte> userKey) => _engine.Get(KeyEncoding.MetaKey(slot, pdb, userKey)) is not null;

    /// <summary>
    /// Up to <paramref name="max"/> keys of a slot (every database) with their metadata records, in key
    /// order, read by one iterator of the engine: the key-by-key mover's batch. A point read per key would
    /// cost more, and would fill the hot records with keys about to leave.
    /// </summary>
    public List<(int Pdb, byte[] Key, byte[] Record)> ListSlotRecords(int slot, int max)
    {
        var keys = new List<(int, byte[], byte[])>();
        for (int pdb = 0; pdb < DatabaseCount && keys.Count < max; pdb++)
        {
            using var it = _engine.CreateIterator(KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindMeta), KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindMeta + 1));
            for (it.SeekToFirst(); it.Valid && keys.Count < max; it.Next())
                keys.Add((pdb, it.Key[KeyEncoding.PrefixLength..].ToArray(), it.Value.ToArray()));
        }
        return keys;
    }

    /// <summary>
    /// Deletes every record of the slots and the garbage entries naming them (a finished move's source,
    /// a rolled-back copy's target, or a snapshot copy's target before the copy): an entry left behind
    /// would outlive its records, and a later sweep could delete live records of the same version.
    /// </summary>
    public void DropSlots(IEnumerable<int> slots)
    {
        var mask = new bool[SlotHash.SlotCount];
        foreach (int slot in slots) mask[slot] = true;
        lock (Gate)
        {
            BeginWrite();
            using (var it = _engine.CreateIterator(KeyEncoding.SystemKey(KeyEncoding.SystemGarbage), KeyEncoding.SystemKey(KeyEncoding.SystemGarbage + 1)))
            {
                for (it.SeekToFirst(); it.Valid; it.Next())
                {
                    KeyEncoding.ParseGarbageKey(it.Key, out _, out int slot, out _, out _);
                    if (mask[slot]) _batch.Delete(it.Key);
                }
            }
            for (int slot = 0; slot < SlotHash.SlotCount; slot++)
            {
                if (!mask[slot]) continue;
                var (start, end) = KeyEncoding.SlotRange(slot);
                _batch.DeleteRange(start, end);
                for (int pdb = 0; pdb < DatabaseCount; pdb++)
                {
                    _keyCounts[pdb * SlotHash.SlotCount + slot] = 0;
                    _expiryPresent[pdb * SlotHash.SlotCount + slot] = false;
                }
            }
            Commit();
        }
    }

    /// <summary>A key's metadata if present (expired or not), without its elements.</summary>
    public Metadata? PeekMeta(int slot, int pdb, ReadOnlySpan<byte> userKey)
        => _engine.Get(KeyEncoding.MetaKey(slot, pdb, userKey)) is { } record ? Metadata.Decode(record) : null;

    /// <summary>
    /// The element and score records of one key version in chunks, read from the live engine. Used for
    /// big collections moving key by key: their source no longer serves the slot, so nothing else
    /// writes them while the chunks travel.
    /// </summary>
    public IEnumerable<List<KeyValuePair<byte[], byte[]>>> ReadElementChunks(int slot, int pdb, byte[] userKey, ulong version, int chunk)
    {
        foreach (byte kind in new[] { KeyEncoding.KindElement, KeyEncoding.KindScore })
        {
            var prefix = KeyEncoding.ElementPrefix(slot, pdb, kind, userKey, version);
            byte[]? after = null;
            while (true)
            {
                var records = new List<KeyValuePair<byte[], byte[]>>(chunk);
                using (var it = _engine.CreateIterator(after ?? prefix, KeyEncoding.PrefixEnd(prefix)))
                {
                    it.SeekToFirst();
                    if (after is not null && it.Valid && it.Key.SequenceEqual(after)) it.Next();
                    for (; it.Valid && records.Count < chunk; it.Next()) records.Add(new(it.Key.ToArray(), it.Value.ToArray()));
                }
                if (records.Count == 0) break;
                yield return records;
                if (records.Count < chunk) break;
                after = records[^1].Key;
            }
        }
    }

    /// <summary>Writes element records under another version (invisible until metadata names it); no gate needed.</summary>
    public void WriteRecordsAsVersion(List<KeyValuePair<byte[], byte[]>> records, int keyLength, ulong version)
    {
        using var batch = _engine.CreateBatch();
        int at = KeyEncoding.PrefixLength + 4 + keyLength;
        foreach (var (key, value) in records)
        {
            var rekeyed = (byte[])key.Clone();
            BinaryPrimitives.WriteUInt64BigEndian(rekeyed.AsSpan(at), version);
            batch.Put(rekeyed, value);
        }
        _engine.Write(batch);
    }

    /// <summary>Installs the metadata of a key whose elements were written beforehand under <paramref name="version"/> (caller holds the gate).</summary>
    public void ImportMetaAsVersion(int slot, int pdb, ReadOnlySpan<byte> userKey, Metadata meta, ulong version)
    {
        var k = new KeyRef(slot, pdb, KeyEncoding.MetaKey(slot, pdb, userKey));
        meta.Version = version;
        BeginWrite();
        PutMeta(k, meta.EncodeCollection(), 0, false);
        Commit();
    }

    /// <summary>Queues records written under a version that never became visible, for the garbage sweep.</summary>
    public void DiscardVersion(int slot, int pdb, ReadOnlySpan<byte> userKey, ulong version, RedisType type)
    {
        lock (Gate)
        {
            BeginWrite();
            _batch.Put(KeyEncoding.GarbageKey(version, slot, pdb, userKey), [(byte)type]);
            Garbage.Queued++;
            Commit();
        }
    }

    public ulong NextVersion() => NewVersion();

    /// <summary>Whether any record of the slot is stored here.</summary>
    public bool HasRecords(int slot)
    {
        var (start, end) = KeyEncoding.SlotRange(slot);
        using var it = _engine.CreateIterator(start, end);
        it.SeekToFirst();
        return it.Valid;
    }

    /// <summary>This keyspace and another in gate order (lower group id first); ties keep this one first.</summary>
    public (Keyspace Lower, Keyspace Higher) GroupOrder(Keyspace other) => GroupId <= other.GroupId ? (this, other) : (other, this);

    /// <summary>The id of the group this keyspace belongs to (lock ordering).</summary>
    public int GroupId { get; set; }

    /// <summary>Keys and approximate bytes of one slot in this group.</summary>
    public (long Keys, long Bytes) SlotStatistics(int slot)
    {
        long keys = 0;
        lock (Gate)
            for (int pdb = 0; pdb < DatabaseCount; pdb++) keys += _keyCounts[pdb * SlotHash.SlotCount + slot];
        var (start, end) = KeyEncoding.SlotRange(slot);
        return (keys, _engine.ApproximateSize(start, end));
    }

    public long SlotKeyCount(int pdb, int slot) => _keyCounts[pdb * SlotHash.SlotCount + slot];

    /// <summary>Starts journaling writes to the slots (snapshot migration); returns the journal.</summary>
    public SlotJournal StartJournal(bool[] slots)
    {
        // Under the gate: a write that already passed KeyTouched unjournaled commits before the caller's snapshot.
        lock (Gate) return _journal = new SlotJournal(slots);
    }

    public void StopJournal() => _journal = null;

    /// <summary>The database map, so a new group starts with the same logical-to-physical mapping.</summary>
    public byte[] DatabaseMap => (byte[])_databaseMap.Clone();

    public void AdoptDatabaseMap(byte[] map)
    {
        lock (Gate)
        {
            BeginWrite();
            _batch.Put(KeyEncoding.SystemKey(KeyEncoding.SystemDatabaseMap), map);
            Commit();
            _databaseMap = (byte[])map.Clone();
        }
    }
}
