namespace Reborn.Storage.Engines;

/// <summary>
/// A write batch for the managed engines (memory, FASTER): it records copies of the operations,
/// and the engine replays them in order under its writer lock. Bound to the engine that made it.
/// </summary>
internal sealed class RecordedBatch : IWriteBatch
{
    private readonly List<BatchOperation> _operations = [];

    public RecordedBatch(object owner) => Owner = owner;

    public object Owner { get; }

    public IReadOnlyList<BatchOperation> Operations => _operations;

    public int Count => _operations.Count;

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        => _operations.Add(new BatchOperation(BatchOperationKind.Put, key.ToArray(), value.ToArray()));

    public void Delete(ReadOnlySpan<byte> key)
        => _operations.Add(new BatchOperation(BatchOperationKind.Delete, key.ToArray(), null));

    /// <summary>Deletes [start, end); an empty or inverted range deletes nothing.</summary>
    public void DeleteRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end)
        => _operations.Add(new BatchOperation(BatchOperationKind.DeleteRange, start.ToArray(), end.ToArray()));

    public void Clear() => _operations.Clear();

    public void Dispose() => _operations.Clear();

    /// <summary>The batch as a <see cref="RecordedBatch"/> of <paramref name="owner"/>, or an argument error.</summary>
    public static RecordedBatch Of(IWriteBatch batch, object owner)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch is not RecordedBatch recorded || !ReferenceEquals(recorded.Owner, owner))
            throw new ArgumentException("The batch was not created by this engine", nameof(batch));
        return recorded;
    }
}

internal enum BatchOperationKind
{
    Put,
    Delete,
    DeleteRange,
}

/// <summary>One recorded operation. For DeleteRange, Key is the start and Value the end.</summary>
internal readonly record struct BatchOperation(BatchOperationKind Kind, byte[] Key, byte[]? Value);
