using System.Buffers;
using System.Text;
using Reborn.Resp.Protocol;

namespace Reborn.Resp.Tests.Protocol;

/// <summary>Drives a <see cref="RespCommandReader"/> the way a server loop does.</summary>
internal static class ParsedCommands
{
    /// <summary>Every complete command of <paramref name="buffer"/>, arguments as strings (Latin-1, binary-safe).</summary>
    public static List<string[]> ReadAll(ref ReadOnlySequence<byte> buffer, RespCommandReader? reader = null)
    {
        reader ??= new RespCommandReader();
        using var args = new RespCommandArgs();
        var commands = new List<string[]>();
        while (reader.TryReadCommand(ref buffer, args))
            commands.Add(ToStrings(args));
        return commands;
    }

    public static List<string[]> ReadAll(byte[] bytes, RespCommandReader? reader = null)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        return ReadAll(ref buffer, reader);
    }

    public static string[] ToStrings(RespCommandArgs args)
    {
        var result = new string[args.Count];
        for (int i = 0; i < args.Count; i++)
            result[i] = Encoding.Latin1.GetString(args[i]);
        return result;
    }

    /// <summary>Feeds <paramref name="bytes"/> in two reads split at <paramref name="cut"/>, as a pipe would.</summary>
    public static List<string[]> ReadInTwoReads(byte[] bytes, int cut)
    {
        var reader = new RespCommandReader();
        using var args = new RespCommandArgs();
        var commands = new List<string[]>();
        var buffer = new ReadOnlySequence<byte>(bytes, 0, cut);
        while (reader.TryReadCommand(ref buffer, args))
            commands.Add(ToStrings(args));
        long consumed = cut - buffer.Length;
        // Second read: what was not consumed plus the rest, as two segments.
        var rest = Segments.Of(bytes[(int)consumed..cut], bytes[cut..]);
        while (reader.TryReadCommand(ref rest, args))
            commands.Add(ToStrings(args));
        if (!rest.IsEmpty)
            throw new InvalidOperationException($"{rest.Length} bytes left unparsed");
        return commands;
    }
}
