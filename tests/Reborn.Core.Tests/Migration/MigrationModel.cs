using System.Globalization;
using NUnit.Framework;
using Reborn.Core.Cluster;

namespace Reborn.Core.Tests.Migration;

/// <summary>
/// What one writer had acknowledged. Writers share counters, hash fields, lists and sets (their
/// effects add up) and own strings and sorted-set members (the last acknowledged value wins), so
/// the merged model is exact whatever the interleaving.
/// </summary>
internal sealed class MigrationModel
{
    public Dictionary<string, long> Counters { get; } = new();
    public Dictionary<string, Dictionary<string, long>> Hashes { get; } = new();
    public Dictionary<string, List<string>> Lists { get; } = new();
    public Dictionary<string, HashSet<string>> Sets { get; } = new();
    public Dictionary<string, Dictionary<string, double>> SortedSets { get; } = new();
    public Dictionary<string, string> Strings { get; } = new();

    public void Incr(string key, long by) => Counters[key] = Counters.GetValueOrDefault(key) + by;

    public void HashIncr(string key, string field, long by)
    {
        if (!Hashes.TryGetValue(key, out var h)) Hashes[key] = h = new();
        h[field] = h.GetValueOrDefault(field) + by;
    }

    public void Push(string key, string element)
    {
        if (!Lists.TryGetValue(key, out var l)) Lists[key] = l = new();
        l.Add(element);
    }

    public void SetAdd(string key, string member)
    {
        if (!Sets.TryGetValue(key, out var s)) Sets[key] = s = new();
        s.Add(member);
    }

    public void ZSet(string key, string member, double score)
    {
        if (!SortedSets.TryGetValue(key, out var z)) SortedSets[key] = z = new();
        z[member] = score;
    }

    public void ZIncr(string key, string member, double by)
    {
        if (!SortedSets.TryGetValue(key, out var z)) SortedSets[key] = z = new();
        z[member] = z.GetValueOrDefault(member) + by;
    }

    /// <summary>Adds up the writers' models (owned keys and members never collide).</summary>
    public static MigrationModel Merge(IEnumerable<MigrationModel> models)
    {
        var all = new MigrationModel();
        foreach (var m in models)
        {
            foreach (var (k, v) in m.Counters) all.Incr(k, v);
            foreach (var (k, h) in m.Hashes) foreach (var (f, v) in h) all.HashIncr(k, f, v);
            foreach (var (k, l) in m.Lists) foreach (var e in l) all.Push(k, e);
            foreach (var (k, s) in m.Sets) foreach (var e in s) all.SetAdd(k, e);
            foreach (var (k, z) in m.SortedSets) foreach (var (e, v) in z) all.ZIncr(k, e, v);
            foreach (var (k, v) in m.Strings)
            {
                Assert.That(all.Strings.ContainsKey(k), Is.False, $"string {k} is owned by one writer");
                all.Strings[k] = v;
            }
        }
        return all;
    }

    public HashSet<string> Keys =>
    [
        .. Counters.Keys, .. Hashes.Keys, .. Lists.Keys, .. Sets.Keys, .. SortedSets.Keys, .. Strings.Keys,
    ];

    /// <summary>Every key holds exactly what the model says, read through the cluster.</summary>
    public async Task AssertMatchesAsync(KeyValueDatabase db)
    {
        var wrong = new List<string>();
        foreach (var (k, v) in Counters)
        {
            string? got = (string?)await db.StringGetAsync(k);
            if (got != v.ToString(CultureInfo.InvariantCulture)) wrong.Add($"counter {k}: {got ?? "(nil)"} != {v}");
        }
        foreach (var (k, v) in Strings)
        {
            string? got = (string?)await db.StringGetAsync(k);
            if (got != v) wrong.Add($"string {k}: {got ?? "(nil)"} != {v}");
        }
        foreach (var (k, h) in Hashes)
        {
            var entries = await db.HashGetAllAsync(k);
            long length = await db.HashLengthAsync(k);
            var got = entries.ToDictionary(e => (string)e.Name!, e => long.Parse((string)e.Value!, CultureInfo.InvariantCulture));
            if (length != h.Count || got.Count != h.Count || h.Any(p => got.GetValueOrDefault(p.Key, long.MinValue) != p.Value))
                wrong.Add($"hash {k}: HLEN {length}, {got.Count} fields read, model {h.Count} fields" +
                          $" (first difference: {h.FirstOrDefault(p => got.GetValueOrDefault(p.Key, long.MinValue) != p.Value)})");
        }
        foreach (var (k, l) in Lists)
        {
            long length = await db.ListLengthAsync(k);
            var range = await db.ListRangeAsync(k);
            var got = range.Select(e => (string)e!).OrderBy(e => e, StringComparer.Ordinal);
            if (length != l.Count || range.Length != l.Count || !got.SequenceEqual(l.OrderBy(e => e, StringComparer.Ordinal)))
                wrong.Add($"list {k}: LLEN {length}, LRANGE {range.Length}, model {l.Count}");
        }
        foreach (var (k, s) in Sets)
        {
            var members = (await db.SetMembersAsync(k)).Select(e => (string)e!).ToHashSet();
            if (!members.SetEquals(s) || await db.SetLengthAsync(k) != s.Count) wrong.Add($"set {k}: {members.Count} members, model {s.Count}");
        }
        foreach (var (k, z) in SortedSets)
        {
            var entries = await db.SortedSetRangeByRankAsync(k);
            var got = entries.ToDictionary(e => (string)e.Member!, e => e.Score);
            if (got.Count != z.Count || z.Any(p => !got.TryGetValue(p.Key, out double s) || s != p.Value))
                wrong.Add($"zset {k}: {got.Count} members, model {z.Count}");
        }
        Assert.That(wrong, Is.Empty, $"{wrong.Count} keys differ from the model");
    }
}
