using System.Buffers.Binary;
using Reborn.Storage;

namespace Reborn.Core.DataModel;

/// <summary>
/// Sorted sets. Each member has two records under the key's version: an element record
/// (ElementKey: member -> score as an 8-byte little-endian double) for point reads, and a score-index
/// record (ScoreKey: order-preserving score, then member -> empty) that keeps Redis's order (score,
/// then member bytes) so ranges by score, rank and lex walk the engine's order. The two records are
/// always written and deleted together in one batch. A score of -0 is stored as +0, as Redis 7.0's
/// listpack encoding does. Ranks cost O(rank) reads: the index has no counts to skip by.
/// </summary>
internal sealed partial class Keyspace
{
    /// <summary>A member and its score, in the internal byte form.</summary>
    internal readonly record struct ZItem(byte[] Member, double Score);

    public readonly record struct ZAddResult(long Added, long Updated, bool Processed, double Score);

    // ---- record helpers (under Gate) ------------------------------------------------------

    private static double ZFold(double score) => score == 0 ? 0.0 : score;

    private void ZPut(in KeyRef k, ulong version, ReadOnlySpan<byte> member, double score)
    {
        score = ZFold(score);
        Batch.Put(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, version, member), KeyEncoding.EncodeScoreValue(score));
        Batch.Put(KeyEncoding.ScoreKey(k.Slot, k.Pdb, k.UserKey, version, score, member), []);
    }

    private void ZDelete(in KeyRef k, ulong version, ReadOnlySpan<byte> member, double score)
    {
        Batch.Delete(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, version, member));
        Batch.Delete(KeyEncoding.ScoreKey(k.Slot, k.Pdb, k.UserKey, version, ZFold(score), member));
    }

    private double? ZGetScore(in KeyRef k, ulong version, ReadOnlySpan<byte> member)
        => GetElement(k, version, member) is { } value ? KeyEncoding.DecodeScoreValue(value) : null;

    /// <summary>A cursor over the score index of one key version, forward or backward.</summary>
    private sealed class ZIndexCursor : IDisposable
    {
        private readonly IStorageIterator _it;
        private readonly byte[] _prefix;
        private readonly bool _reverse;

        public ZIndexCursor(Keyspace keyspace, in KeyRef k, ulong version, bool reverse)
        {
            _prefix = KeyEncoding.ElementPrefix(k.Slot, k.Pdb, KeyEncoding.KindScore, k.UserKey, version);
            _it = keyspace._engine.CreateIterator(_prefix, KeyEncoding.PrefixEnd(_prefix));
            _reverse = reverse;
            if (reverse) _it.SeekToLast(); else _it.SeekToFirst();
        }

        public bool Valid => _it.Valid;
        public double Score => KeyEncoding.DecodeScore(BinaryPrimitives.ReadUInt64BigEndian(_it.Key[_prefix.Length..]));
        public ReadOnlySpan<byte> Member => _it.Key[(_prefix.Length + 8)..];
        public ZItem Item => new(Member.ToArray(), Score);

        public void Move() { if (_reverse) _it.Prev(); else _it.Next(); }

        /// <summary>Forward: the first record with a score at or above <paramref name="score"/>; backward: the last at or below it.</summary>
        public void SeekScore(double score)
        {
            var target = new byte[_prefix.Length + 8];
            _prefix.CopyTo(target, 0);
            ulong encoded = KeyEncoding.EncodeScore(score);
            if (_reverse)
            {
                // Every record with this score sorts below [score + 1]; a record equal to it is skipped by the caller's bound check.
                BinaryPrimitives.WriteUInt64BigEndian(target.AsSpan(_prefix.Length), encoded == ulong.MaxValue ? encoded : encoded + 1);
                if (encoded == ulong.MaxValue) { _it.SeekToLast(); return; }
                _it.SeekForPrev(target);
            }
            else
            {
                BinaryPrimitives.WriteUInt64BigEndian(target.AsSpan(_prefix.Length), encoded);
                _it.Seek(target);
            }
        }

        public void Dispose() => _it.Dispose();
    }

    // ---- writes ---------------------------------------------------------------------------

    /// <summary>
    /// ZADD (and ZINCRBY with <paramref name="increment"/>): pairs are applied in order, so a member
    /// named twice ends with its last score. Keeps the key's expiry.
    /// </summary>
    public ZAddResult ZAdd(int db, ReadOnlySpan<byte> key, ReadOnlySpan<ZItem> items, SortedSetWhen when, bool increment)
    {
        ZValidateAdd(when, increment, items.Length);
        bool nx = (when & SortedSetWhen.NotExists) != 0, xx = (when & SortedSetWhen.Exists) != 0;
        bool gt = (when & SortedSetWhen.GreaterThan) != 0, lt = (when & SortedSetWhen.LessThan) != 0;
        var k = Ref(db, key);
        bool becameNonEmpty;
        ZAddResult result;
        lock (Gate)
        {
            OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out bool existed);
            if (!existed)
            {
                if (xx) return new ZAddResult(0, 0, false, 0);
                meta = NewCollection(RedisType.SortedSet);
            }
            var current = new Dictionary<byte[], double?>(ByteArrayComparer.Instance);
            long added = 0, updated = 0;
            bool processed = false;
            double last = 0;
            // Compute first, write after: a NaN increment must leave the set untouched.
            var writes = new List<(byte[] Member, double? Old, double New)>();
            foreach (var (member, given) in items)
            {
                double score = given;
                if (!current.TryGetValue(member, out double? old))
                    old = existed ? ZGetScore(k, meta.Version, member) : null;
                if (old is double cur)
                {
                    if (nx) continue;
                    if (increment)
                    {
                        score += cur;
                        if (double.IsNaN(score)) throw Errors.Error(Errors.ZsetNaN);
                    }
                    if ((lt && score >= cur) || (gt && score <= cur)) continue;
                    processed = true;
                    last = score;
                    if (score != cur)
                    {
                        writes.Add((member, cur, score));
                        current[member] = score;
                        updated++;
                    }
                }
                else if (!xx)
                {
                    processed = true;
                    last = score;
                    writes.Add((member, null, score));
                    current[member] = score;
                    added++;
                }
            }
            if (writes.Count > 0)
            {
                BeginWrite();
                foreach (var (member, old, score) in writes)
                {
                    if (old is double o) Batch.Delete(KeyEncoding.ScoreKey(k.Slot, k.Pdb, k.UserKey, meta.Version, ZFold(o), member));
                    ZPut(k, meta.Version, member, score);
                }
                meta.Count += added;
                SaveCollection(k, meta, existed);
                Commit();
            }
            becameNonEmpty = !existed && added > 0;
            result = new ZAddResult(added, updated, processed, last);
        }
        if (becameNonEmpty) NotifyReady(db, k);
        return result;
    }

    /// <summary>Redis's option checks of ZADD, in its order.</summary>
    internal static void ZValidateAdd(SortedSetWhen when, bool increment, int pairs)
    {
        bool nx = (when & SortedSetWhen.NotExists) != 0, xx = (when & SortedSetWhen.Exists) != 0;
        bool gt = (when & SortedSetWhen.GreaterThan) != 0, lt = (when & SortedSetWhen.LessThan) != 0;
        if (pairs == 0) throw Errors.Error(Errors.Syntax);
        if (nx && xx) throw Errors.Error(Errors.ZAddNxXx);
        if ((gt && nx) || (lt && nx) || (gt && lt)) throw Errors.Error(Errors.ZAddGtLtNx);
        if (increment && pairs > 1) throw Errors.Error(Errors.ZAddIncrPairs);
    }

    /// <summary>ZREM: members removed; the set is deleted when it becomes empty.</summary>
    public long ZRem(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte[]> members)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _)) return 0;
            var seen = new HashSet<byte[]>(ByteArrayComparer.Instance);
            long removed = 0;
            BeginWrite();
            foreach (var member in members)
            {
                if (!seen.Add(member) || ZGetScore(k, meta.Version, member) is not double score) continue;
                ZDelete(k, meta.Version, member, score);
                removed++;
            }
            if (removed > 0)
            {
                meta.Count -= removed;
                SaveCollection(k, meta, existed: true);
            }
            Commit();
            return removed;
        }
    }

    /// <summary>ZREMRANGEBYRANK / BYSCORE / BYLEX: the members the query selects (order and limit ignored) are removed.</summary>
    public long ZRemRange(int db, ReadOnlySpan<byte> key, SortedSetRangeQuery query)
    {
        query = query with { Order = SortedSetOrder.Ascending, Offset = 0, Count = -1 };
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _)) return 0;
            var items = ZRangeCore(k, meta, query);
            if (items.Count == 0) return 0;
            BeginWrite();
            foreach (var item in items) ZDelete(k, meta.Version, item.Member, item.Score);
            meta.Count -= items.Count;
            SaveCollection(k, meta, existed: true);
            Commit();
            return items.Count;
        }
    }

    /// <summary>
    /// ZPOPMIN / ZPOPMAX over the first existing key of <paramref name="keys"/> (WRONGTYPE if that key is
    /// not a sorted set): up to <paramref name="count"/> members from the low (or high) end. Null when
    /// no key exists. The primitive of ZMPOP and of the blocking pops (BZPOPMIN, BZPOPMAX, BZMPOP).
    /// </summary>
    public (byte[] Key, List<ZItem> Items)? ZPop(int db, ReadOnlySpan<byte[]> keys, bool max, long count)
    {
        lock (Gate)
        {
            foreach (var key in keys)
            {
                var k = Ref(db, key);
                if (!OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _)) continue;
                var items = new List<ZItem>();
                using (var cursor = new ZIndexCursor(this, k, meta.Version, reverse: max))
                    for (; cursor.Valid && items.Count < count; cursor.Move()) items.Add(cursor.Item);
                if (items.Count > 0)
                {
                    BeginWrite();
                    foreach (var item in items) ZDelete(k, meta.Version, item.Member, item.Score);
                    meta.Count -= items.Count;
                    SaveCollection(k, meta, existed: true);
                    Commit();
                }
                return (key, items);
            }
            return null;
        }
    }

    // ---- reads ----------------------------------------------------------------------------

    public long ZCard(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
            return OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _) ? meta.Count : 0;
    }

    public double? ZScore(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> member)
    {
        var k = Ref(db, key);
        lock (Gate)
            return OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _) ? ZGetScore(k, meta.Version, member) : null;
    }

    public double?[] ZMScore(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte[]> members)
    {
        var scores = new double?[members.Length];
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _)) return scores;
            for (int i = 0; i < members.Length; i++) scores[i] = ZGetScore(k, meta.Version, members[i]);
        }
        return scores;
    }

    /// <summary>ZRANK / ZREVRANK: null when the key or member is missing. Counts the index records on one side of the member.</summary>
    public long? ZRank(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> member, bool reverse)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _)) return null;
            if (ZGetScore(k, meta.Version, member) is not double score) return null;
            var prefix = KeyEncoding.ElementPrefix(k.Slot, k.Pdb, KeyEncoding.KindScore, k.UserKey, meta.Version);
            var at = KeyEncoding.ScoreKey(k.Slot, k.Pdb, k.UserKey, meta.Version, ZFold(score), member);
            long rank = 0;
            // Ascending: the records below the member's; descending: those above it (and itself).
            using var it = reverse ? _engine.CreateIterator(at, KeyEncoding.PrefixEnd(prefix)) : _engine.CreateIterator(prefix, at);
            for (it.SeekToFirst(); it.Valid; it.Next()) rank++;
            return reverse ? rank - 1 : rank;
        }
    }

    public long ZCount(int db, ReadOnlySpan<byte> key, SortedSetScoreRange range)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _)) return 0;
            return ZRangeCore(k, meta, SortedSetRangeQuery.ByScore(range), countOnly: true).Count;
        }
    }

    public long ZLexCount(int db, ReadOnlySpan<byte> key, SortedSetLexRange range)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _)) return 0;
            return ZRangeCore(k, meta, SortedSetRangeQuery.ByLex(range), countOnly: true).Count;
        }
    }

    /// <summary>ZRANGE in all its forms; empty when the key is missing.</summary>
    public List<ZItem> ZRange(int db, ReadOnlySpan<byte> key, SortedSetRangeQuery query)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _)) return [];
            return ZRangeCore(k, meta, query);
        }
    }

    /// <summary>
    /// ZRANGE by rank into a sink, members straight from the score index's keys: each member, then
    /// (when <paramref name="withScores"/>) its score. Empty when the key is missing.
    /// </summary>
    public void ZRangeByRank(int db, ReadOnlySpan<byte> key, long start, long stop, bool reverse, bool withScores, IScoredValueSink sink)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!Lookup(k, RedisType.SortedSet, out var meta) || !ZClampRanks(meta.Count, start, stop, out long from, out long to))
            {
                sink.Begin(0);
                return;
            }
            long count = to - from + 1;
            using var cursor = new ZIndexCursor(this, k, meta.Version, reverse);
            for (long i = 0; i < from && cursor.Valid; i++) cursor.Move();
            sink.Begin(checked((int)(withScores ? count * 2 : count)));
            long read = 0;
            for (; read < count && cursor.Valid; read++, cursor.Move())
            {
                sink.Value(cursor.Member);
                if (withScores) sink.Score(cursor.Score);
            }
            if (read != count) throw new InvalidDataException($"a sorted set in slot {k.Slot} has fewer score records than its metadata counts");
        }
    }

    /// <summary>Redis's rank clamping (zrangeGenericCommand): false when the range is empty.</summary>
    private static bool ZClampRanks(long length, long start, long stop, out long from, out long to)
    {
        if (start < 0) start += length;
        if (stop < 0) stop += length;
        if (start < 0) start = 0;
        from = start;
        to = Math.Min(stop, length - 1);
        return start <= stop && start < length;
    }

    /// <summary>ZRANGESTORE: the destination is overwritten (expiry cleared), or deleted when the result is empty.</summary>
    public long ZRangeStore(int db, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> source, SortedSetRangeQuery query)
    {
        var src = Ref(db, source);
        var dst = Ref(db, destination);
        bool stored;
        long count;
        lock (Gate)
        {
            var items = OpenCollection(src, RedisType.SortedSet, create: false, out var meta, out _) ? ZRangeCore(src, meta, query) : [];
            stored = ZStore(dst, items);
            count = items.Count;
        }
        if (stored) NotifyReady(db, dst);
        return count;
    }

    /// <summary>
    /// The members a query selects, in reply order. Ranges by score and rank follow Redis exactly;
    /// lex ranges walk the score order and filter by member as Redis's listpack code does (it assumes
    /// equal scores: with mixed scores the walk stops at the first member past the bound).
    /// </summary>
    private List<ZItem> ZRangeCore(in KeyRef k, in Metadata meta, SortedSetRangeQuery query, bool countOnly = false)
    {
        var result = new List<ZItem>();
        bool reverse = query.Order == SortedSetOrder.Descending;
        switch (query.Kind)
        {
            case SortedSetRangeKind.Rank:
            {
                if (!ZClampRanks(meta.Count, query.Start, query.Stop, out long start, out long end)) return result;
                using var cursor = new ZIndexCursor(this, k, meta.Version, reverse);
                for (long i = 0; cursor.Valid && i <= end; i++, cursor.Move())
                    if (i >= start) result.Add(cursor.Item);
                return result;
            }
            case SortedSetRangeKind.Score:
            {
                var range = query.Score;
                if (query.Offset < 0 || range.Min > range.Max || (range.Min == range.Max && (range.MinExclusive || range.MaxExclusive)))
                    return result;
                long skip = query.Offset, take = query.Count < 0 ? long.MaxValue : query.Count;
                using var cursor = new ZIndexCursor(this, k, meta.Version, reverse);
                cursor.SeekScore(reverse ? range.Max : range.Min);
                for (; cursor.Valid && take > 0; cursor.Move())
                {
                    double score = cursor.Score;
                    if (reverse ? !range.BelowMax(score) : !range.AboveMin(score)) continue; // before the range
                    if (reverse ? !range.AboveMin(score) : !range.BelowMax(score)) break;    // past it
                    if (skip > 0) { skip--; continue; }
                    result.Add(countOnly ? new ZItem([], score) : cursor.Item);
                    take--;
                }
                return result;
            }
            default:
            {
                var range = query.Lex;
                if (query.Offset < 0 || !ZLexMayMatch(k, meta, range)) return result;
                long skip = query.Offset, take = query.Count < 0 ? long.MaxValue : query.Count;
                using var cursor = new ZIndexCursor(this, k, meta.Version, reverse);
                // The first member inside the near bound starts the walk; it must be inside the far bound too.
                while (cursor.Valid && !(reverse ? range.Max.MaxAdmits(cursor.Member) : range.Min.MinAdmits(cursor.Member))) cursor.Move();
                if (!cursor.Valid || !(reverse ? range.Min.MinAdmits(cursor.Member) : range.Max.MaxAdmits(cursor.Member))) return result;
                for (; cursor.Valid && skip > 0; skip--) cursor.Move();
                for (; cursor.Valid && take > 0; cursor.Move(), take--)
                {
                    if (!(reverse ? range.Min.MinAdmits(cursor.Member) : range.Max.MaxAdmits(cursor.Member))) break;
                    result.Add(countOnly ? new ZItem([], 0) : cursor.Item);
                }
                return result;
            }
        }
    }

    /// <summary>zzlIsInLexRange: false when the range is empty by itself, or lies wholly past either end of the set.</summary>
    private bool ZLexMayMatch(in KeyRef k, in Metadata meta, SortedSetLexRange range)
    {
        int cmp = SortedSetLexBound.Compare(range.Min, range.Max);
        if (cmp > 0 || (cmp == 0 && (range.Min.IsExclusive || range.Max.IsExclusive))) return false;
        using (var last = new ZIndexCursor(this, k, meta.Version, reverse: true))
            if (!last.Valid || !range.Min.MinAdmits(last.Member)) return false;
        using (var first = new ZIndexCursor(this, k, meta.Version, reverse: false))
            if (!first.Valid || !range.Max.MaxAdmits(first.Member)) return false;
        return true;
    }

    /// <summary>
    /// ZRANDMEMBER. Without a count (<paramref name="count"/> null): one random member or an empty
    /// list. A positive count gives distinct members (all of them when it exceeds the size), a
    /// negative one may repeat members.
    /// </summary>
    public List<ZItem> ZRandMember(int db, ReadOnlySpan<byte> key, long? count)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _) || count == 0) return [];
            if (count is null or 1 or -1)
            {
                long pick = Random.Shared.NextInt64(meta.Count);
                using var cursor = new ZIndexCursor(this, k, meta.Version, reverse: false);
                for (; cursor.Valid && pick > 0; pick--) cursor.Move();
                return cursor.Valid ? [cursor.Item] : [];
            }
            var all = new List<ZItem>((int)Math.Min(meta.Count, 1 << 20));
            using (var cursor = new ZIndexCursor(this, k, meta.Version, reverse: false))
                for (; cursor.Valid; cursor.Move()) all.Add(cursor.Item);
            if (count < 0)
            {
                var picks = new List<ZItem>((int)Math.Min(-count.Value, 1 << 20));
                for (long i = 0; i < -count.Value; i++) picks.Add(all[Random.Shared.Next(all.Count)]);
                return picks;
            }
            if (count >= all.Count) return all;
            // Partial Fisher-Yates: the first 'count' slots become a uniform sample without repeats.
            for (int i = 0; i < count; i++)
            {
                int j = Random.Shared.Next(i, all.Count);
                (all[i], all[j]) = (all[j], all[i]);
            }
            all.RemoveRange((int)count.Value, all.Count - (int)count.Value);
            return all;
        }
    }

    /// <summary>
    /// One ZSCAN step. A set of at most <see cref="ZScanWholeSetLimit"/> members is returned whole, in
    /// score order, with cursor 0, as Redis's listpack encoding does; larger ones are paged by
    /// <paramref name="count"/> over the element records (member order) through the SCAN cursor store.
    /// A null <paramref name="pattern"/> matches everything; an empty one only the empty member.
    /// </summary>
    public long ZScan(int db, ReadOnlySpan<byte> key, long cursor, byte[]? pattern, long count, List<ZItem> into)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.SortedSet, create: false, out var meta, out _)) return 0;
            if (meta.Count <= ZScanWholeSetLimit)
            {
                // Like a listpack: everything in score order, whatever the cursor.
                using var all = new ZIndexCursor(this, k, meta.Version, reverse: false);
                for (; all.Valid; all.Move())
                    if (pattern is null || Glob.IsMatch(pattern, all.Member)) into.Add(all.Item);
                return 0;
            }
            var prefix = KeyEncoding.ElementPrefix(k.Slot, k.Pdb, KeyEncoding.KindElement, k.UserKey, meta.Version);
            using var it = _engine.CreateIterator(prefix, KeyEncoding.PrefixEnd(prefix));
            var after = cursor == 0 ? null : ScanCursors.Resume(cursor).After;
            if (after is null) it.SeekToFirst();
            else { it.Seek(after); if (it.Valid && it.Key.SequenceEqual(after)) it.Next(); }
            long examined = 0;
            for (; it.Valid; it.Next())
            {
                if (examined >= count) return ScanCursors.Suspend(0, it.Key.ToArray(), exclusive: false);
                examined++;
                var member = it.Key[prefix.Length..];
                if (pattern is not null && !Glob.IsMatch(pattern, member)) continue;
                into.Add(new ZItem(member.ToArray(), KeyEncoding.DecodeScoreValue(it.Value)));
            }
            return 0;
        }
    }

    /// <summary>Redis 7.0's zset-max-listpack-entries: sets this small are scanned in one step.</summary>
    public const int ZScanWholeSetLimit = 128;

    // ---- algebra: ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD ----------------------

    /// <summary>One input of the algebra: a sorted set, a set (every score 1) or a missing key (empty).</summary>
    private sealed class ZSource
    {
        public required byte[] Key;
        public required KeyRef Ref;
        public Metadata Meta;
        public bool Exists;
        public double Weight = 1;
        public long Length => Exists ? Meta.Count : 0;
    }

    /// <summary>Looks every input up in argument order: WRONGTYPE for anything but a sorted set or a set.</summary>
    private List<ZSource> ZOpenSources(int db, ReadOnlySpan<byte[]> keys, ReadOnlySpan<double> weights)
    {
        var sources = new List<ZSource>(keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            var source = new ZSource { Key = keys[i], Ref = Ref(db, keys[i]), Weight = weights.IsEmpty ? 1 : weights[i] };
            source.Exists = Lookup(source.Ref, out source.Meta, out _);
            if (source.Exists && source.Meta.Type is not (RedisType.SortedSet or RedisType.Set)) throw Errors.WrongTypeError();
            sources.Add(source);
        }
        return sources;
    }

    private void ZForEachSource(ZSource source, Action<byte[], double> visit)
    {
        if (!source.Exists) return;
        bool isSet = source.Meta.Type == RedisType.Set;
        ForEachElement(source.Ref, source.Meta.Version, false, (member, value) =>
        {
            visit(member.ToArray(), isSet ? 1.0 : KeyEncoding.DecodeScoreValue(value));
            return true;
        });
    }

    private double? ZFindInSource(ZSource source, byte[] member)
    {
        if (!source.Exists) return null;
        var value = GetElement(source.Ref, source.Meta.Version, member);
        if (value is null) return null;
        return source.Meta.Type == RedisType.Set ? 1.0 : KeyEncoding.DecodeScoreValue(value);
    }

    private static void ZAggregate(ref double target, double value, SortedSetAggregate aggregate)
    {
        switch (aggregate)
        {
            case SortedSetAggregate.Sum:
                target += value;
                if (double.IsNaN(target)) target = 0; // inf + -inf
                break;
            case SortedSetAggregate.Min: target = value < target ? value : target; break;
            default: target = value > target ? value : target; break;
        }
    }

    /// <summary>
    /// ZUNION / ZINTER / ZDIFF: the result in Redis's order (score, then member). Inputs are combined in
    /// Redis's order too (by size, smallest first, for union and intersection), so sums round alike.
    /// When <paramref name="limit"/> is set (ZINTERCARD) only the count matters and the walk stops there.
    /// </summary>
    private List<ZItem> ZCombineCore(List<ZSource> sources, SortedSetOperation operation, SortedSetAggregate aggregate, long limit = 0)
    {
        var result = new Dictionary<byte[], double>(ByteArrayComparer.Instance);
        if (operation == SortedSetOperation.Difference)
        {
            var first = sources[0];
            if (first.Length == 0) return [];
            for (int j = 1; j < sources.Count; j++)
                if (sources[j].Key.AsSpan().SequenceEqual(first.Key)) return [];
            ZForEachSource(first, (member, score) =>
            {
                for (int j = 1; j < sources.Count; j++)
                    if (ZFindInSource(sources[j], member) is not null) return;
                result[member] = score;
            });
        }
        else
        {
            // A stable sort: equal sizes keep argument order.
            var ordered = sources.OrderBy(s => s.Length).ToList();
            if (operation == SortedSetOperation.Intersect)
            {
                var first = ordered[0];
                if (first.Length == 0) return [];
                var stop = new object();
                try
                {
                    ZForEachSource(first, (member, score) =>
                    {
                        double total = first.Weight * score;
                        if (double.IsNaN(total)) total = 0;
                        for (int j = 1; j < ordered.Count; j++)
                        {
                            double? found = ordered[j].Key.AsSpan().SequenceEqual(first.Key) ? score : ZFindInSource(ordered[j], member);
                            if (found is not double value) return;
                            ZAggregate(ref total, value * ordered[j].Weight, aggregate);
                        }
                        result[member] = total;
                        if (limit > 0 && result.Count >= limit) throw new ZStopException();
                    });
                }
                catch (ZStopException) { }
            }
            else
            {
                foreach (var source in ordered)
                {
                    ZForEachSource(source, (member, score) =>
                    {
                        double weighted = source.Weight * score;
                        if (double.IsNaN(weighted)) weighted = 0;
                        if (result.TryGetValue(member, out double existing))
                        {
                            ZAggregate(ref existing, weighted, aggregate);
                            result[member] = existing;
                        }
                        else result[member] = weighted;
                    });
                }
            }
        }
        var items = new List<ZItem>(result.Count);
        foreach (var (member, score) in result) items.Add(new ZItem(member, score));
        items.Sort(ZCompare);
        return items;
    }

    private sealed class ZStopException : Exception;

    /// <summary>Redis's order: score, then member bytes (-0 and +0 equal).</summary>
    private static int ZCompare(ZItem a, ZItem b)
    {
        int c = a.Score.CompareTo(b.Score);
        if (a.Score == b.Score) c = 0;
        return c != 0 ? c : a.Member.AsSpan().SequenceCompareTo(b.Member);
    }

    public List<ZItem> ZCombine(int db, SortedSetOperation operation, ReadOnlySpan<byte[]> keys, ReadOnlySpan<double> weights, SortedSetAggregate aggregate)
    {
        lock (Gate)
            return ZCombineCore(ZOpenSources(db, keys, weights), operation, aggregate);
    }

    /// <summary>ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE: the size of the stored result.</summary>
    public long ZCombineStore(int db, ReadOnlySpan<byte> destination, SortedSetOperation operation, ReadOnlySpan<byte[]> keys, ReadOnlySpan<double> weights, SortedSetAggregate aggregate)
    {
        var dst = Ref(db, destination);
        bool stored;
        long count;
        lock (Gate)
        {
            var items = ZCombineCore(ZOpenSources(db, keys, weights), operation, aggregate);
            stored = ZStore(dst, items);
            count = items.Count;
        }
        if (stored) NotifyReady(db, dst);
        return count;
    }

    /// <summary>ZINTERCARD: the size of the intersection, counting at most <paramref name="limit"/> (0: no limit).</summary>
    public long ZInterCard(int db, ReadOnlySpan<byte[]> keys, long limit)
    {
        lock (Gate)
            return ZCombineCore(ZOpenSources(db, keys, []), SortedSetOperation.Intersect, SortedSetAggregate.Sum, limit).Count;
    }

    /// <summary>
    /// Replaces <paramref name="dst"/> with a sorted set of <paramref name="items"/> (distinct members),
    /// whatever it held; an empty result deletes it. Returns whether a set was stored.
    /// </summary>
    private bool ZStore(in KeyRef dst, List<ZItem> items)
    {
        bool existed = Lookup(dst, out var old, out _);
        BeginWrite();
        if (items.Count == 0)
        {
            if (existed) DeleteKey(dst, old);
            Commit();
            return false;
        }
        if (existed) DropForOverwrite(dst, old);
        var meta = NewCollection(RedisType.SortedSet);
        foreach (var item in items) ZPut(dst, meta.Version, item.Member, item.Score);
        meta.Count = items.Count;
        PutMeta(dst, meta.EncodeCollection(), existed ? old.ExpireAtMs : 0, existed);
        Commit();
        return true;
    }
}

