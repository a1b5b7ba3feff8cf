using NUnit.Framework;
using System.Globalization;
using System.Text;
using Reborn.Core.DataModel;
using Reborn.Core.DataModel.Dump;

namespace Reborn.Core.Tests.Dump;

/// <summary>
/// Differential tests against a real redis-server (7.0): values of every type and every encoding
/// Redis picks are built in Redis, DUMPed and parsed by us, and our payloads are RESTOREd into Redis;
/// both sides must hold the same content.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class RedisOracleTests
{
    private const int Seed = 20240607;

    private RedisTestServer? _server;
    private MiniRespClient _redis = null!;
    private Random _random = null!;
    private int _keys;
    private readonly HashSet<string> _encodings = [];
    private readonly HashSet<byte> _dumpTypes = [];

    [OneTimeSetUp]
    public void StartRedis()
    {
        _server = RedisTestServer.TryStart("--enable-debug-command", "yes");
        if (_server is null)
            Assert.Ignore("redis-server is not installed");
        _redis = new MiniRespClient(_server.Port);
        TestContext.Progress.WriteLine($"Dump oracle: redis-server on port {_server.Port}, random seed {Seed}");
    }

    [OneTimeTearDown]
    public void StopRedis()
    {
        _redis?.Dispose();
        _server?.Dispose();
    }

    [SetUp]
    public void Reseed()
    {
        _random = new Random(Seed);
        _encodings.Clear();
        _dumpTypes.Clear();
    }

    [Test]
    public void Strings()
    {
        int compressed = 0, compressedIdentical = 0;
        for (int i = 0; i < 400; i++)
        {
            byte[] value = RandomValue();
            string key = NewKey();
            if (i % 5 == 0 && value.Length > 1)
            {
                // APPEND builds a raw (not embstr, not int) string of the same content.
                _redis.Ok("SET", key, value[..1]);
                _redis.Ok("APPEND", key, value[1..]);
            }
            else
            {
                _redis.Ok("SET", key, value);
            }
            byte[] dump = Dump(key);

            DumpedValue parsed = RdbDump.Deserialize(dump);
            Assert.That(parsed.Type, Is.EqualTo(RedisType.String));
            Assert.That(parsed.String, Is.EqualTo(value));

            byte[] ours = RdbDump.Serialize(DumpedValue.FromString(value));
            if (dump[1] == 0xC3)
            {
                compressed++;
                compressedIdentical += ours.AsSpan().SequenceEqual(dump) ? 1 : 0;
            }
            else
            {
                Assert.That(ours, Is.EqualTo(dump), $"DUMP of {Describe(value)}");
            }

            string copy = Restore(ours);
            Assert.That(_redis.Ok("GET", copy), Is.EqualTo(value));
        }
        TestContext.Progress.WriteLine($"Strings: {compressedIdentical} of {compressed} LZF-compressed DUMPs byte-identical");
        Assert.That(compressed, Is.GreaterThan(20));
        Assert.That(_encodings, Is.SupersetOf(new[] { "int", "embstr", "raw" }));
        Assert.That(_dumpTypes, Is.EquivalentTo(new byte[] { 0 }));
    }

    [Test]
    public void Lists()
    {
        for (int i = 0; i < 60; i++)
        {
            bool compress = i % 4 == 1;
            bool plainNodes = i % 4 == 2;
            if (compress)
                _redis.Ok("CONFIG", "SET", "list-compress-depth", "1");
            if (plainNodes)
                _redis.Ok("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100");
            try
            {
                var elements = Enumerable.Range(0, RandomSize()).Select(_ => RandomValue()).ToList();
                string key = NewKey();
                foreach (byte[][] chunk in elements.Chunk(500))
                    _redis.Ok(["RPUSH", key, .. chunk]);

                DumpedValue parsed = RdbDump.Deserialize(Dump(key));
                Assert.That(parsed.Type, Is.EqualTo(RedisType.List));
                Assert.That(parsed.List, Is.EqualTo(elements));

                string copy = Restore(RdbDump.Serialize(DumpedValue.FromList(elements)));
                Assert.That(Bulks(_redis.Ok("LRANGE", copy, "0", "-1")), Is.EqualTo(elements));
            }
            finally
            {
                _redis.Ok("CONFIG", "SET", "list-compress-depth", "0");
                _redis.Ok("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1gb");
            }
        }
        Assert.That(_encodings, Does.Contain("quicklist"));
        Assert.That(_dumpTypes, Is.EquivalentTo(new byte[] { 18 })); // quicklist 2: packed, plain and LZF nodes
    }

    [Test]
    public void Sets()
    {
        for (int i = 0; i < 60; i++)
        {
            List<byte[]> members = i % 3 == 0
                ? UniqueValues(RandomSize(), () => Ascii(_random.NextInt64(-100_000, 100_000).ToString(CultureInfo.InvariantCulture)))
                : UniqueValues(RandomSize(), RandomValue);
            string key = NewKey();
            foreach (byte[][] chunk in members.Chunk(500))
                _redis.Ok(["SADD", key, .. chunk]);

            DumpedValue parsed = RdbDump.Deserialize(Dump(key));
            Assert.That(parsed.Type, Is.EqualTo(RedisType.Set));
            Assert.That(Sorted(parsed.Set!), Is.EqualTo(Sorted(members)));

            string copy = Restore(RdbDump.Serialize(DumpedValue.FromSet(members)));
            Assert.That(Sorted(Bulks(_redis.Ok("SMEMBERS", copy))), Is.EqualTo(Sorted(members)));
        }
        Assert.That(_encodings, Is.SupersetOf(new[] { "intset", "hashtable" }));
        Assert.That(_dumpTypes, Is.EquivalentTo(new byte[] { 2, 11 }));
    }

    [Test]
    public void Hashes()
    {
        for (int i = 0; i < 60; i++)
        {
            List<byte[]> fields = UniqueValues(RandomSize(), RandomValue);
            var pairs = fields.Select(f => new KeyValuePair<byte[], byte[]>(f, RandomValue())).ToList();
            string key = NewKey();
            foreach (KeyValuePair<byte[], byte[]>[] chunk in pairs.Chunk(250))
                _redis.Ok(["HSET", key, .. chunk.SelectMany(p => new[] { p.Key, p.Value })]);

            DumpedValue parsed = RdbDump.Deserialize(Dump(key));
            Assert.That(parsed.Type, Is.EqualTo(RedisType.Hash));
            Assert.That(HashView(parsed.Hash!), Is.EqualTo(HashView(pairs)));

            string copy = Restore(RdbDump.Serialize(DumpedValue.FromHash(pairs)));
            Assert.That(HashView(Pairs(Bulks(_redis.Ok("HGETALL", copy)))), Is.EqualTo(HashView(pairs)));
        }
        Assert.That(_encodings, Is.SupersetOf(new[] { "listpack", "hashtable" }));
        Assert.That(_dumpTypes, Is.EquivalentTo(new byte[] { 4, 16 }));
    }

    [Test]
    public void SortedSets()
    {
        for (int i = 0; i < 60; i++)
        {
            List<byte[]> members = UniqueValues(RandomSize(), RandomValue);
            var entries = members.Select(m => (Member: m, Score: RandomScore())).ToList();
            string key = NewKey();
            foreach ((byte[] Member, double Score)[] chunk in entries.Chunk(250))
                _redis.Ok(["ZADD", key, .. chunk.SelectMany(e => new[] { Ascii(FormatScore(e.Score)), e.Member })]);

            DumpedValue parsed = RdbDump.Deserialize(Dump(key));
            Assert.That(parsed.Type, Is.EqualTo(RedisType.SortedSet));
            // Compare with what Redis holds, not with what was sent: a listpack keeps -0 as 0.
            List<(byte[] Member, double Score)> held = ReadZset(key);
            Assert.That(ZsetView(parsed.SortedSet!), Is.EqualTo(ZsetView(held)));

            string copy = Restore(RdbDump.Serialize(DumpedValue.FromSortedSet(entries)));
            Assert.That(ZsetView(ReadZset(copy)), Is.EqualTo(ZsetView(entries)));
        }
        Assert.That(_encodings, Is.SupersetOf(new[] { "listpack", "skiplist" }));
        Assert.That(_dumpTypes, Is.EquivalentTo(new byte[] { 5, 17 }));
    }

    [Test]
    public void CorruptPayloadsAreJudgedLikeRedis()
    {
        _redis.Ok("CONFIG", "SET", "sanitize-dump-payload", "yes");
        try
        {
            int weStricter = 0, probes = 0;
            var sources = new List<byte[]>();
            string k;
            _redis.Ok("SET", k = NewKey(), string.Concat(Enumerable.Repeat("abcdef", 10)));
            sources.Add(Dump(k));
            _redis.Ok("RPUSH", k = NewKey(), "a", "12", "-3000", "hello", "70000");
            sources.Add(Dump(k));
            _redis.Ok("SADD", k = NewKey(), "1", "5", "70000");
            sources.Add(Dump(k));
            _redis.Ok("HSET", k = NewKey(), "f1", "v1", "f2", "300");
            sources.Add(Dump(k));
            _redis.Ok("ZADD", k = NewKey(), "1.5", "m1", "2", "m2", "inf", "m3");
            sources.Add(Dump(k));

            foreach (byte[] source in sources)
            {
                byte[] body = source[..^10];
                for (int round = 0; round < 150; round++)
                {
                    byte[] mutated = [.. body];
                    if (round % 5 == 0)
                        mutated = mutated[..(1 + _random.Next(mutated.Length - 1))];
                    else
                        mutated[1 + _random.Next(mutated.Length - 1)] = (byte)_random.Next(256);
                    byte[] payload = PackedBuilder.Payload(mutated);
                    probes++;

                    string key = NewKey();
                    object? redisReply = _redis.Call("RESTORE", key, "0", payload);
                    DumpedValue? ours = null;
                    string? ourError = null;
                    try
                    {
                        ours = RdbDump.Deserialize(payload);
                    }
                    catch (DumpPayloadException ex)
                    {
                        ourError = ex.Message;
                    }

                    if (redisReply is RespError error)
                    {
                        Assert.That("ERR " + ourError, Is.EqualTo(error.Message), $"Redis refused {Convert.ToHexString(payload)}");
                    }
                    else if (ourError is not null)
                    {
                        // Redis reads a non-numeric listpack score as a number prefix, and reads a string
                        // that runs past the body into the payload's own version and CRC bytes.
                        weStricter++;
                    }
                    else
                    {
                        AssertSameContent(key, ours!);
                    }
                }
            }
            TestContext.Progress.WriteLine($"Corrupt payloads: {probes} probes, {weStricter} accepted by Redis but refused by us");

            // Footer errors carry Redis's exact text.
            byte[] good = sources[0];
            byte[] badCrc = [.. good];
            badCrc[^1] ^= 0xFF;
            byte[] zeroCrc = [.. good[..^8], .. new byte[8]];
            byte[] newer = PackedBuilder.Payload(good[..^10], version: 11);
            foreach (byte[] payload in new[] { badCrc, zeroCrc, newer, good[..5] })
            {
                var redisError = (RespError)_redis.Call("RESTORE", NewKey(), "0", payload)!;
                var ex = Assert.Throws<DumpPayloadException>(() => RdbDump.Deserialize(payload));
                Assert.That("ERR " + ex!.Message, Is.EqualTo(redisError.Message));
            }
        }
        finally
        {
            _redis.Ok("CONFIG", "SET", "sanitize-dump-payload", "no");
        }
    }

    // ---- helpers ----

    private void AssertSameContent(string key, DumpedValue value)
    {
        switch (value.Type)
        {
            case RedisType.String:
                Assert.That(_redis.Ok("GET", key), Is.EqualTo(value.String));
                break;
            case RedisType.List:
                Assert.That(Bulks(_redis.Ok("LRANGE", key, "0", "-1")), Is.EqualTo(value.List));
                break;
            case RedisType.Set:
                Assert.That(Sorted(Bulks(_redis.Ok("SMEMBERS", key))), Is.EqualTo(Sorted(value.Set!)));
                break;
            case RedisType.Hash:
                Assert.That(HashView(Pairs(Bulks(_redis.Ok("HGETALL", key)))), Is.EqualTo(HashView(value.Hash!)));
                break;
            case RedisType.SortedSet:
                Assert.That(ZsetView(ReadZset(key)), Is.EqualTo(ZsetView(value.SortedSet!)));
                break;
        }
    }

    private string NewKey() => $"dump:{++_keys}";

    private byte[] Dump(string key)
    {
        _encodings.Add(Encoding.ASCII.GetString((byte[])_redis.Ok("OBJECT", "ENCODING", key)!));
        var dump = (byte[])_redis.Ok("DUMP", key)!;
        _dumpTypes.Add(dump[0]);
        return dump;
    }

    private string Restore(byte[] payload)
    {
        string key = NewKey();
        Assert.That(_redis.Call("RESTORE", key, "0", payload), Is.EqualTo("OK"), $"RESTORE of {Convert.ToHexString(payload[..Math.Min(payload.Length, 64)])}");
        return key;
    }

    /// <summary>Small collections (packed encodings) and large ones (over 128/512 entries).</summary>
    private int RandomSize() => _random.Next(4) switch
    {
        0 => _random.Next(1, 8),
        1 => _random.Next(8, 120),
        2 => _random.Next(130, 600),
        _ => _random.Next(600, 2500),
    };

    private byte[] RandomValue()
    {
        switch (_random.Next(12))
        {
            case 0:
                return [];
            case 1:
                return Ascii(_random.Next(-200, 200).ToString(CultureInfo.InvariantCulture));
            case 2:
                long[] edges = [sbyte.MinValue, sbyte.MaxValue, short.MinValue, short.MaxValue, int.MinValue, int.MaxValue,
                    (long)int.MaxValue + 1, long.MinValue, long.MaxValue, 4095, -4096, 8388607, -8388608];
                return Ascii(edges[_random.Next(edges.Length)].ToString(CultureInfo.InvariantCulture));
            case 3:
                return Ascii(_random.NextInt64(long.MinValue, long.MaxValue).ToString(CultureInfo.InvariantCulture));
            case 4:
                string[] tricky = ["007", "-0", "+1", " 1", "1.5", "1e3", "0x10", "99999999999999999999", "-"];
                return Ascii(tricky[_random.Next(tricky.Length)]);
            case 5:
            case 6:
                return Ascii(RandomWord(_random.Next(1, 20)));
            case 7:
            {
                var bytes = new byte[_random.Next(1, 100)];
                _random.NextBytes(bytes);
                return bytes;
            }
            case 8:
                return Ascii(string.Concat(Enumerable.Repeat(RandomWord(_random.Next(1, 6)), _random.Next(5, 40))));
            case 9:
                return Ascii(RandomWord(_random.Next(21, 90)));
            case 10:
                return Ascii(string.Concat(Enumerable.Repeat(RandomWord(_random.Next(2, 30)), _random.Next(50, 800))));
            default:
            {
                var bytes = new byte[_random.Next(100, 20000)];
                _random.NextBytes(bytes);
                return bytes;
            }
        }
    }

    private string RandomWord(int length) =>
        new(Enumerable.Range(0, length).Select(_ => (char)('a' + _random.Next(26))).ToArray());

    private double RandomScore() => _random.Next(10) switch
    {
        0 => new[] { double.PositiveInfinity, double.NegativeInfinity, -0.0, 0.0, double.Epsilon, double.MaxValue, -double.MaxValue, 0.1 }[_random.Next(8)],
        1 or 2 => _random.Next(-1000, 1000),
        3 => _random.NextInt64(long.MinValue, long.MaxValue),
        4 or 5 => Math.Round(_random.NextDouble() * 1000 - 500, 2),
        6 => _random.NextDouble(),
        _ => RandomBitsDouble(),
    };

    private double RandomBitsDouble()
    {
        while (true)
        {
            double d = BitConverter.Int64BitsToDouble(_random.NextInt64(long.MinValue, long.MaxValue));
            if (!double.IsNaN(d))
                return d;
        }
    }

    private static string FormatScore(double score) => score switch
    {
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ => score.ToString("R", CultureInfo.InvariantCulture),
    };

    private List<(byte[] Member, double Score)> ReadZset(string key)
    {
        List<byte[]> flat = Bulks(_redis.Ok("ZRANGE", key, "0", "-1", "WITHSCORES"));
        var result = new List<(byte[], double)>();
        for (int i = 0; i < flat.Count; i += 2)
        {
            Assert.That(RdbText.TryParseScore(flat[i + 1], out double score), Is.True);
            result.Add((flat[i], score));
        }
        return result;
    }

    private static List<byte[]> UniqueValues(int count, Func<byte[]> next)
    {
        var seen = new HashSet<string>();
        var values = new List<byte[]>();
        for (int attempts = 0; values.Count < count && attempts < count * 20; attempts++)
        {
            byte[] value = next();
            if (seen.Add(Convert.ToHexString(value)))
                values.Add(value);
        }
        return values;
    }

    private static List<byte[]> Bulks(object? reply) => ((object?[])reply!).Select(o => (byte[])o!).ToList();

    private static List<KeyValuePair<byte[], byte[]>> Pairs(List<byte[]> flat) =>
        Enumerable.Range(0, flat.Count / 2).Select(i => new KeyValuePair<byte[], byte[]>(flat[2 * i], flat[2 * i + 1])).ToList();

    private static List<string> Sorted(IEnumerable<byte[]> items) => items.Select(Convert.ToHexString).Order(StringComparer.Ordinal).ToList();

    private static SortedDictionary<string, string> HashView(IEnumerable<KeyValuePair<byte[], byte[]>> pairs) =>
        new(pairs.ToDictionary(p => Convert.ToHexString(p.Key), p => Convert.ToHexString(p.Value)), StringComparer.Ordinal);

    private static SortedDictionary<string, long> ZsetView(IEnumerable<(byte[] Member, double Score)> entries) =>
        new(entries.ToDictionary(e => Convert.ToHexString(e.Member), e => BitConverter.DoubleToInt64Bits(e.Score)), StringComparer.Ordinal);

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static string Describe(byte[] value) =>
        value.Length <= 40 ? $"\"{Encoding.ASCII.GetString(value)}\"" : $"{value.Length} bytes";
}
