using RocksDbSharp;

namespace Reborn.Storage.Engines;

/// <summary>
/// A RocksDB write batch with two ways of recording. Outside a <see cref="GroupCommit"/> scope
/// operations are copied straight into a native batch as they are recorded, so a write made at once
/// (the in-process API, a migration's 4 MB raw copy) costs no managed copy; the engine reads them back
/// (<see cref="Operations"/>, parsed from RocksDB's WriteBatch format: a 12-byte header, then per
/// record a tag and length-prefixed key and value) only to update the hot records a small write touched.
/// Inside a scope the batch will most likely become dirty hot records and reach RocksDB later with the
/// rest of the round, so its operations are recorded in managed memory instead: no native call per
/// operation, nothing to parse back. Such a batch is copied into its native batch only if it must be
/// written at once after all (<see cref="Handle"/>: a range delete, dirty records over their bound).
/// The way is chosen by the first operation after <see cref="Clear"/>.
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
    private bool _managed; // operations are recorded in _bytes and _operations, not (yet) in the native batch
    private bool _copied; // a managed batch's operations were copied into the native batch too
    private byte[] _bytes = new byte[256]; // a managed batch's keys and values, back to back
    private int _length;

    public RocksDbEngine Owner { get; } = owner;

    /// <summary>The native batch, with every operation recorded so far (a managed batch is copied into it first).</summary>
    public nint Handle
    {
        get
        {
            if (_managed && !_copied) CopyToNative();
            return _batch.Handle;
        }
    }

    public int Count { get; private set; }

    /// <summary>True when the batch holds a DeleteRange, which only RocksDB itself can apply in order.</summary>
    public bool HasRange { get; private set; }

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (Choose())
        {
            int keyStart = Append(key), valueStart = Append(value);
            _operations.Add(new Operation(BatchOperationKind.Put, keyStart, key.Length, valueStart, value.Length));
            if (_copied) NativePut(key, value);
        }
        else NativePut(key, value);
        Count++;
    }

    public void Delete(ReadOnlySpan<byte> key)
    {
        if (Choose())
        {
            _operations.Add(new Operation(BatchOperationKind.Delete, Append(key), key.Length, 0, 0));
            if (_copied) NativeDelete(key);
        }
        else NativeDelete(key);
        Count++;
    }

    /// <summary>Deletes [start, end); an empty or inverted range deletes nothing (RocksDB would reject it).</summary>
    public void DeleteRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        bool managed = Choose();
        if (start.SequenceCompareTo(end) < 0)
        {
            HasRange = true;
            if (managed)
            {
                int startAt = Append(start), endAt = Append(end);
                _operations.Add(new Operation(BatchOperationKind.DeleteRange, startAt, start.Length, endAt, end.Length));
            }
            if (!managed || _copied) NativeDeleteRange(start, end);
        }

        Count++;
    }

    /// <summary>The operations, in order (read back from a native batch); valid until the batch changes.</summary>
    public IReadOnlyList<Operation> Operations
    {
        get
        {
            if (!_managed && !_parsed)
                Parse();
            return _operations;
        }
    }

    public ReadOnlySpan<byte> KeyOf(in Operation operation) =>
        _managed ? _bytes.AsSpan(operation.KeyStart, operation.KeyLength) : new(_data + operation.KeyStart, operation.KeyLength);

    public ReadOnlySpan<byte> ValueOf(in Operation operation) =>
        _managed ? _bytes.AsSpan(operation.ValueStart, operation.ValueLength) : new(_data + operation.ValueStart, operation.ValueLength);

    public void Clear()
    {
        if (!_managed || _copied)
            _batch.Clear();
        Count = 0;
        _records = 0;
        HasRange = false;
        _parsed = false;
        _managed = false;
        _copied = false;
        _length = 0;
        _operations.Clear();
    }

    public void Dispose() => _batch.Dispose();

    /// <summary>On the first operation after Clear, picks the way (managed inside a GroupCommit scope); true when managed.</summary>
    private bool Choose()
    {
        if (Count == 0)
            _managed = GroupCommit.Deferring;
        _parsed = false;
        return _managed;
    }

    private int Append(ReadOnlySpan<byte> bytes)
    {
        if (_bytes.Length - _length < bytes.Length)
            Array.Resize(ref _bytes, Math.Max(2 * _bytes.Length, _length + bytes.Length));
        bytes.CopyTo(_bytes.AsSpan(_length));
        int start = _length;
        _length += bytes.Length;
        return start;
    }

    /// <summary>A managed batch that must be written at once: its operations go into the native batch, in order.</summary>
    private void CopyToNative()
    {
        foreach (var op in _operations)
        {
            switch (op.Kind)
            {
                case BatchOperationKind.Put: NativePut(KeyOf(op), ValueOf(op)); break;
                case BatchOperationKind.Delete: NativeDelete(KeyOf(op)); break;
                default: NativeDeleteRange(KeyOf(op), ValueOf(op)); break;
            }
        }
        _copied = true;
    }

    private void NativePut(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* k = key, v = value)
            Native.Instance.rocksdb_writebatch_put(_batch.Handle, k, (nuint)key.Length, v, (nuint)value.Length);
        _records++;
    }

    private void NativeDelete(ReadOnlySpan<byte> key)
    {
        fixed (byte* k = key)
            Native.Instance.rocksdb_writebatch_delete(_batch.Handle, k, (nuint)key.Length);
        _records++;
    }

    private void NativeDeleteRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
    {
        fixed (byte* s = start, e = end)
            Native.Instance.rocksdb_writebatch_delete_range(_batch.Handle, s, (nuint)start.Length, e, (nuint)end.Length);
        _records++;
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
