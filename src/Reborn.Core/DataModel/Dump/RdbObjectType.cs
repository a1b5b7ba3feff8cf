namespace Reborn.Core.DataModel.Dump;

/// <summary>RDB object type bytes (rdb.h). Fixed by Redis's format: never renumber.</summary>
internal static class RdbObjectType
{
    public const byte String = 0;
    public const byte List = 1;
    public const byte Set = 2;
    public const byte SortedSet = 3;
    public const byte Hash = 4;
    public const byte SortedSet2 = 5;
    public const byte HashZipmap = 9;
    public const byte ListZiplist = 10;
    public const byte SetIntset = 11;
    public const byte SortedSetZiplist = 12;
    public const byte HashZiplist = 13;
    public const byte ListQuicklist = 14;
    public const byte HashListpack = 16;
    public const byte SortedSetListpack = 17;
    public const byte ListQuicklist2 = 18;
    public const byte SetListpack = 20;

    /// <summary>RDB_TYPE_LIST_QUICKLIST_2 node containers (quicklist.h).</summary>
    public const ulong QuicklistNodePlain = 1;
    public const ulong QuicklistNodePacked = 2;
}
