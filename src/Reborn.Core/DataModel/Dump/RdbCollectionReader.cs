namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// Reads the body of each collection type in every encoding Redis 7.0 loads (rdb.c rdbLoadObject).
/// As Redis does, refuses empty collections and duplicate members or fields with Bad data format.
/// </summary>
internal static class RdbCollectionReader
{
    public static List<byte[]> ReadList(ref RdbReader reader, byte type)
    {
        List<byte[]> elements;
        switch (type)
        {
            case RdbObjectType.List:
                elements = ReadStrings(ref reader);
                break;
            case RdbObjectType.ListZiplist:
                elements = Ziplist.Decode(reader.ReadString());
                break;
            case RdbObjectType.ListQuicklist:
            {
                int nodes = reader.ReadCount();
                elements = [];
                for (int i = 0; i < nodes; i++)
                    elements.AddRange(Ziplist.Decode(reader.ReadString())); // empty nodes are skipped, as Redis does
                break;
            }
            default: // RdbObjectType.ListQuicklist2
            {
                int nodes = reader.ReadCount(minBytesEach: 2);
                elements = [];
                for (int i = 0; i < nodes; i++)
                {
                    ulong container = reader.ReadLength(out bool encoded);
                    if (encoded)
                        throw DumpPayloadException.BadDataFormat();
                    byte[] blob = reader.ReadString();
                    if (container == RdbObjectType.QuicklistNodePlain)
                        elements.Add(blob);
                    else if (container == RdbObjectType.QuicklistNodePacked)
                        elements.AddRange(Listpack.Decode(blob));
                    else
                        throw DumpPayloadException.BadDataFormat();
                }
                break;
            }
        }
        return NonEmpty(elements);
    }

    public static List<byte[]> ReadSet(ref RdbReader reader, byte type)
    {
        List<byte[]> members = type switch
        {
            RdbObjectType.Set => ReadStrings(ref reader),
            RdbObjectType.SetIntset => Intset.Decode(reader.ReadString()),
            _ => Listpack.Decode(reader.ReadString()),
        };
        var seen = new HashSet<byte[]>(members.Count, ByteArrayComparer.Instance);
        foreach (byte[] member in members)
        {
            if (!seen.Add(member))
                throw DumpPayloadException.BadDataFormat();
        }
        return NonEmpty(members);
    }

    public static List<KeyValuePair<byte[], byte[]>> ReadHash(ref RdbReader reader, byte type)
    {
        List<KeyValuePair<byte[], byte[]>> pairs;
        switch (type)
        {
            case RdbObjectType.Hash:
            {
                int count = reader.ReadCount(minBytesEach: 2);
                pairs = new List<KeyValuePair<byte[], byte[]>>(count);
                for (int i = 0; i < count; i++)
                    pairs.Add(new(reader.ReadString(), reader.ReadString()));
                break;
            }
            case RdbObjectType.HashZipmap:
                pairs = Zipmap.Decode(reader.ReadString());
                break;
            default:
            {
                List<byte[]> flat = type == RdbObjectType.HashZiplist
                    ? Ziplist.Decode(reader.ReadString())
                    : Listpack.Decode(reader.ReadString());
                if (flat.Count % 2 != 0)
                    throw DumpPayloadException.BadDataFormat();
                pairs = new List<KeyValuePair<byte[], byte[]>>(flat.Count / 2);
                for (int i = 0; i < flat.Count; i += 2)
                    pairs.Add(new(flat[i], flat[i + 1]));
                break;
            }
        }
        var seen = new HashSet<byte[]>(pairs.Count, ByteArrayComparer.Instance);
        foreach (KeyValuePair<byte[], byte[]> pair in pairs)
        {
            if (!seen.Add(pair.Key))
                throw DumpPayloadException.BadDataFormat();
        }
        return NonEmpty(pairs);
    }

    public static List<(byte[] Member, double Score)> ReadSortedSet(ref RdbReader reader, byte type)
    {
        List<(byte[] Member, double Score)> members;
        if (type is RdbObjectType.SortedSet or RdbObjectType.SortedSet2)
        {
            int count = reader.ReadCount(minBytesEach: 2);
            members = new List<(byte[], double)>(count);
            for (int i = 0; i < count; i++)
            {
                byte[] member = reader.ReadString();
                double score = type == RdbObjectType.SortedSet ? reader.ReadTextDouble() : reader.ReadBinaryDouble();
                members.Add((member, score));
            }
        }
        else
        {
            List<byte[]> flat = type == RdbObjectType.SortedSetZiplist
                ? Ziplist.Decode(reader.ReadString())
                : Listpack.Decode(reader.ReadString());
            if (flat.Count % 2 != 0)
                throw DumpPayloadException.BadDataFormat();
            members = new List<(byte[], double)>(flat.Count / 2);
            for (int i = 0; i < flat.Count; i += 2)
            {
                if (!RdbText.TryParseScore(flat[i + 1], out double score))
                    throw DumpPayloadException.BadDataFormat();
                members.Add((flat[i], score));
            }
        }
        var seen = new HashSet<byte[]>(members.Count, ByteArrayComparer.Instance);
        foreach ((byte[] member, _) in members)
        {
            if (!seen.Add(member))
                throw DumpPayloadException.BadDataFormat();
        }
        return NonEmpty(members);
    }

    private static List<byte[]> ReadStrings(ref RdbReader reader)
    {
        int count = reader.ReadCount();
        var strings = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
            strings.Add(reader.ReadString());
        return strings;
    }

    private static List<T> NonEmpty<T>(List<T> items) =>
        items.Count > 0 ? items : throw DumpPayloadException.BadDataFormat();
}