/// <summary>The conditions of ZADD: NX, XX, GT, LT. XX combines with GT or LT; the others exclude each other.</summary>
[Flags]
public enum SortedSetWhen
{
    /// <summary>Add new members and update existing ones.</summary>
    Always = 0,
    /// <summary>XX: only update members that exist.</summary>
    Exists = 1,
    /// <summary>NX: only add new members.</summary>
    NotExists = 2,
    /// <summary>GT: update an existing member only when the new score is greater.</summary>
    GreaterThan = 4,
    /// <summary>LT: update an existing member only when the new score is less.</summary>
    LessThan = 8,
}

/// <summary>Which end a range or pop starts from.</summary>
public enum SortedSetOrder : byte { Ascending = 0, Descending = 1 }

/// <summary>How ZUNION and ZINTER combine the scores of a member found in several inputs.</summary>
public enum SortedSetAggregate : byte { Sum = 0, Min = 1, Max = 2 }

/// <summary>The algebra of ZUNION, ZINTER and ZDIFF.</summary>
public enum SortedSetOperation : byte { Union = 0, Intersect = 1, Difference = 2 }

/// <summary>What a ZRANGE-style query selects by: rank (index), score, or member (lex).</summary>
public enum SortedSetRangeKind : byte { Rank = 0, Score = 1, Lex = 2 }

