using System.Text;
using NUnit.Framework;
using Reborn.Storage.Engines;

namespace Reborn.Storage.Tests;

/// <summary>
/// The hot records' native table finds every record it holds through growth, removal from any place
/// in a bucket's chain, slot reuse and clearing, keeps values byte for byte as they change length,
/// and counts its bytes exactly.
/// </summary>
public sealed class HotRecordTableTests
{
    private static byte[] Key(int i) => Encoding.ASCII.GetBytes($"key:{i:D7}");

    private static byte[] Value(int i, int length)
    {
        var value = new byte[length];
        for (int b = 0; b < length; b++)
            value[b] = (byte)(i * 31 + b);
        return value;
    }

    private static int Add(HotRecordTable table, byte[] key, byte[] value) => table.Add(key, HotRecordTable.HashOf(key), value);

    [Test]
    public void RecordsSurviveGrowthRemovalAndSlotReuse()
    {
        using var table = new HotRecordTable();
        const int count = 50_000; // far past the initial slots: the index doubles many times
        for (int i = 0; i < count; i++)
        {
            Assert.That(table.Find(Key(i)), Is.EqualTo(-1));
            Add(table, Key(i), Value(i, i % 200));
        }

        for (int i = 0; i < count; i += 3)
            table.Remove(table.Find(Key(i)));
        for (int i = count; i < count + count / 3; i++) // the freed slots are reused
            Add(table, Key(i), Value(i, 7));

        Assert.That(table.SlotBound, Is.EqualTo(count), "every new record took a freed slot");
        for (int i = 0; i < count + count / 3; i++)
        {
            int slot = table.Find(Key(i));
            if (i < count && i % 3 == 0)
            {
                Assert.That(slot, Is.EqualTo(-1), $"key {i} was removed");
                continue;
            }

            Assert.That(slot, Is.GreaterThanOrEqualTo(0), $"key {i} is held");
            Assert.That(table[slot].Key.SequenceEqual(Key(i)), Is.True);
            Assert.That(table[slot].Value.SequenceEqual(Value(i, i < count ? i % 200 : 7)), Is.True, $"key {i}'s value");
        }
    }

    [Test]
    public void ValuesChangeLengthInPlaceOrMoveAndBytesAreCountedExactly()
    {
        using var table = new HotRecordTable();
        var key = Key(1);
        int slot = table.Add(key, HotRecordTable.HashOf(key));
        Assert.That(table[slot].Absent, Is.True, "a new record knows the key is absent");
        Assert.That(table.Bytes, Is.EqualTo(key.Length + HotRecordTable.RecordOverhead));

        table.SetValue(slot, Value(1, 100));
        Assert.That(table[slot].Capacity, Is.EqualTo(100), "the first value gets room of its exact length");
        int added = Add(table, Key(2), Value(1, 100));
        Assert.That(table[added].Capacity, Is.EqualTo(100), "so does a value a record is added with");
        table.Remove(added);
        table.SetValue(slot, Value(2, 101));
        Assert.That(table[slot].Capacity, Is.EqualTo(128), "a longer one gets room to change again");
        table.SetValue(slot, Value(3, 90));
        Assert.That(table[slot].Capacity, Is.EqualTo(128), "a shorter one that fits is written in place");
        Assert.That(table[slot].Value.SequenceEqual(Value(3, 90)), Is.True);
        table.SetValue(slot, Value(4, 300));
        Assert.That(table[slot].Capacity, Is.EqualTo(320));
        table.SetValue(slot, Value(5, 5));
        Assert.That(table[slot].Capacity, Is.EqualTo(64), "one that would waste the room gets a smaller block");
        Assert.That(table[slot].Value.SequenceEqual(Value(5, 5)), Is.True);
        Assert.That(table[slot].Key.SequenceEqual(key), Is.True, "the key moves with the value");
        Assert.That(table.Bytes, Is.EqualTo(key.Length + 64 + HotRecordTable.RecordOverhead));

        table.SetAbsent(slot);
        Assert.That(table[slot].Absent && table[slot].Value.IsEmpty, Is.True);
        table.SetValue(slot, Value(6, 0));
        Assert.That(table[slot].Absent, Is.False, "an empty value is a value");

        table.Remove(slot);
        Assert.That(table.Bytes, Is.Zero);
        Assert.That(table.Count, Is.Zero);
    }

    [Test]
    public void ClearForgetsEveryRecordAndTheTableFillsAgain()
    {
        using var table = new HotRecordTable();
        for (int i = 0; i < 10_000; i++)
            Add(table, Key(i), Value(i, 100));
        table.Clear();
        Assert.That((table.Count, table.Bytes, table.SlotBound), Is.EqualTo((0, 0L, 0)));
        Assert.That(table.Find(Key(5)), Is.EqualTo(-1));
        for (int i = 0; i < 3_000; i++)
            Add(table, Key(i), Value(i + 1, 10));
        Assert.That(table[table.Find(Key(2_999))].Value.SequenceEqual(Value(3_000, 10)), Is.True);
    }

    [Test]
    public void ADisposedTableRefusesNewRecords()
    {
        var table = new HotRecordTable();
        Add(table, Key(1), Value(1, 10));
        table.Dispose();
        Assert.That(table.Find(Key(1)), Is.EqualTo(-1), "its memory is freed: nothing is found");
        Assert.Throws<ObjectDisposedException>(() => table.Add(Key(2), HotRecordTable.HashOf(Key(2))));
    }
}
