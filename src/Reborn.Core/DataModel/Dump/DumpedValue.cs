namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// The content of one key as carried by a DUMP payload: a type and exactly one populated content
/// property matching it. Collections are never empty in a payload Redis accepts.
/// </summary>
public sealed class DumpedValue
{
    private DumpedValue(RedisType type) => Type = type;

    public RedisType Type { get; }

    /// <summary>The value when <see cref="Type"/> is <see cref="RedisType.String"/>.</summary>
    public byte[]? String { get; private init; }

    /// <summary>The elements, head first, when <see cref="Type"/> is <see cref="RedisType.List"/>.</summary>
    public List<byte[]>? List { get; private init; }

    /// <summary>The members, in payload order, when <see cref="Type"/> is <see cref="RedisType.Set"/>.</summary>
    public List<byte[]>? Set { get; private init; }

    /// <summary>The field/value pairs, in payload order, when <see cref="Type"/> is <see cref="RedisType.Hash"/>.</summary>
    public List<KeyValuePair<byte[], byte[]>>? Hash { get; private init; }

    /// <summary>The members and scores, in payload order, when <see cref="Type"/> is <see cref="RedisType.SortedSet"/>.</summary>
    public List<(byte[] Member, double Score)>? SortedSet { get; private init; }

    public static DumpedValue FromString(byte[] value) =>
        new(RedisType.String) { String = value ?? throw new ArgumentNullException(nameof(value)) };

    public static DumpedValue FromList(List<byte[]> elements) =>
        new(RedisType.List) { List = elements ?? throw new ArgumentNullException(nameof(elements)) };

    public static DumpedValue FromSet(List<byte[]> members) =>
        new(RedisType.Set) { Set = members ?? throw new ArgumentNullException(nameof(members)) };

    public static DumpedValue FromHash(List<KeyValuePair<byte[], byte[]>> fields) =>
        new(RedisType.Hash) { Hash = fields ?? throw new ArgumentNullException(nameof(fields)) };

    public static DumpedValue FromSortedSet(List<(byte[] Member, double Score)> members) =>
        new(RedisType.SortedSet) { SortedSet = members ?? throw new ArgumentNullException(nameof(members)) };
}