/// <summary>A score interval; each end inclusive unless marked exclusive ("(" in Redis's syntax).</summary>
public readonly record struct SortedSetScoreRange(double Min, double Max, bool MinExclusive = false, bool MaxExclusive = false)
{
    public static SortedSetScoreRange All => new(double.NegativeInfinity, double.PositiveInfinity);

    internal bool AboveMin(double score) => MinExclusive ? score > Min : score >= Min;
    internal bool BelowMax(double score) => MaxExclusive ? score < Max : score <= Max;
}

/// <summary>One end of a lex range: "-" / "+" (the infinities), "[member" (inclusive) or "(member" (exclusive).</summary>
public readonly struct SortedSetLexBound
{
    private SortedSetLexBound(ReadOnlyMemory<byte> value, bool exclusive, int infinity)
    {
        Value = value;
        IsExclusive = exclusive;
        Infinity = infinity;
    }

    public static SortedSetLexBound NegativeInfinity => new(default, true, -1);
    public static SortedSetLexBound PositiveInfinity => new(default, true, 1);
    public static SortedSetLexBound Inclusive(RebornValue member) => new(member.Bytes, false, 0);
    public static SortedSetLexBound Exclusive(RebornValue member) => new(member.Bytes, true, 0);

    public ReadOnlyMemory<byte> Value { get; }
    public bool IsExclusive { get; }
    /// <summary>-1 for "-", +1 for "+", 0 for a member bound.</summary>
    public int Infinity { get; }

    /// <summary>Whether <paramref name="member"/> is at or above this bound taken as a minimum.</summary>
    internal bool MinAdmits(ReadOnlySpan<byte> member)
    {
        if (Infinity != 0) return Infinity < 0;
        int c = member.SequenceCompareTo(Value.Span);
        return IsExclusive ? c > 0 : c >= 0;
    }

    /// <summary>Whether <paramref name="member"/> is at or below this bound taken as a maximum.</summary>
    internal bool MaxAdmits(ReadOnlySpan<byte> member)
    {
        if (Infinity != 0) return Infinity > 0;
        int c = member.SequenceCompareTo(Value.Span);
        return IsExclusive ? c < 0 : c <= 0;
    }

    /// <summary>Redis's sdscmplex: "-" below everything, "+" above, each equal to itself.</summary>
    internal static int Compare(SortedSetLexBound a, SortedSetLexBound b)
    {
        if (a.Infinity != 0 && a.Infinity == b.Infinity) return 0;
        if (a.Infinity < 0 || b.Infinity > 0) return -1;
        if (a.Infinity > 0 || b.Infinity < 0) return 1;
        return a.Value.Span.SequenceCompareTo(b.Value.Span);
    }
}

