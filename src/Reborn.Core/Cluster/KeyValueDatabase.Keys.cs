using Reborn.Core.DataModel;

namespace Reborn.Core.Cluster;

public sealed partial class KeyValueDatabase
{
    /// <summary>DEL / UNLINK: split by group, as Redis Cluster clients split them.</summary>
    public ValueTask<long> KeyDeleteAsync(params RebornKey[] keys) => new(SumByGroup(ToArrays(keys), static (ks, db, part) => ks.Delete(db, part)));

    public ValueTask<long> KeyExistsAsync(params RebornKey[] keys) => new(SumByGroup(ToArrays(keys), static (ks, db, part) => ks.Exists(db, part)));

    public ValueTask<long> KeyTouchAsync(params RebornKey[] keys) => new(SumByGroup(ToArrays(keys), static (ks, db, part) => ks.Touch(db, part)));

    private long SumByGroup(byte[][] keys, Func<Keyspace, int, byte[][], long> count)
    {
        while (true)
        {
            try
            {
                long total = 0;
                foreach (var (keyspace, indexes) in _cluster.SplitByGroup(Database, keys))
                    total += count(keyspace, Database, indexes.Select(i => keys[i]).ToArray());
                return total;
            }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<RedisType> KeyTypeAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Route(key).TypeOf(Database, key.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT in one: an absolute unix time in ms and a condition.</summary>
    public ValueTask<bool> KeyExpireAtAsync(RebornKey key, long unixTimeMs, ExpireCondition condition = ExpireCondition.Always)
    {
        while (true)
        {
            try { return new(Route(key).ExpireAt(Database, key.Span, unixTimeMs, condition)); }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<bool> KeyExpireAsync(RebornKey key, TimeSpan ttl, ExpireCondition condition = ExpireCondition.Always)
    {
        while (true)
        {
            try
            {
                var keyspace = Route(key);
                return new(keyspace.ExpireAt(Database, key.Span, keyspace.NowMs + (long)ttl.TotalMilliseconds, condition));
            }
            catch (SlotMovedException) { }
        }
    }

    public ValueTask<bool> KeyPersistAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Route(key).Persist(Database, key.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>PTTL: remaining ms, -1 without expiry, -2 when missing.</summary>
    public ValueTask<long> KeyTimeToLiveMsAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Route(key).TimeToLiveMs(Database, key.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>PEXPIRETIME: unix ms, -1 without expiry, -2 when missing.</summary>
    public ValueTask<long> KeyExpireTimeMsAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Route(key).ExpireTimeMs(Database, key.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>The cluster's clock in unix ms (the clock expiry uses).</summary>
    public long NowMs => _cluster.NowMs;

    public ValueTask<long> DatabaseSizeAsync() => new(_cluster.DatabaseSize(Database));

    /// <summary>INFO keyspace: keys with an expiry and their average remaining time to live in ms (0 when none).</summary>
    public ValueTask<(long Expires, long AverageTtlMs)> ExpiryStatisticsAsync()
    {
        long count = 0, sum = 0;
        foreach (var keyspace in _cluster.AllKeyspaces)
        {
            var (c, s) = keyspace.ExpiryTotals(Database);
            count += c;
            sum += s;
        }
        return new((count, count == 0 ? 0 : sum / count));
    }

    public ValueTask FlushDatabaseAsync()
    {
        foreach (var keyspace in _cluster.AllKeyspaces) keyspace.FlushDatabase(Database);
        return ValueTask.CompletedTask;
    }

    /// <summary>RANDOMKEY: a group chosen in proportion to its keys, then a random key of it.</summary>
    public ValueTask<RebornValue> KeyRandomAsync()
    {
        var sizes = _cluster.AllKeyspaces.Select(k => (Keyspace: k, Size: k.DatabaseSize(Database))).Where(p => p.Size > 0).ToList();
        long total = sizes.Sum(p => p.Size);
        if (total == 0) return new(RebornValue.Null);
        long pick = Random.Shared.NextInt64(total);
        foreach (var (keyspace, size) in sizes)
        {
            if (pick < size) return new(Value(keyspace.RandomKey(Database)));
            pick -= size;
        }
        return new(RebornValue.Null);
    }

    public ValueTask<RebornValue[]> KeysAsync(RebornValue pattern)
    {
        var keys = new List<byte[]>();
        foreach (var keyspace in _cluster.AllKeyspaces) keys.AddRange(keyspace.Keys(Database, pattern.Span));
        return new(keys.Select(k => new RebornValue(k)).ToArray());
    }

    /// <summary>RENAME, or RENAMENX when <paramref name="onlyIfAbsent"/> (then false when the target exists).</summary>
    public ValueTask<bool> KeyRenameAsync(RebornKey key, RebornKey newKey, bool onlyIfAbsent = false)
    {
        while (true)
        {
            try
            {
                var keyspace = RouteAll([key.Span.ToArray(), newKey.Span.ToArray()]);
                return new(keyspace.Rename(Database, key.Span, newKey.Span, onlyIfAbsent));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>COPY, possibly into another database (null: this one).</summary>
    public ValueTask<bool> KeyCopyAsync(RebornKey source, RebornKey destination, int? destinationDatabase = null, bool replace = false)
    {
        while (true)
        {
            try
            {
                int target = destinationDatabase ?? Database;
                if ((uint)target >= _cluster.DatabaseCount) throw new RebornException(Errors.DbIndexOutOfRange);
                var keyspace = RouteAll([source.Span.ToArray(), destination.Span.ToArray()]);
                return new(keyspace.Copy(Database, source.Span, target, destination.Span, replace));
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>DUMP: Redis 7.0's serialized payload, or null when the key is missing.</summary>
    public ValueTask<byte[]?> KeyDumpAsync(RebornKey key)
    {
        while (true)
        {
            try { return new(Route(key).Dump(Database, key.Span)); }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>RESTORE a DUMP payload. <paramref name="expireAtMs"/> is absolute unix ms, 0 for none.</summary>
    public ValueTask KeyRestoreAsync(RebornKey key, ReadOnlyMemory<byte> payload, long expireAtMs = 0, bool replace = false)
    {
        while (true)
        {
            try
            {
                Route(key).Restore(Database, key.Span, payload.Span, expireAtMs, replace);
                return ValueTask.CompletedTask;
            }
            catch (SlotMovedException) { }
        }
    }

    /// <summary>One SCAN step: the next cursor (0 when complete) and the keys of this step.</summary>
    public ValueTask<ScanPage> ScanAsync(long cursor, RebornValue pattern = default, long count = 10, RedisType type = RedisType.None)
    {
        var keys = new List<byte[]>();
        long next = _cluster.Scan(Database, cursor, pattern.Span, Math.Max(1, count), type, keys);
        return new(new ScanPage(next, keys.Select(k => new RebornValue(k)).ToArray()));
    }
}

/// <summary>One step of a SCAN-family iteration.</summary>
public readonly record struct ScanPage(long Cursor, RebornValue[] Items);
