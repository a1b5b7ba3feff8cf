using System.Buffers.Binary;
using Reborn.Core.DataModel;
using Reborn.Core.Slots;

namespace Reborn.Core.DataModel;

internal sealed partial class Keyspace
{
    private int _expiryCursor; // next (pdb, slot) pair the active sweep visits

    /// <summary>
    /// One active-expiry step, as Redis's activeExpireCycle: visits (slot, database) pairs that hold
    /// expiry records, deletes keys whose time has come, and stops when <paramref name="budget"/>
    /// elapses or <paramref name="maxKeys"/> keys are gone. Returns the number of keys expired.
    /// </summary>
    public long SweepExpired(TimeSpan budget, int maxKeys)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        long expired = 0;
        int pairs = Keyspace.DatabaseCount * SlotHash.SlotCount;
        Expiry.SweepRuns++;
        for (int visited = 0; visited < pairs; visited++)
        {
            int index = _expiryCursor;
            _expiryCursor = (_expiryCursor + 1) % pairs;
            if (!_expiryPresent[index]) continue;
            int pdb = index / SlotHash.SlotCount, slot = index % SlotHash.SlotCount;
            expired += SweepPair(slot, pdb, maxKeys - (int)expired, out bool empty);
            if (empty) _expiryPresent[index] = false;
            if (expired >= maxKeys || System.Diagnostics.Stopwatch.GetElapsedTime(started) > budget)
            {
                Expiry.SweepBudgetExhausted++;
                break;
            }
        }
        Expiry.ExpiredBySweep += expired;
        return expired;
    }

    private long SweepPair(int slot, int pdb, int maxKeys, out bool empty)
    {
        long now = NowMs;
        long expired = 0;
        var start = KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindExpiry);
        var due = new List<byte[]>();
        lock (Gate)
        {
            using (var it = _engine.CreateIterator(start, KeyEncoding.KindStart(slot, pdb, KeyEncoding.KindExpiry + 1)))
            {
                it.SeekToFirst();
                empty = !it.Valid;
                for (; it.Valid && due.Count < maxKeys; it.Next())
                {
                    long at = (long)BinaryPrimitives.ReadUInt64BigEndian(it.Key[KeyEncoding.PrefixLength..]);
                    if (at >= now) break;
                    due.Add(it.Key.ToArray());
                }
            }
            foreach (var record in due)
            {
                var userKey = record.AsSpan(KeyEncoding.PrefixLength + 8);
                var k = new KeyRef(slot, pdb, KeyEncoding.MetaKey(slot, pdb, userKey));
                var metaRecord = _engine.Get(k.MetaKey);
                BeginWrite();
                if (metaRecord is null) _batch.Delete(record); // stale index entry
                else
                {
                    var meta = Metadata.Decode(metaRecord);
                    if (meta.IsExpired(now)) { DeleteKey(k, meta); expired++; }
                    else if (meta.ExpireAtMs != (long)BinaryPrimitives.ReadUInt64BigEndian(record.AsSpan(KeyEncoding.PrefixLength)))
                        _batch.Delete(record); // stale: the key's expiry changed
                }
                Commit();
            }
        }
        return expired;
    }
}
