namespace Reborn.Core.DataModel;

/// <summary>
/// Sets: one element record per member (member -> empty value) under the key's version, so
/// membership is a point read and SMEMBERS is one ordered scan. Random picks (SPOP, SRANDMEMBER)
/// have no index to jump to: a single pick walks to a random position, a counted pick samples in one
/// pass (reservoir), so both cost O(N) reads where Redis pays O(1) per member.
/// </summary>
internal sealed partial class Keyspace
{
    /// <summary>The algebra of SINTER, SUNION and SDIFF (and their STORE forms).</summary>
    public enum SetOperation : byte { Union = 0, Intersect = 1, Difference = 2 }

    // ---- single-key writes ----------------------------------------------------------------

    /// <summary>SADD: the number of members that were not there yet. Keeps the key's expiry.</summary>
    public long SetAdd(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte[]> members)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            OpenCollection(k, RedisType.Set, create: true, out var meta, out bool existed);
            var seen = members.Length > 1 ? new HashSet<byte[]>(ByteArrayComparer.Instance) : null;
            long added = 0;
            BeginWrite();
            foreach (var member in members)
            {
                if (seen is not null && !seen.Add(member)) continue;
                var elementKey = KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, member);
                if (existed && ElementExists(elementKey)) continue;
                Batch.Put(elementKey, []);
                added++;
            }
            if (added > 0)
            {
                meta.Count += added;
                SaveCollection(k, meta, existed);
            }
            Commit();
            return added;
        }
    }

    /// <summary>SREM: the number of members removed; the set is deleted when it becomes empty.</summary>
    public long SetRemove(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte[]> members)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.Set, create: false, out var meta, out _)) return 0;
            var seen = new HashSet<byte[]>(ByteArrayComparer.Instance);
            long removed = 0;
            BeginWrite();
            foreach (var member in members)
            {
                if (!seen.Add(member) || GetElement(k, meta.Version, member) is null) continue;
                Batch.Delete(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, member));
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

    /// <summary>
    /// SMOVE: moves a member between sets. False when the source is missing or lacks the member.
    /// WRONGTYPE when either key holds another type, unless the source is missing (Redis answers 0 first).
    /// </summary>
    public bool SetMove(int db, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> member)
    {
        var src = Ref(db, source);
        var dst = Ref(db, destination);
        lock (Gate)
        {
            // Both lookups come before BeginWrite: a lookup may delete an expired key in its own batch.
            bool srcExists = Lookup(src, out var srcMeta, out _);
            bool dstExists = Lookup(dst, out var dstMeta, out _);
            if (!srcExists) return false;
            if (srcMeta.Type != RedisType.Set || (dstExists && dstMeta.Type != RedisType.Set)) throw Errors.WrongTypeError();
            bool isMember = GetElement(src, srcMeta.Version, member) is not null;
            if (source.SequenceEqual(destination) || !isMember) return isMember;

            BeginWrite();
            Batch.Delete(KeyEncoding.ElementKey(src.Slot, src.Pdb, src.UserKey, srcMeta.Version, member));
            srcMeta.Count--;
            SaveCollection(src, srcMeta, existed: true);
            if (!dstExists) dstMeta = NewCollection(RedisType.Set);
            if (!dstExists || GetElement(dst, dstMeta.Version, member) is null)
            {
                Batch.Put(KeyEncoding.ElementKey(dst.Slot, dst.Pdb, dst.UserKey, dstMeta.Version, member), []);
                dstMeta.Count++;
                SaveCollection(dst, dstMeta, dstExists);
            }
            Commit();
            return true;
        }
    }

    // ---- single-key reads -----------------------------------------------------------------

    /// <summary>SCARD: 0 when missing.</summary>
    public long SetLength(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
            return OpenCollection(k, RedisType.Set, create: false, out var meta, out _) ? meta.Count : 0;
    }

    /// <summary>SISMEMBER.</summary>
    public bool SetContains(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte> member)
    {
        var k = Ref(db, key);
        lock (Gate)
            return OpenCollection(k, RedisType.Set, create: false, out var meta, out _) && GetElement(k, meta.Version, member) is not null;
    }

    /// <summary>SMISMEMBER: one answer per member, all false when the key is missing.</summary>
    public bool[] SetContains(int db, ReadOnlySpan<byte> key, ReadOnlySpan<byte[]> members)
    {
        var k = Ref(db, key);
        var result = new bool[members.Length];
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.Set, create: false, out var meta, out _)) return result;
            for (int i = 0; i < members.Length; i++) result[i] = GetElement(k, meta.Version, members[i]) is not null;
        }
        return result;
    }

    /// <summary>SMEMBERS into a sink, in byte order.</summary>
    public void SetMembers(int db, ReadOnlySpan<byte> key, IValueSink sink)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (Lookup(k, RedisType.Set, out var meta)) StreamElements(k, meta, ElementParts.Fields, sink);
            else sink.Begin(0);
        }
    }

    // ---- random picks ---------------------------------------------------------------------

    /// <summary>SPOP without a count: removes and returns one random member, or null when missing.</summary>
    public byte[]? SetPop(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.Set, create: false, out var meta, out _)) return null;
            var member = MemberAt(k, meta.Version, Random.Shared.NextInt64(meta.Count));
            BeginWrite();
            Batch.Delete(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, member));
            meta.Count--;
            SaveCollection(k, meta, existed: true);
            Commit();
            return member;
        }
    }

    /// <summary>SPOP with a count (not negative): removes and returns up to count distinct random members.</summary>
    public List<byte[]> SetPop(int db, ReadOnlySpan<byte> key, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.Set, create: false, out var meta, out _) || count == 0) return [];
            BeginWrite();
            List<byte[]> popped;
            if (count >= meta.Count)
            {
                // The whole set goes: an O(1) delete, its records are left to the garbage sweep.
                popped = Members(k, meta.Version);
                DeleteKey(k, meta);
            }
            else
            {
                popped = SampleDistinct(k, meta.Version, (int)count);
                foreach (var member in popped)
                    Batch.Delete(KeyEncoding.ElementKey(k.Slot, k.Pdb, k.UserKey, meta.Version, member));
                meta.Count -= popped.Count;
                SaveCollection(k, meta, existed: true);
            }
            Commit();
            return popped;
        }
    }

    /// <summary>SRANDMEMBER without a count: one random member, or null when missing.</summary>
    public byte[]? SetRandomMember(int db, ReadOnlySpan<byte> key)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.Set, create: false, out var meta, out _)) return null;
            return MemberAt(k, meta.Version, Random.Shared.NextInt64(meta.Count));
        }
    }

    /// <summary>
    /// SRANDMEMBER with a count: a positive count gives up to that many distinct members, a negative
    /// one exactly |count| members that may repeat. Empty when the key is missing or count is 0.
    /// </summary>
    public List<byte[]> SetRandomMembers(int db, ReadOnlySpan<byte> key, long count)
    {
        if (count == long.MinValue) throw Errors.Error(Errors.RandomCountRange);
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.Set, create: false, out var meta, out _) || count == 0) return [];
            if (count >= meta.Count) return Members(k, meta.Version);
            if (count > 0) return SampleDistinct(k, meta.Version, (int)count);
            return SampleWithRepeats(k, meta.Version, meta.Count, -count);
        }
    }

    /// <summary>The member at a 0-based position in key order.</summary>
    private byte[] MemberAt(in KeyRef k, ulong version, long index)
    {
        byte[]? found = null;
        ForEachElement(k, version, false, (field, _) =>
        {
            if (index-- > 0) return true;
            found = field.ToArray();
            return false;
        });
        return found ?? throw new InvalidDataException("set metadata counts more members than it holds");
    }

    /// <summary><paramref name="count"/> distinct members chosen uniformly in one pass (reservoir sampling), in random order.</summary>
    private List<byte[]> SampleDistinct(in KeyRef k, ulong version, int count)
    {
        var picked = new List<byte[]>(count);
        long seen = 0;
        ForEachElement(k, version, false, (field, _) =>
        {
            if (picked.Count < count) picked.Add(field.ToArray());
            else
            {
                long slot = Random.Shared.NextInt64(seen + 1);
                if (slot < count) picked[(int)slot] = field.ToArray();
            }
            seen++;
            return true;
        });
        Shuffle(picked);
        return picked;
    }

    /// <summary><paramref name="count"/> members drawn with replacement: sorted positions, one pass, then shuffled.</summary>
    private List<byte[]> SampleWithRepeats(in KeyRef k, ulong version, long size, long count)
    {
        var positions = new long[count];
        for (long i = 0; i < count; i++) positions[i] = Random.Shared.NextInt64(size);
        Array.Sort(positions);
        var picked = new List<byte[]>((int)Math.Min(count, int.MaxValue));
        long index = 0;
        int next = 0;
        ForEachElement(k, version, false, (field, _) =>
        {
            if (next < positions.Length && positions[next] == index)
            {
                var member = field.ToArray();
                while (next < positions.Length && positions[next] == index) { picked.Add(member); next++; }
            }
            index++;
            return next < positions.Length;
        });
        Shuffle(picked);
        return picked;
    }

    private static void Shuffle(List<byte[]> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Random.Shared.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    // ---- multi-key algebra ----------------------------------------------------------------

    /// <summary>An operand of the set algebra: a set present under its version, or absent (an empty set).</summary>
    private readonly record struct SetOperand(KeyRef Ref, Metadata Meta, bool Exists);

    /// <summary>Looks every key up first (WRONGTYPE for any non-set, as Redis 7.0 checks all keys before computing).</summary>
    private SetOperand[] OpenOperands(int db, ReadOnlySpan<byte[]> keys)
    {
        var operands = new SetOperand[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            var k = Ref(db, keys[i]);
            bool exists = OpenCollection(k, RedisType.Set, create: false, out var meta, out _);
            operands[i] = new SetOperand(k, meta, exists);
        }
        return operands;
    }

    /// <summary>SINTER / SUNION / SDIFF: the result members, in no particular order.</summary>
    public List<byte[]> SetCombine(int db, SetOperation operation, ReadOnlySpan<byte[]> keys)
    {
        lock (Gate)
            return Combine(OpenOperands(db, keys), operation, limit: 0);
    }

    /// <summary>SINTERCARD: the size of the intersection, counting stops at <paramref name="limit"/> (0 = no limit).</summary>
    public long SetIntersectionLength(int db, ReadOnlySpan<byte[]> keys, long limit)
    {
        lock (Gate)
            return Combine(OpenOperands(db, keys), SetOperation.Intersect, limit).Count;
    }

    /// <summary>
    /// SINTERSTORE / SUNIONSTORE / SDIFFSTORE: replaces the destination (any type, expiry cleared)
    /// with the result; an empty result deletes it. Returns the size of the result.
    /// </summary>
    public long SetCombineAndStore(int db, SetOperation operation, ReadOnlySpan<byte> destination, ReadOnlySpan<byte[]> keys)
    {
        var dst = Ref(db, destination);
        lock (Gate)
        {
            var members = Combine(OpenOperands(db, keys), operation, limit: 0);
            bool dstExists = Lookup(dst, out var old, out _);
            BeginWrite();
            if (members.Count == 0)
            {
                if (dstExists) DeleteKey(dst, old);
            }
            else
            {
                var meta = NewCollection(RedisType.Set);
                foreach (var member in members)
                    Batch.Put(KeyEncoding.ElementKey(dst.Slot, dst.Pdb, dst.UserKey, meta.Version, member), []);
                meta.Count = members.Count;
                if (dstExists) DropForOverwrite(dst, old);
                PutMeta(dst, meta.EncodeCollection(), dstExists ? old.ExpireAtMs : 0, dstExists);
            }
            Commit();
            return members.Count;
        }
    }

    private List<byte[]> Combine(SetOperand[] operands, SetOperation operation, long limit)
    {
        switch (operation)
        {
            case SetOperation.Union:
            {
                var union = new HashSet<byte[]>(ByteArrayComparer.Instance);
                foreach (var o in operands)
                    if (o.Exists) ForEachElement(o.Ref, o.Meta.Version, false, (field, _) => { union.Add(field.ToArray()); return true; });
                return [.. union];
            }
            case SetOperation.Intersect:
            {
                if (operands.Any(o => !o.Exists)) return [];
                // Walk the smallest set and probe the others.
                var ordered = operands.OrderBy(o => o.Meta.Count).ToArray();
                var result = new List<byte[]>();
                ForEachElement(ordered[0].Ref, ordered[0].Meta.Version, false, (field, _) =>
                {
                    for (int i = 1; i < ordered.Length; i++)
                        if (GetElement(ordered[i].Ref, ordered[i].Meta.Version, field) is null) return true;
                    result.Add(field.ToArray());
                    return limit == 0 || result.Count < limit;
                });
                return result;
            }
            default:
            {
                if (!operands[0].Exists) return [];
                var result = new List<byte[]>();
                var first = operands[0];
                ForEachElement(first.Ref, first.Meta.Version, false, (field, _) =>
                {
                    for (int i = 1; i < operands.Length; i++)
                        if (operands[i].Exists && GetElement(operands[i].Ref, operands[i].Meta.Version, field) is not null) return true;
                    result.Add(field.ToArray());
                    return true;
                });
                return result;
            }
        }
    }

    private List<byte[]> Members(in KeyRef k, ulong version)
    {
        var members = new List<byte[]>();
        ForEachElement(k, version, false, (field, _) => { members.Add(field.ToArray()); return true; });
        return members;
    }

    // ---- SSCAN ----------------------------------------------------------------------------

    /// <summary>
    /// One SSCAN step: examines up to <paramref name="count"/> members after the cursor's position and
    /// adds those matching the pattern (all when <paramref name="usePattern"/> is false). Returns the
    /// next cursor, 0 when the set is exhausted. Cursors live in <see cref="ScanCursors"/>; an evicted
    /// cursor restarts the set, which may repeat members but never skips one.
    /// </summary>
    public long SetScan(int db, ReadOnlySpan<byte> key, long cursor, ReadOnlySpan<byte> pattern, bool usePattern, long count, List<byte[]> into)
    {
        var k = Ref(db, key);
        lock (Gate)
        {
            if (!OpenCollection(k, RedisType.Set, create: false, out var meta, out _)) return 0;
            byte[]? after = cursor == 0 ? null : ScanCursors.Resume(cursor).After;
            var prefix = KeyEncoding.ElementPrefix(k.Slot, k.Pdb, KeyEncoding.KindElement, k.UserKey, meta.Version);
            using var it = Engine.CreateIterator(prefix, KeyEncoding.PrefixEnd(prefix));
            if (after is null) it.SeekToFirst();
            else
            {
                it.Seek([.. prefix, .. after]);
                if (it.Valid && it.Key[prefix.Length..].SequenceEqual(after)) it.Next();
            }
            long examined = 0;
            byte[]? last = null;
            for (; it.Valid; it.Next())
            {
                if (examined >= count) return ScanCursors.Suspend(0, last!, exclusive: true);
                examined++;
                var member = it.Key[prefix.Length..];
                last = member.ToArray();
                if (!usePattern || Glob.IsMatch(pattern, member)) into.Add(last);
            }
            return 0;
        }
    }
}
