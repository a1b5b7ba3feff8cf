using NUnit.Framework;

namespace Reborn.Storage.Tests;

public sealed partial class EngineConformanceTests
{
    private const int PairBatches = 2_000;

    [Test]
    public void A_concurrent_reader_never_sees_half_a_batch()
    {
        var engine = Open();
        WritePair(engine, 0);
        var writerDone = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();

        var writer = Task.Run(() =>
        {
            try
            {
                for (var i = 1; i <= PairBatches; i++)
                    WritePair(engine, i);
            }
            finally
            {
                Volatile.Write(ref writerDone, 1);
            }
        });

        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            for (var n = 0; n < 20_000 && Volatile.Read(ref writerDone) == 0; n++)
            {
                switch ((n + r) % 4)
                {
                    case 0:
                        using (var snapshot = engine.CreateSnapshot())
                        {
                            int a = Value(snapshot, "pair:a"), b = Value(snapshot, "pair:b");
                            if (a != b)
                                failures.Enqueue($"snapshot saw a={a} b={b}");
                        }

                        break;
                    case 1:
                        using (var iterator = engine.CreateIterator(B("pair:"), B("pair;")))
                        {
                            iterator.SeekToFirst();
                            var a = BitConverter.ToInt32(iterator.Value);
                            iterator.Next();
                            var b = BitConverter.ToInt32(iterator.Value);
                            if (a != b)
                                failures.Enqueue($"iterator saw a={a} b={b}");
                        }

                        break;
                    case 2:
                        {
                            // Values only grow: a read of a, then b, must not find b behind a.
                            int a = Value(engine, "pair:a"), b = Value(engine, "pair:b");
                            if (b < a)
                                failures.Enqueue($"live reads saw a={a} then b={b}");
                        }

                        break;
                    default:
                        {
                            int b = Value(engine, "pair:b"), a = Value(engine, "pair:a");
                            if (a < b)
                                failures.Enqueue($"live reads saw b={b} then a={a}");
                        }

                        break;
                }
            }
        })).ToArray();

        Task.WaitAll([writer, .. readers]);
        Assert.That(failures, Is.Empty);
        Assert.That(Value(engine, "pair:a"), Is.EqualTo(PairBatches));
    }

    [Test]
    public void Readers_run_concurrently_with_writers()
    {
        var engine = Open();
        const int writers = 2, perWriter = 3_000;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var done = 0;

        var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            using var batch = engine.CreateBatch();
            for (var i = 0; i < perWriter; i++)
            {
                batch.Clear();
                batch.Put(B($"w{w}:{i:D5}"), BitConverter.GetBytes(i));
                if (i % 10 == 9)
                    batch.Delete(B($"w{w}:{i - 5:D5}"));
                engine.Write(batch);
            }

            Interlocked.Increment(ref done);
        })).ToArray();

        var readerTasks = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            for (var n = 0; n < 5_000 && Volatile.Read(ref done) < writers; n++)
            {
                var key = B($"w{n % writers}:{n % perWriter:D5}");
                var value = engine.Get(key);
                if (value is not null && BitConverter.ToInt32(value) != n % perWriter)
                    failures.Enqueue($"wrong value for {S(key)}");
                if (n % 50 == 0)
                {
                    using var iterator = engine.CreateIterator(B($"w{r % writers}:"), B($"w{r % writers};"));
                    byte[]? previous = null;
                    for (iterator.SeekToFirst(); iterator.Valid; iterator.Next())
                    {
                        if (previous is not null && iterator.Key.SequenceCompareTo(previous) <= 0)
                            failures.Enqueue("iterator out of order");
                        previous = iterator.Key.ToArray();
                    }
                }
            }
        })).ToArray();

        Task.WaitAll([.. writerTasks, .. readerTasks]);
        Assert.That(failures, Is.Empty);
        for (var w = 0; w < writers; w++)
        {
            Assert.That(Scan(engine, $"w{w}:", $"w{w};").Count, Is.EqualTo(perWriter - perWriter / 10));
        }
    }

    /// <summary>
    /// Writes of every kind run while readers read: direct writes, scoped writes applied by Complete
    /// (RocksDB writes them while readers find them in flight among its hot records), and bulk writes.
    /// Each counter only grows, so a read must never return less than a write that had returned before
    /// it began, nor less than a value any reader saw before it began.
    /// </summary>
    [Test]
    public void Reads_never_go_back_while_writes_of_every_kind_are_in_flight()
    {
        var engine = Open(Durability.EverySecond);
        const int keysPerWriter = 16, rounds = 1_500;
        string[] modes = ["direct", "scoped", "bulk"];
        var acknowledged = new int[modes.Length * keysPerWriter]; // highest value whose write returned
        var seen = new int[acknowledged.Length]; // highest value any reader returned
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var writersDone = 0;
        static string Key(int k) => $"c:{k:D3}";

        var writers = Enumerable.Range(0, modes.Length).Select(w => Task.Run(() =>
        {
            try
            {
                using var batch = engine.CreateBatch();
                for (var round = 1; round <= rounds; round++)
                {
                    int k = w * keysPerWriter + round % keysPerWriter;
                    batch.Clear();
                    batch.Put(B(Key(k)), BitConverter.GetBytes(round));
                    if (modes[w] == "bulk")
                    {
                        for (var filler = 0; filler < 80; filler++)
                            batch.Put(B($"f:{filler:D3}"), BitConverter.GetBytes(round));
                    }

                    if (modes[w] == "scoped")
                        GroupCommit.Begin();
                    engine.Write(batch);
                    if (modes[w] == "scoped" && round % 3 == 0)
                        GroupCommit.Complete(); // otherwise the next write's scope, or another thread's, applies it
                    Volatile.Write(ref acknowledged[k], round);
                }
            }
            finally
            {
                GroupCommit.Complete();
                Interlocked.Increment(ref writersDone);
            }
        })).ToArray();

        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            for (var n = 0; n < 200_000 && Volatile.Read(ref writersDone) < modes.Length; n++)
            {
                int k = random.Next(acknowledged.Length);
                int floor = Math.Max(Volatile.Read(ref acknowledged[k]), Volatile.Read(ref seen[k]));
                int value;
                if (n % 64 == 0)
                {
                    using var iterator = engine.CreateIterator(B(Key(k)), B(Key(k + 1)));
                    iterator.SeekToFirst();
                    value = iterator.Valid ? BitConverter.ToInt32(iterator.Value) : 0;
                }
                else
                {
                    value = engine.Get(B(Key(k))) is { } bytes ? BitConverter.ToInt32(bytes) : 0;
                }

                if (value < floor)
                    failures.Enqueue($"{(n % 64 == 0 ? "iterator" : "point read")} of {Key(k)}: {value} after {floor} was written or seen");
                for (int before = Volatile.Read(ref seen[k]); value > before; before = Volatile.Read(ref seen[k]))
                {
                    if (Interlocked.CompareExchange(ref seen[k], value, before) == before)
                        break;
                }
            }
        })).ToArray();

        Task.WaitAll([.. writers, .. readers]);
        Assert.That(failures.Take(5), Is.Empty);
        for (var k = 0; k < acknowledged.Length; k++)
            Assert.That(BitConverter.ToInt32(engine.Get(B(Key(k)))!), Is.EqualTo(acknowledged[k]), Key(k));
    }

    private static void WritePair(IStorageEngine engine, int value)
    {
        using var batch = engine.CreateBatch();
        batch.Put(B("pair:a"), BitConverter.GetBytes(value));
        batch.Put(B("pair:b"), BitConverter.GetBytes(value));
        engine.Write(batch);
    }

    private static int Value(IStorageReader reader, string key)
        => reader.TryRead(B(key), 0, static (value, _) => BitConverter.ToInt32(value), out var result) ? result : -1;
}
