namespace Reborn.Core.DataModel;

/// <summary>The Redis type of a key. Persisted in metadata records: numbers are append-only.</summary>
public enum RedisType : byte
{
    None = 0,
    String = 1,
    List = 2,
    Set = 3,
    Hash = 4,
    SortedSet = 5,
}
