namespace Reborn.Core.DataModel;

/// <summary>
/// Thrown inside a keyspace when it no longer serves the slot of the key an operation touches
/// (a migration switched it away). The cluster catches it and routes the operation again; it never
/// reaches a client.
/// </summary>
internal sealed class SlotMovedException(int slot) : Exception($"slot {slot} is served by another group")
{
    public int Slot { get; } = slot;
}
