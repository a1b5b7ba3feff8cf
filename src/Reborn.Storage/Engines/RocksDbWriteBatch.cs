using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// A native RocksDB write batch: operations are copied straight into it as they are recorded, so a
/// write made at once (the in-process API, a migration's 4 MB raw copy) costs no managed copy. The
/// engine reads the operations back (<see cref="Operations"/>) only when it needs them: to hold them
/// as dirty hot records inside a <see cref="GroupCommit"/> scope, or to update the hot records a
/// small direct write touched. They are parsed from the batch's own bytes (RocksDB's WriteBatch
/// format: a 12-byte header, then per record a tag and length-prefixed key and value).
/// </summary>
internal sealed unsafe class RocksDbWriteBatch(RocksDbEngine owner) : IWriteBatch
{
    private const byte TagDeletion = 0x0, TagValue = 0x1, TagSingleDeletion = 0x7, TagRangeDeletion = 0xF;
    private const int HeaderLength = 12;

    private readonly WriteBatch _batch = new();
    private readonly List<Operation> _operations = [];
    private byte* _data;
    private bool _parsed;
    private int _records; // records in the native batch (an empty DeleteRange counts in Count but writes none)

    public RocksDbEngine Owner { get; } = owner;

    public nint Handle => _batch.Handle;

    public int Count { get; private set; }

    /// <summary>True when the batch holds a DeleteRange, which only RocksDB itself can apply in order.</summary>
    public bool HasRange { get; private set; }

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key, v = value)
            Native.Instance.rocksdb_writebatch_put(_batch.Handle, k, (nuint)key.Length, v, (nuint)value.Length);
        _records++;
        Recorded();
    }

    public void Delete(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
            Native.Instance.rocksdb_writebatch_delete(_batch.Handle, k, (nuint)key.Length);
        _records++;
        Recorded();
    }

    /// <summary>Deletes [start, end); an empty or inverted range deletes nothing (RocksDB would reject it).</summary>
    public void DeleteRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        if (start.SequenceCompareTo(end) < 0)
        {
            fixed (byte* s = start, e = end)
                Native.Instance.rocksdb_writebatch_delete_range(_batch.Handle, s, (nuint)start.Length, e, (nuint)end.Length);
            HasRange = true;
            _records++;
        }

        Recorded();
    }

    /// <summary>The operations, in order, read back from the batch; valid until it changes.</summary>
    public IReadOnlyList<Operation> Operations
    {
        get
        {
            if (!_parsed)
                Parse();
            return _operations;
        }
    }

    public ReadOnlySpan<byte> KeyOf(in Operation operation) => new(_data + operation.KeyStart, operation.KeyLength);

    public ReadOnlySpan<byte> ValueOf(in Operation operation) => new(_data + operation.ValueStart, operation.ValueLength);

    public void Clear()
    {
        _batch.Clear();
        Count = 0;
        _records = 0;
        HasRange = false;
        Recorded(0);
    }

    public void Dispose() => _batch.Dispose();

    private void Recorded(int added = 1)
    {
        Count += added;
        _parsed = false;
    }

    private void Parse()
    {
        _operations.Clear();
        _data = (byte*)Native.Instance.rocksdb_writebatch_data(_batch.Handle, out nuint size);
        int length = checked((int)size), at = HeaderLength;
        while (at < length)
        {
            byte tag = _data[at++];
            int keyStart = ReadLength(ref at, out int keyLength);
            switch (tag)
            {
                case TagValue:
                    int valueStart = ReadLength(ref at, out int valueLength);
                    _operations.Add(new Operation(BatchOperationKind.Put, keyStart, keyLength, valueStart, valueLength));
                    break;
                case TagDeletion or TagSingleDeletion:
                    _operations.Add(new Operation(BatchOperationKind.Delete, keyStart, keyLength, 0, 0));
                    break;
                case TagRangeDeletion:
                    int endStart = ReadLength(ref at, out int endLength);
                    _operations.Add(new Operation(BatchOperationKind.DeleteRange, keyStart, keyLength, endStart, endLength));
                    break;
                default:
                    throw new InvalidDataException($"Unexpected record tag {tag:x2} in a RocksDB write batch");
            }
        }

        if (_operations.Count != _records)
            throw new InvalidDataException($"A RocksDB write batch holds {_operations.Count} records, {_records} were recorded");
        _parsed = true;
    }

    /// <summary>Reads a varint32 length at <paramref name="at"/>; returns where the bytes start and moves past them.</summary>
    private int ReadLength(ref int at, out int length)
    {
        uint value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = _data[at++];
            value |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
                break;
        }

        length = checked((int)value);
        int start = at;
        at += length;
        return start;
    }

    /// <summary>One operation; for DeleteRange the key is the start and the value the end.</summary>
    internal readonly record struct Operation(BatchOperationKind Kind, int KeyStart, int KeyLength, int ValueStart, int ValueLength);
}
