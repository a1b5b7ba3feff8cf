using System.Buffers.Binary;
using Reborn.Core.Slots;
using Reborn.Storage;

namespace Reborn.Core.DataModel;

/// <summary>
/// The Redis data model on one engine (one group's data). Every operation that writes, or reads
/// more than one record, runs under <see cref="Gate"/>, which makes it atomic the way Redis's single
/// thread does; single-record reads (GET, STRLEN, TYPE) may run without it. The command families
/// are partial files: Keyspace.Strings.cs, Keyspace.Hashes.cs, and so on.
/// </summary>
internal sealed partial class Keyspace : IDisposable
{
    public const int DatabaseCount = 16;

    private readonly IStorageEngine _engine;
    private readonly TimeProvider _time;
    private readonly TouchingBatch _batch;
    private readonly long[] _keyCounts = new long[DatabaseCount * SlotHash.SlotCount]; // by physical db, then slot
    private readonly bool[] _expiryPresent = new bool[DatabaseCount * SlotHash.SlotCount];
    private byte[] _databaseMap; // logical -> physical database; swapped whole by SWAPDB
    private readonly VersionSource _versions;
    private volatile bool[] _serves = Enumerable.Repeat(true, SlotHash.SlotCount).ToArray();
    private volatile bool[] _holds = Enumerable.Repeat(true, SlotHash.SlotCount).ToArray();
    private volatile SlotJournal? _journal;

    /// <summary>Guards every read-modify-write. Must not be held while waiting on I/O of another group.</summary>
    public readonly Lock Gate = new();

    public Keyspace(IStorageEngine engine, TimeProvider time, VersionSource? versions = null)
    {
        _versions = versions ?? new VersionSource();
        _engine = engine;
        _time = time;
        CheckLayout(engine);
        _batch = new TouchingBatch(engine.CreateBatch(), this);
        _databaseMap = engine.Get(KeyEncoding.SystemKey(KeyEncoding.SystemDatabaseMap)) ?? DefaultDatabaseMap();
        LoadCounters();
    }

    /// <summary>
    /// Refuses an engine whose records have another layout (docs/storage-layout.md), before any of
    /// them is read; marks a new, empty engine with this build's layout. An engine with data but no
    /// mark was written by a build older than the mark (layout version 1).
    /// </summary>
    private static void CheckLayout(IStorageEngine engine)
    {
        var key = KeyEncoding.SystemKey(KeyEncoding.SystemLayout);
        var mark = engine.Get(key);
        int found;
        if (mark is not null) found = mark.Length == 1 ? mark[0] : -1;
        else
        {
            using var it = engine.CreateIterator([], [KeyEncoding.SystemPrefix]); // data records only: the slot table may be written first
            it.SeekToFirst();
            if (!it.Valid)
            {
                using var batch = engine.CreateBatch();
                batch.Put(key, [Metadata.LayoutVersion]);
                engine.Write(batch);
                return;
            }
            found = 1;
        }
        if (found != Metadata.LayoutVersion)
            throw new InvalidDataException(
                $"the data in {engine.Path ?? "memory"} has storage layout version {(found < 0 ? "(unreadable)" : found)}; this build reads version {Metadata.LayoutVersion} " +
                "(docs/storage-layout.md). Open it with the build that wrote it, or start from an empty directory.");
    }

    public IStorageEngine Engine => _engine;
    public TimeProvider Time => _time;
    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Raised after a write made a list or sorted set non-empty; blocking pops wait on it.</summary>
    public event Action<int, byte[]>? KeyReady;

    public GarbageStats Garbage { get; } = new();
    internal Cluster.WatchRegistry Watches { get; } = new();
    public ExpiryStats Expiry { get; } = new();

    private static byte[] DefaultDatabaseMap()
    {
        var map = new byte[DatabaseCount];
        for (int i = 0; i < map.Length; i++) map[i] = (byte)i;
        return map;
    }

    private void LoadCounters()
    {
        using var it = _engine.CreateIterator([], [KeyEncoding.SystemPrefix]);
        for (int slot = 0; slot < SlotHash.SlotCount; slot++) LoadSlotCounters(slot, it);
    }

    /// <summary>
    /// Takes the key counts and expiry-present flags of the slots from <paramref name="counters"/>,
    /// gathered from the records a snapshot migration wrote here verbatim, bypassing the counters.
    /// </summary>
    public void AdoptSlotCounters(IEnumerable<int> slots, SlotCounters counters)
    {
        lock (Gate)
        {
            foreach (int slot in slots)
            {
                for (int at = slot; at < _keyCounts.Length; at += SlotHash.SlotCount)
                {
                    _keyCounts[at] = counters.KeyCounts[at];
                    _expiryPresent[at] = counters.ExpiryPresent[at];
                }
            }
        }
    }

