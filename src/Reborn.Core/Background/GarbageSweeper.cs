using Reborn.Core.DataModel;

namespace Reborn.Core.DataModel;

internal sealed partial class Keyspace
{
    /// <summary>
    /// One garbage-sweep step: takes up to <paramref name="maxVersions"/> dead key versions from the
    /// garbage queue (oldest first) and deletes their element and score records with range deletes.
    /// Bounded work per call; returns the number of versions swept.
    /// </summary>
    public int SweepGarbage(int maxVersions)
    {
        int swept = 0;
        Garbage.SweepRuns++;
        var start = KeyEncoding.SystemKey(KeyEncoding.SystemGarbage);
        var end = KeyEncoding.SystemKey(KeyEncoding.SystemGarbage + 1);
        lock (Gate)
        {
            using var it = _engine.CreateIterator(start, end);
            BeginWrite();
            for (it.SeekToFirst(); it.Valid && swept < maxVersions; it.Next())
            {
                KeyEncoding.ParseGarbageKey(it.Key, out ulong version, out int slot, out int pdb, out var key);
                foreach (byte kind in new[] { KeyEncoding.KindElement, KeyEncoding.KindScore })
                {
                    var prefix = KeyEncoding.ElementPrefix(slot, pdb, kind, key, version);
                    _batch.DeleteRange(prefix, KeyEncoding.PrefixEnd(prefix));
                }
                _batch.Delete(it.Key);
                swept++;
            }
            Commit();
        }
        Garbage.Swept += swept;
        return swept;
    }

    /// <summary>Dead key versions waiting for the sweep.</summary>
    public long GarbagePending()
    {
        long pending = 0;
        using var it = _engine.CreateIterator(KeyEncoding.SystemKey(KeyEncoding.SystemGarbage), KeyEncoding.SystemKey(KeyEncoding.SystemGarbage + 1));
        for (it.SeekToFirst(); it.Valid; it.Next()) pending++;
        return pending;
    }
}
