using Reborn.Core.DataModel;

namespace Reborn.Core.Cluster;

public sealed partial class KeyValueDatabase
{
    public ValueTask<long> KeyDeleteAsync(params RebornKey[] keys)
    {
        var arrays = ToArrays(keys);
        return new(RouteAll(arrays).Delete(Database, arrays));
    }

    public ValueTask<long> KeyExistsAsync(params RebornKey[] keys)
    {
        var arrays = ToArrays(keys);
        return new(RouteAll(arrays).Exists(Database, arrays));
    }

    public ValueTask<long> KeyTouchAsync(params RebornKey[] keys)
    {
        var arrays = ToArrays(keys);
        return new(RouteAll(arrays).Touch(Database, arrays));
    }

    public ValueTask<RedisType> KeyTypeAsync(RebornKey key) => new(Route(key).TypeOf(Database, key.Span));

    /// <summary>EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT in one: an absolute unix time in ms and a condition.</summary>
    public ValueTask<bool> KeyExpireAtAsync(RebornKey key, long unixTimeMs, ExpireCondition condition = ExpireCondition.Always)
        => new(Route(key).ExpireAt(Database, key.Span, unixTimeMs, condition));

    public ValueTask<bool> KeyExpireAsync(RebornKey key, TimeSpan ttl, ExpireCondition condition = ExpireCondition.Always)
    {
        var keyspace = Route(key);
        return new(keyspace.ExpireAt(Database, key.Span, keyspace.NowMs + (long)ttl.TotalMilliseconds, condition));
    }

    public ValueTask<bool> KeyPersistAsync(RebornKey key) => new(Route(key).Persist(Database, key.Span));

    /// <summary>PTTL: remaining ms, -1 without expiry, -2 when missing.</summary>
    public ValueTask<long> KeyTimeToLiveMsAsync(RebornKey key) => new(Route(key).TimeToLiveMs(Database, key.Span));

    /// <summary>PEXPIRETIME: unix ms, -1 without expiry, -2 when missing.</summary>
    public ValueTask<long> KeyExpireTimeMsAsync(RebornKey key) => new(Route(key).ExpireTimeMs(Database, key.Span));

    /// <summary>The cluster's clock in unix ms (the clock expiry uses).</summary>
    public long NowMs => _cluster.Route([]).NowMs;

    public ValueTask<long> DatabaseSizeAsync()
    {
        long total = 0;
        foreach (var keyspace in _cluster.AllKeyspaces) total += keyspace.DatabaseSize(Database);
        return new(total);
    }

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

    public ValueTask<RebornValue> KeyRandomAsync() => new(Value(_cluster.Route([]).RandomKey(Database)));

    public ValueTask<RebornValue[]> KeysAsync(RebornValue pattern)
    {
        var keys = new List<byte[]>();
        foreach (var keyspace in _cluster.AllKeyspaces) keys.AddRange(keyspace.Keys(Database, pattern.Span));
        return new(keys.Select(k => new RebornValue(k)).ToArray());
    }

    /// <summary>RENAME, or RENAMENX when <paramref name="onlyIfAbsent"/> (then false when the target exists).</summary>
    public ValueTask<bool> KeyRenameAsync(RebornKey key, RebornKey newKey, bool onlyIfAbsent = false)
    {
        var keyspace = RouteAll([key.Span.ToArray(), newKey.Span.ToArray()]);
        return new(keyspace.Rename(Database, key.Span, newKey.Span, onlyIfAbsent));
    }

    /// <summary>COPY, possibly into another database (null: this one).</summary>
    public ValueTask<bool> KeyCopyAsync(RebornKey source, RebornKey destination, int? destinationDatabase = null, bool replace = false)
    {
        int target = destinationDatabase ?? Database;
        if ((uint)target >= _cluster.DatabaseCount) throw new RebornException(Errors.DbIndexOutOfRange);
        var keyspace = RouteAll([source.Span.ToArray(), destination.Span.ToArray()]);
        return new(keyspace.Copy(Database, source.Span, target, destination.Span, replace));
    }

    /// <summary>DUMP: Redis 7.0's serialized payload, or null when the key is missing.</summary>
    public ValueTask<byte[]?> KeyDumpAsync(RebornKey key) => new(Route(key).Dump(Database, key.Span));

    /// <summary>RESTORE a DUMP payload. <paramref name="expireAtMs"/> is absolute unix ms, 0 for none.</summary>
    public ValueTask KeyRestoreAsync(RebornKey key, ReadOnlyMemory<byte> payload, long expireAtMs = 0, bool replace = false)
    {
        Route(key).Restore(Database, key.Span, payload.Span, expireAtMs, replace);
        return ValueTask.CompletedTask;
    }

    /// <summary>One SCAN step: the next cursor (0 when complete) and the keys of this step.</summary>
    public ValueTask<ScanPage> ScanAsync(long cursor, RebornValue pattern = default, long count = 10, RedisType type = RedisType.None)
    {
        var keys = new List<byte[]>();
        long next = _cluster.Route([]).Scan(Database, cursor, pattern.Span, Math.Max(1, count), type, keys);
        return new(new ScanPage(next, keys.Select(k => new RebornValue(k)).ToArray()));
    }
}

/// <summary>One step of a SCAN-family iteration.</summary>
public readonly record struct ScanPage(long Cursor, RebornValue[] Items);
