using NUnit.Framework;
using Reborn.Core.Cluster;
using Reborn.Core.DataModel;
using Reborn.Storage;

namespace Reborn.Core.Tests.DataTypes;

/// <summary>The hash operations of <see cref="KeyValueDatabase"/>, on every engine.</summary>
[TestFixture(EngineKind.Memory)]
[TestFixture(EngineKind.RocksDb)]
[TestFixture(EngineKind.Faster)]
public sealed class HashTests(EngineKind engine) : EngineTestBase(engine)
{
    private static HashEntry E(string field, string value) => new(field, value);

    private static RebornValue[] V(params string[] values) => values.Select(v => (RebornValue)v).ToArray();

    private static string?[] S(IEnumerable<RebornValue> values) => values.Select(v => (string?)v).ToArray();

    private async Task<Dictionary<string, string>> All(RebornKey key)
        => (await Db.HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);


    [Test]
    public async Task SetsGetsAndCountsCreatedFields()
    {
        Assert.That(await Db.HashSetAsync("h", E("a", "1"), E("b", "2"), E("a", "3")), Is.EqualTo(2), "a field named twice is created once");
        Assert.That((string?)await Db.HashGetAsync("h", "a"), Is.EqualTo("3"), "the last value wins");
        Assert.That(await Db.HashSetAsync("h", E("b", "20"), E("c", "")), Is.EqualTo(1));
        Assert.That(await Db.HashSetAsync("h", "d", "4"), Is.True);
        Assert.That(await Db.HashSetAsync("h", "d", "40"), Is.False);
        Assert.That(await Db.HashLengthAsync("h"), Is.EqualTo(4));
        Assert.That(S(await Db.HashGetAsync("h", V("a", "zz", "c", "b"))), Is.EqualTo(new[] { "3", null, "", "20" }));
        Assert.That(await Db.HashExistsAsync("h", "c"), Is.True, "an empty value is still a field");
        Assert.That(await Db.HashExistsAsync("h", "zz"), Is.False);
        Assert.That(await Db.HashStringLengthAsync("h", "d"), Is.EqualTo(2));
        Assert.That(await Db.HashStringLengthAsync("h", "zz"), Is.EqualTo(0));
        Assert.That(await Db.KeyTypeAsync("h"), Is.EqualTo(RedisType.Hash));
    }

    [Test]
    public async Task MissingKeyReadsAsEmpty()
    {
        Assert.That((await Db.HashGetAsync("none", "f")).IsNull, Is.True);
        Assert.That(S(await Db.HashGetAsync("none", V("a", "b"))), Is.EqualTo(new string?[] { null, null }));
        Assert.That(await Db.HashLengthAsync("none"), Is.EqualTo(0));
        Assert.That(await Db.HashGetAllAsync("none"), Is.Empty);
        Assert.That(await Db.HashKeysAsync("none"), Is.Empty);
        Assert.That(await Db.HashValuesAsync("none"), Is.Empty);
        Assert.That(await Db.HashDeleteAsync("none", "a"), Is.EqualTo(0));
        Assert.That((await Db.HashRandomFieldAsync("none")).IsNull, Is.True);
        Assert.That(await Db.HashRandomFieldsAsync("none", 3), Is.Empty);
        Assert.That((await Db.HashScanAsync("none")).Cursor, Is.EqualTo(0));
        Assert.That(await Db.KeyExistsAsync("none"), Is.EqualTo(0), "reads create nothing");
    }

    [Test]
    public async Task SetIfNotExistsLeavesExistingFields()
    {
        Assert.That(await Db.HashSetNotExistsAsync("h", "a", "1"), Is.True);
        Assert.That(await Db.HashSetNotExistsAsync("h", "a", "2"), Is.False);
        Assert.That((string?)await Db.HashGetAsync("h", "a"), Is.EqualTo("1"));
        Assert.That(await Db.HashLengthAsync("h"), Is.EqualTo(1));
    }