/// <summary>A lex interval of members.</summary>
public readonly record struct SortedSetLexRange(SortedSetLexBound Min, SortedSetLexBound Max)
{
    public static SortedSetLexRange All => new(SortedSetLexBound.NegativeInfinity, SortedSetLexBound.PositiveInfinity);
}

/// <summary>
/// A ZRANGE query: by rank (<see cref="Start"/>..<see cref="Stop"/>, negative from the end), by score or
/// by lex, in either order. For score and lex, <see cref="Offset"/> and <see cref="Count"/> are
/// ZRANGE's LIMIT (a negative count means all; a negative offset selects nothing, as in Redis).
/// In descending order the range is still given as min..max.
/// </summary>
public readonly record struct SortedSetRangeQuery
{
    public SortedSetRangeKind Kind { get; init; }
    public SortedSetOrder Order { get; init; }
    public long Start { get; init; }
    public long Stop { get; init; }
    public SortedSetScoreRange Score { get; init; }
    public SortedSetLexRange Lex { get; init; }
    public long Offset { get; init; }
    public long Count { get; init; }

    public static SortedSetRangeQuery ByRank(long start = 0, long stop = -1, SortedSetOrder order = SortedSetOrder.Ascending)
        => new() { Kind = SortedSetRangeKind.Rank, Start = start, Stop = stop, Order = order, Count = -1 };

    public static SortedSetRangeQuery ByScore(SortedSetScoreRange range, SortedSetOrder order = SortedSetOrder.Ascending, long offset = 0, long count = -1)
        => new() { Kind = SortedSetRangeKind.Score, Score = range, Order = order, Offset = offset, Count = count };

    public static SortedSetRangeQuery ByLex(SortedSetLexRange range, SortedSetOrder order = SortedSetOrder.Ascending, long offset = 0, long count = -1)
        => new() { Kind = SortedSetRangeKind.Lex, Lex = range, Order = order, Offset = offset, Count = count };
}
