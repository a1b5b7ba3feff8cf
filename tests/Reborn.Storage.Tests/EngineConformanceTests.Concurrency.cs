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