    /// <summary>One slot's key counts (from its count records) and expiry-present flags (whether expiry-index records exist).</summary>
    private void LoadSlotCounters(int slot, IStorageIterator it)
    {
        for (int pdb = 0; pdb < DatabaseCount; pdb++)
        {
            _keyCounts[pdb * SlotHash.SlotCount + slot] = 0;
            _expiryPresent[pdb * SlotHash.SlotCount + slot] = false;
        }
        // Only the databases that hold records of the slot: seek from one to the next.
        var (start, _) = KeyEncoding.SlotRange(slot);
        for (it.Seek(start); it.Valid && BinaryPrimitives.ReadUInt16BigEndian(it.Key) == slot;)
        {
            int pdb = it.Key[2];
            if (pdb >= DatabaseCount) break;
            var expiry = KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindExpiry);
            it.Seek(expiry);
            _expiryPresent[pdb * SlotHash.SlotCount + slot] = it.Valid && it.Key.StartsWith(expiry);
            var count = KeyEncoding.KeyCountKey(slot, pdb);
            it.Seek(count);
            if (it.Valid && it.Key.SequenceEqual(count) && it.Value.Length == 8)
                _keyCounts[pdb * SlotHash.SlotCount + slot] = BinaryPrimitives.ReadInt64LittleEndian(it.Value);
            if (pdb + 1 >= DatabaseCount) break;
            it.Seek(KeyEncoding.KindStart(slot, pdb + 1, 0));
        }
    }

    public void Dispose() => _batch.Dispose();

    // ---- key addressing -------------------------------------------------------------------

    /// <summary>Where a user key lives: its slot, physical database and metadata record key.</summary>
    internal readonly struct KeyRef
    {
        public KeyRef(int slot, int pdb, byte[] metaKey) { Slot = slot; Pdb = pdb; MetaKey = metaKey; }
        public readonly int Slot;
        public readonly int Pdb;
        public readonly byte[] MetaKey;
        public ReadOnlySpan<byte> UserKey => MetaKey.AsSpan(KeyEncoding.PrefixLength);
    }

    public int Physical(int db) => _databaseMap[db];

    public KeyRef Ref(int db, ReadOnlySpan<byte> key)
    {
        int slot = SlotHash.GetSlot(key);
        int pdb = _databaseMap[db];
        return new KeyRef(slot, pdb, KeyEncoding.MetaKey(slot, pdb, key));
    }

    // ---- metadata lookup (under Gate) ------------------------------------------------------

    /// <summary>
    /// Reads a key's metadata; an expired key is deleted on the spot (lazy expiry) and reported absent.
    /// </summary>
    private bool Lookup(in KeyRef k, out Metadata meta, out byte[]? record)
    {
        EnsureServed(k.Slot);
        record = _engine.Get(k.MetaKey);
        if (record is null) { meta = default; return false; }
        meta = Metadata.Decode(record);
        if (meta.HasExpiry && meta.IsExpired(NowMs))
        {
            BeginWrite();
            DeleteKey(k, meta);
            Commit();
            Expiry.ExpiredOnAccess++;
            record = null;
            meta = default;
            return false;
        }
        return true;
    }

    private static readonly ValueReader<int, Metadata> ReadMetadata = static (record, _) => Metadata.Decode(record);

    /// <summary>
    /// Lookup that throws WRONGTYPE when the key exists with another type. The metadata is decoded
    /// where the record lies (no copy of it); a key with a TTL goes through <see cref="Lookup(in KeyRef, out Metadata, out byte[])"/>, which expires it.
    /// </summary>
    private bool Lookup(in KeyRef k, RedisType type, out Metadata meta)
    {
        EnsureServed(k.Slot);
        if (!_engine.TryRead(k.MetaKey, 0, ReadMetadata, out meta)) return false;
        if (meta.HasExpiry && !Lookup(k, out meta, out _)) return false;
        if (meta.Type != type) throw Errors.WrongTypeError();
        return true;
    }

    // ---- batch helpers (under Gate) --------------------------------------------------------

    private void BeginWrite() => _batch.Clear();

    private void Commit()
    {
        if (_batch.Count > 0) _engine.Write(_batch.Inner);
        _batch.PublishRemovals();
        _batch.Clear();
    }

    private readonly long[] _removals = new long[SlotHash.SlotCount];
    private long _rangeRemovals;

    /// <summary>
    /// Changes whenever a key of the slot was deleted here (by any command, expiry, a move, a flush or
    /// a range delete), counted after the write: a reader that took the stamp, then read a key, and
    /// finds the same stamp under the gate knows the key is still as it read it, provided nothing but
    /// deletion can change the slot's keys here (a key-by-key move's source).
    /// </summary>
    public long RemovalStamp(int slot) => Volatile.Read(ref _removals[slot]) + Volatile.Read(ref _rangeRemovals);

    private IWriteBatch Batch => _batch;

    private ulong NewVersion() => _versions.Next();

    // ---- slot ownership (the cluster's slot table, as this group sees it) --------------------

    /// <summary>
    /// The slots this keyspace runs commands for. An operation on another slot throws
    /// <see cref="SlotMovedException"/> after taking the gate, so a command routed just before a
    /// migration switch is re-routed instead of running on the wrong group.
    /// </summary>
    public void SetServedSlots(bool[] serves, bool[] holds)
    {
        _holds = holds;
        _serves = serves;
    }

    /// <summary>Slots whose keys here are live: served, or the source of a key-by-key move. Counting and scanning read only these.</summary>
    public bool Holds(int slot) => _holds[slot];

    public bool Serves(int slot) => _serves[slot];

    private void EnsureServed(int slot)
    {
        if (!_serves[slot]) throw new SlotMovedException(slot);
    }

    /// <summary>
    /// Every put or delete of a key's records (metadata, element, score) passes here through the
    /// write batch: WATCH and the snapshot-migration journal see every write, whatever the command.
    /// Costs one volatile read per record while nobody watches and no journal runs.
    /// </summary>
    private void RecordTouched(ReadOnlySpan<byte> recordKey)
    {
        var journal = _journal;
        if (journal is null && !Watches.Active) return;
        if (recordKey.Length < KeyEncoding.PrefixLength || recordKey[0] == KeyEncoding.SystemPrefix) return;
        int slot = BinaryPrimitives.ReadUInt16BigEndian(recordKey);
        int pdb = recordKey[2];
        ReadOnlySpan<byte> userKey;
        switch (recordKey[3])
        {
            case KeyEncoding.KindMeta:
                userKey = recordKey[KeyEncoding.PrefixLength..];
                break;
            case KeyEncoding.KindElement or KeyEncoding.KindScore:
                int length = (int)BinaryPrimitives.ReadUInt32BigEndian(recordKey[KeyEncoding.PrefixLength..]);
                userKey = recordKey.Slice(KeyEncoding.PrefixLength + 4, length);
                break;
            default:
                return;
        }
        Watches.Touch(pdb, userKey);
        journal?.Record(slot, pdb, userKey);
    }

    /// <summary>
    /// The keyspace's write batch: forwards to the engine's batch, reports each touched key, and notes
    /// the slots whose keys it deletes (published by Commit, after the write, as <see cref="RemovalStamp"/>).
    /// </summary>
    private sealed class TouchingBatch(IWriteBatch inner, Keyspace owner) : IWriteBatch
    {
        private readonly List<int> _removedSlots = new();
        private bool _removedRange;

        public int Count => inner.Count;
        public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) { owner.RecordTouched(key); inner.Put(key, value); }

        public void Delete(ReadOnlySpan<byte> key)
        {
            owner.RecordTouched(key);
            if (key.Length > KeyEncoding.PrefixLength && key[0] != KeyEncoding.SystemPrefix && key[3] == KeyEncoding.KindMeta)
                _removedSlots.Add(BinaryPrimitives.ReadUInt16BigEndian(key));
            inner.Delete(key);
        }

        /// <summary>Ranges are dead versions (garbage), whole slots (migration) or whole databases (FLUSHDB, which touches watches itself).</summary>
        public void DeleteRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
        {
            _removedRange = true;
            inner.DeleteRange(start, end);
        }

        /// <summary>After the write: bumps the removal stamps of the slots this batch deleted keys of.</summary>
        public void PublishRemovals()
        {
            foreach (int slot in _removedSlots) Interlocked.Increment(ref owner._removals[slot]);
            if (_removedRange) Interlocked.Increment(ref owner._rangeRemovals);
        }

        public void Clear()
        {
            _removedSlots.Clear();
            _removedRange = false;
            inner.Clear();
        }
        public void Dispose() => inner.Dispose();
        public IWriteBatch Inner => inner;
    }

    private void AdjustCount(int slot, int pdb, long delta)
    {
        int i = pdb * SlotHash.SlotCount + slot;
        _keyCounts[i] += delta;
        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(value, _keyCounts[i]);
        _batch.Put(KeyEncoding.KeyCountKey(slot, pdb), value);
    }

    /// <summary>Deletes a key in the current batch: O(1) whatever its size; old elements become garbage.</summary>
    private void DeleteKey(in KeyRef k, in Metadata meta)
    {
        _batch.Delete(k.MetaKey);
        if (meta.HasExpiry)
            _batch.Delete(KeyEncoding.ExpiryKey(k.Slot, k.Pdb, meta.ExpireAtMs, k.UserKey));
        if (meta.Type != RedisType.String && meta.Count > 0)
        {
            _batch.Put(KeyEncoding.GarbageKey(meta.Version, k.Slot, k.Pdb, k.UserKey), [(byte)meta.Type]);
            Garbage.Queued++;
        }
        AdjustCount(k.Slot, k.Pdb, -1);
    }

    /// <summary>Writes the metadata record, maintaining the expiry index and key count.</summary>
    private void PutMeta(in KeyRef k, ReadOnlySpan<byte> record, long oldExpireAtMs, bool existed)
    {
        _batch.Put(k.MetaKey, record);
        long newExpire = Metadata.PeekExpiry(record);
        if (oldExpireAtMs != newExpire)
        {
            if (oldExpireAtMs != 0) _batch.Delete(KeyEncoding.ExpiryKey(k.Slot, k.Pdb, oldExpireAtMs, k.UserKey));
            if (newExpire != 0)
            {
                _batch.Put(KeyEncoding.ExpiryKey(k.Slot, k.Pdb, newExpire, k.UserKey), []);
                _expiryPresent[k.Pdb * SlotHash.SlotCount + k.Slot] = true;
            }
        }
        if (!existed) AdjustCount(k.Slot, k.Pdb, 1);
    }

    /// <summary>
    /// Makes room for a new value of a key: when the key exists its old value is dropped
    /// (collections become garbage) so the caller can write a fresh one.
    /// </summary>
    private void DropForOverwrite(in KeyRef k, in Metadata old)
    {
        if (old.Type != RedisType.String && old.Count > 0)
        {
            _batch.Put(KeyEncoding.GarbageKey(old.Version, k.Slot, k.Pdb, k.UserKey), [(byte)old.Type]);
            Garbage.Queued++;
        }
    }

    private void NotifyReady(int db, in KeyRef k) => KeyReady?.Invoke(db, k.UserKey.ToArray());

    // ---- counting -------------------------------------------------------------------------

    public long DatabaseSize(int db)
    {
        int pdb = _databaseMap[db];
        long total = 0;
        lock (Gate)
            for (int slot = 0; slot < SlotHash.SlotCount; slot++) total += HeldCount(pdb, slot);
        return total;
    }

    /// <summary>Keys of a slot and database that count here: zero for slots this group does not hold.</summary>
    private long HeldCount(int pdb, int slot) => _holds[slot] ? _keyCounts[pdb * SlotHash.SlotCount + slot] : 0;

    public long SlotKeyCount(int slot)
    {
        long total = 0;
        lock (Gate)
            for (int pdb = 0; pdb < DatabaseCount; pdb++) total += _keyCounts[pdb * SlotHash.SlotCount + slot];
        return total;
    }

    /// <summary>Keys with an expiry in a database (for INFO keyspace): counted from the expiry index.</summary>
    public long ExpiringKeyCount(int db)
    {
        int pdb = _databaseMap[db];
        long total = 0;
        for (int slot = 0; slot < SlotHash.SlotCount; slot++)
        {
            if (!_expiryPresent[pdb * SlotHash.SlotCount + slot]) continue;
            var start = KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindExpiry);
            using var it = _engine.CreateIterator(start, KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindExpiry + 1));
            for (it.SeekToFirst(); it.Valid; it.Next()) total++;
        }
        return total;
    }

    /// <summary>
    /// Keys with an expiry in a database and the sum of their remaining ms (INFO keyspace's expires and avg_ttl),
    /// read from the expiry index. Entries already past due count with zero remaining.
    /// </summary>
    public (long Count, long RemainingMsSum) ExpiryTotals(int db)
    {
        int pdb = _databaseMap[db];
        long now = NowMs, count = 0, sum = 0;
        for (int slot = 0; slot < SlotHash.SlotCount; slot++)
        {
            if (!_expiryPresent[pdb * SlotHash.SlotCount + slot]) continue;
            var start = KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindExpiry);
            using var it = _engine.CreateIterator(start, KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindExpiry + 1));
            for (it.SeekToFirst(); it.Valid; it.Next())
            {
                long at = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(it.Key[KeyEncoding.PrefixLength..]);
                count++;
                sum += Math.Max(0, at - now);
            }
        }
        return (count, sum);
    }
}

/// <summary>Counters of the background garbage sweep.</summary>
public sealed class GarbageStats
{
    public long Queued;
    public long Swept;
    public long SweepRuns;
}

/// <summary>Counters of expiry: lazy (on access) and active (the sweep).</summary>
public sealed class ExpiryStats
{
    public long ExpiredOnAccess;
    public long ExpiredBySweep;
    public long SweepRuns;
    public long SweepBudgetExhausted;
}