    [Test]
    public async Task DeletingTheLastFieldDeletesTheKey()
    {
        await Db.HashSetAsync("h", E("a", "1"), E("b", "2"), E("c", "3"));
        Assert.That(await Db.HashDeleteAsync("h", V("a", "a", "zz")), Is.EqualTo(1), "a field named twice is deleted once");
        Assert.That(await Db.HashLengthAsync("h"), Is.EqualTo(2));
        Assert.That(await Db.HashDeleteAsync("h", V("b", "c")), Is.EqualTo(2));
        Assert.That(await Db.KeyExistsAsync("h"), Is.EqualTo(0));
        Assert.That(ElementRecords(), Is.EqualTo(0), "fields deleted one by one leave nothing for the sweep");
        Assert.That(await Db.HashSetAsync("h", E("x", "1")), Is.EqualTo(1), "a deleted hash starts afresh");
        Assert.That(await All("h"), Is.EqualTo(new Dictionary<string, string> { ["x"] = "1" }));
    }

    [Test]
    public async Task GetAllKeysAndValuesAgree()
    {
        await Db.HashSetAsync("h", E("b", "2"), E("a", "1"), E("c", "3"));
        Assert.That(await All("h"), Is.EqualTo(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3" }));
        var keys = S(await Db.HashKeysAsync("h"));
        var values = S(await Db.HashValuesAsync("h"));
        Assert.That(keys, Is.EquivalentTo(new[] { "a", "b", "c" }));
        Assert.That(values, Is.EqualTo(keys.Select(k => k switch { "a" => "1", "b" => "2", _ => "3" })), "values come in the order of their fields");
    }

    [Test]
    public async Task IncrementsIntegersWithRedisErrors()
    {
        Assert.That(await Db.HashIncrementAsync("h", "n", 5), Is.EqualTo(5), "a missing field counts as 0");
        Assert.That(await Db.HashIncrementAsync("h", "n", -7), Is.EqualTo(-2));
        await Db.HashSetAsync("h", E("s", "abc"), E("big", long.MaxValue.ToString()), E("z", "007"));
        Assert.That(Throws(() => Db.HashIncrementAsync("h", "s", 1)), Is.EqualTo(Errors.HashNotInteger));
        Assert.That(Throws(() => Db.HashIncrementAsync("h", "z", 1)), Is.EqualTo(Errors.HashNotInteger), "leading zeros are not an integer");
        Assert.That(Throws(() => Db.HashIncrementAsync("h", "big", 1)), Is.EqualTo(Errors.Overflow));
        Assert.That((string?)await Db.HashGetAsync("h", "big"), Is.EqualTo(long.MaxValue.ToString()), "a failed increment writes nothing");
    }

    [Test]
    public async Task IncrementsFloatsAsRedisPrintsThem()
    {
        Assert.That((string?)await Db.HashIncrementAsync("h", "f", 10.5), Is.EqualTo("10.5"));
        Assert.That((string?)await Db.HashIncrementAsync("h", "f", 0.1), Is.EqualTo("10.6"));
        Assert.That((string?)await Db.HashIncrementAsync("h", "f", -10.6), Is.EqualTo("0"));
        await Db.HashSetAsync("h", E("s", "abc"), E("i", "3"));
        Assert.That((string?)await Db.HashIncrementAsync("h", "i", 1.5), Is.EqualTo("4.5"));
        Assert.That(Throws(() => Db.HashIncrementAsync("h", "s", 1.0)), Is.EqualTo(Errors.HashNotFloat));
        Assert.That(Throws(() => Db.HashIncrementAsync("h", "i", double.PositiveInfinity)), Is.EqualTo(Errors.NaNOrInfinity));
        await Db.StringSetAsync("str", "1");
        Assert.That(Throws(() => Db.HashIncrementAsync("str", "i", double.NaN)), Is.EqualTo(Errors.NaNOrInfinity), "the increment is checked before the key");
    }

    [Test]
    public async Task EveryOperationRefusesAnotherType()
    {
        await Db.StringSetAsync("s", "v");
        var attempts = new Func<ValueTask>[]
        {
            async () => await Db.HashSetAsync("s", "f", "v"),
            async () => await Db.HashSetNotExistsAsync("s", "f", "v"),
            async () => await Db.HashGetAsync("s", "f"),
            async () => await Db.HashGetAsync("s", V("f")),
            async () => await Db.HashDeleteAsync("s", "f"),
            async () => await Db.HashLengthAsync("s"),
            async () => await Db.HashStringLengthAsync("s", "f"),
            async () => await Db.HashExistsAsync("s", "f"),
            async () => await Db.HashGetAllAsync("s"),
            async () => await Db.HashKeysAsync("s"),
            async () => await Db.HashValuesAsync("s"),
            async () => await Db.HashIncrementAsync("s", "f", 1),
            async () => await Db.HashIncrementAsync("s", "f", 1.5),
            async () => await Db.HashRandomFieldAsync("s"),
            async () => await Db.HashRandomFieldsAsync("s", 0),
            async () => await Db.HashRandomFieldsWithValuesAsync("s", -2),
            async () => await Db.HashScanAsync("s"),
        };
        foreach (var attempt in attempts)
            Assert.That(Throws(attempt), Is.EqualTo(Errors.WrongType));
        Assert.That((string?)await Db.StringGetAsync("s"), Is.EqualTo("v"));
    }

    [Test]
    public async Task WritesKeepTheExpiry()
    {
        await Db.HashSetAsync("h", E("a", "1"));
        Assert.That(await Db.KeyExpireAsync("h", TimeSpan.FromMinutes(5)), Is.True);
        await Db.HashSetAsync("h", E("b", "2"));
        await Db.HashIncrementAsync("h", "c", 1);
        await Db.HashDeleteAsync("h", "a");
        Assert.That(await Db.KeyTimeToLiveMsAsync("h"), Is.GreaterThan(0));
        Assert.That(await Db.KeyExpireAtAsync("h", 1), Is.True, "a time in the past deletes the hash");
        Assert.That(await Db.HashLengthAsync("h"), Is.EqualTo(0));
        Assert.That(await Db.HashSetAsync("h", E("x", "1")), Is.EqualTo(1));
        Assert.That(await Db.KeyTimeToLiveMsAsync("h"), Is.EqualTo(-1), "a new hash has no expiry");
    }

    [Test]
    public async Task RandomFieldsFollowTheCountRules()
    {
        var entries = Enumerable.Range(0, 20).Select(i => E("f" + i, "v" + i)).ToArray();
        await Db.HashSetAsync("h", entries);
        var names = entries.Select(e => (string)e.Name!).ToHashSet();

        Assert.That(names, Does.Contain((string?)await Db.HashRandomFieldAsync("h")));
        var distinct = S(await Db.HashRandomFieldsAsync("h", 7));
        Assert.That(distinct, Has.Length.EqualTo(7).And.Unique);
        Assert.That(names.IsSupersetOf(distinct!), Is.True);
        Assert.That(S(await Db.HashRandomFieldsAsync("h", 50)), Is.EquivalentTo(names), "a count past the size gives the whole hash");
        var repeated = S(await Db.HashRandomFieldsAsync("h", -60));
        Assert.That(repeated, Has.Length.EqualTo(60));
        Assert.That(names.IsSupersetOf(repeated!), Is.True);
        Assert.That(await Db.HashRandomFieldsAsync("h", 0), Is.Empty);
        foreach (var entry in await Db.HashRandomFieldsWithValuesAsync("h", -10))
            Assert.That("v" + ((string)entry.Name!)[1..], Is.EqualTo((string?)entry.Value));
        Assert.That(Throws(() => Db.HashRandomFieldsAsync("h", long.MinValue)), Is.EqualTo(Errors.RandomCountRange));
    }

    [Test]
    public async Task ScanVisitsEveryFieldOnce()
    {
        await Db.HashSetAsync("small", E("a", "1"), E("b", "2"), E("", "empty"));
        var page = await Db.HashScanAsync("small", 0, count: 1);
        Assert.That(page.Cursor, Is.EqualTo(0), "a small hash comes whole, as in Redis");
        Assert.That(page.Entries, Has.Length.EqualTo(3));
        Assert.That((await Db.HashScanAsync("small", 0, "", 10)).Entries.Select(e => (string)e.Value!), Is.EqualTo(new[] { "empty" }),
            "an empty pattern matches only the empty field");

        var entries = Enumerable.Range(0, 1000).Select(i => E("field:" + i, i.ToString())).ToArray();
        await Db.HashSetAsync("big", entries);
        var seen = new List<string>();
        long cursor = 0;
        int steps = 0;
        do
        {
            page = await Db.HashScanAsync("big", cursor, count: 37);
            Assert.That(page.Entries.Length, Is.LessThanOrEqualTo(37));
            seen.AddRange(page.Entries.Select(e => (string)e.Name!));
            cursor = page.Cursor;
            steps++;
        }
        while (cursor != 0);
        Assert.That(seen, Is.EquivalentTo(entries.Select(e => (string)e.Name!)), "every field exactly once");
        Assert.That(steps, Is.GreaterThan(20));

        var matched = await Db.HashScanAsync("big", 0, "field:99*", 5000);
        Assert.That(matched.Entries.Select(e => (string)e.Name!), Is.EquivalentTo(new[] { "field:99", "field:990", "field:991", "field:992", "field:993", "field:994", "field:995", "field:996", "field:997", "field:998", "field:999" }));
    }

    [Test]
    public async Task BigHashIsDeletedInConstantTimeAndSwept()
    {
        const int fields = 5000;
        for (int batch = 0; batch < fields; batch += 500)
            await Db.HashSetAsync("big", Enumerable.Range(batch, 500).Select(i => E("f" + i, "value-" + i)).ToArray());
        Assert.That(await Db.HashLengthAsync("big"), Is.EqualTo(fields));
        Assert.That((string?)await Db.HashGetAsync("big", "f4321"), Is.EqualTo("value-4321"));
        Assert.That(ElementRecords(), Is.EqualTo(fields));

        Assert.That(await Db.KeyDeleteAsync("big"), Is.EqualTo(1));
        Assert.That(await Db.HashLengthAsync("big"), Is.EqualTo(0));
        Assert.That((await Db.HashGetAsync("big", "f1")).IsNull, Is.True, "old fields are invisible at once");
        Assert.That(ElementRecords(), Is.EqualTo(fields), "DEL leaves the records to the sweep");
        Assert.That(Cluster.GetStatistics().GarbagePending, Is.EqualTo(1));

        await Db.HashSetAsync("big", E("fresh", "1"));
        var (_, swept) = await Cluster.SweepAsync();
        Assert.That(swept, Is.EqualTo(1));
        Assert.That(ElementRecords(), Is.EqualTo(1), "only the new hash's field is left");
        Assert.That(await All("big"), Is.EqualTo(new Dictionary<string, string> { ["fresh"] = "1" }));
    }

    [Test]
    public async Task SurvivesReopen()
    {
        if (Engine == EngineKind.Memory) Assert.Ignore("the in-memory Engine is not durable");
        await Db.HashSetAsync("h", E("a", "1"), E("b", "2"));
        await Db.HashIncrementAsync("h", "n", 41);
        await Cluster.DisposeAsync();
        await OpenClusterAsync();
        Assert.That(await All("h"), Is.EqualTo(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["n"] = "41" }));
        Assert.That(await Db.HashLengthAsync("h"), Is.EqualTo(3));
    }

    private static string? Throws<T>(Func<ValueTask<T>> action)
        => Assert.ThrowsAsync<RebornException>(async () => await action())?.Message;

    private static string? Throws(Func<ValueTask> action)
        => Assert.ThrowsAsync<RebornException>(async () => await action())?.Message;
}
