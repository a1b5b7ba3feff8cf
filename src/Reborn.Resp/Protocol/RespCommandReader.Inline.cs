using System.Buffers;

namespace Reborn.Resp.Protocol;

// Inline commands ("SET k v\r\n", as typed in telnet), split with Redis's sdssplitargs rules.
public sealed partial class RespCommandReader
{
    private ParseResult ReadInline(in ReadOnlySequence<byte> buffer, RespCommandArgs args, out long consumed)
    {
        consumed = 0;
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        long newline = first.IndexOf((byte)'\n');
        bool inFirstSegment = newline >= 0;
        if (!inFirstSegment && !buffer.IsSingleSegment)
        {
            SequencePosition? position = buffer.PositionOf((byte)'\n');
            if (position is not null)
                newline = buffer.Slice(0, position.Value).Length;
        }
        if (newline < 0)
        {
            if (buffer.Length > InlineMaxSize)
                throw RespProtocolException.TooBigInlineRequest();
            return ParseResult.Incomplete;
        }

        consumed = newline + 1;
        long lineLength = newline;
        if (lineLength > 0 && ByteAt(buffer, first, lineLength - 1) == (byte)'\r')
            lineLength--;
        if (lineLength > int.MaxValue)
            throw RespProtocolException.CommandTooLarge();

        if (inFirstSegment)
        {
            ReadOnlySpan<byte> line = first[..(int)lineLength];
            int nul = line.IndexOf((byte)0);
            if (nul >= 0)
                line = line[..nul]; // sdssplitargs stops at a NUL byte
            if (line.IndexOfAny((byte)'"', (byte)'\'') < 0)
            {
                SplitUnquoted(line, args);
                args.SetSource(buffer.First);
                return args.Count == 0 ? ParseResult.Empty : ParseResult.Complete;
            }
        }

        // Quotes or a line across segments: copy the line to scratch and unescape in place
        // (an argument never needs more bytes than the quoted text it came from).
        byte[] scratch = args.Scratch((int)lineLength);
        buffer.Slice(0, lineLength).CopyTo(scratch);
        Span<byte> copy = scratch.AsSpan(0, (int)lineLength);
        int end = copy.IndexOf((byte)0);
        if (!SplitInPlace(end >= 0 ? copy[..end] : copy, args))
            throw RespProtocolException.UnbalancedQuotes();
        args.SetSource(scratch);
        return args.Count == 0 ? ParseResult.Empty : ParseResult.Complete;
    }

    private static byte ByteAt(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> first, long index) =>
        index < first.Length ? first[(int)index] : buffer.Slice(index, 1).FirstSpan[0];

    // C isspace(): blanks skipped between arguments.
    private static bool IsSpace(byte c) => c == ' ' || (uint)(c - '\t') <= '\r' - '\t';

    // Bytes that end an unquoted argument in sdssplitargs (not \v nor \f).
    private static bool EndsToken(byte c) => c is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';

    private static void SplitUnquoted(ReadOnlySpan<byte> line, RespCommandArgs args)
    {
        int i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i]))
                i++;
            if (i == line.Length)
                return;
            int start = i;
            while (i < line.Length && !EndsToken(line[i]))
                i++;
            args.Add(start, i - start);
        }
    }

    // A port of sdssplitargs (Redis 7.0 sds.c) writing each argument over the line itself.
    private static bool SplitInPlace(Span<byte> line, RespCommandArgs args)
    {
        int p = 0;
        int w = 0;
        int n = line.Length;
        while (true)
        {
            while (p < n && IsSpace(line[p]))
                p++;
            if (p == n)
                return true;

            int start = w;
            bool inDoubleQuotes = false;
            bool inSingleQuotes = false;
            bool done = false;
            while (!done)
            {
                byte c = p < n ? line[p] : (byte)0;
                byte next = p + 1 < n ? line[p + 1] : (byte)0;
                if (inDoubleQuotes)
                {
                    if (c == '\\' && next == 'x' && p + 3 < n && IsHex(line[p + 2]) && IsHex(line[p + 3]))
                    {
                        line[w++] = (byte)(HexDigit(line[p + 2]) * 16 + HexDigit(line[p + 3]));
                        p += 3;
                    }
                    else if (c == '\\' && next != 0)
                    {
                        p++;
                        line[w++] = next switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            _ => next,
                        };
                    }
                    else if (c == '"')
                    {
                        // The closing quote must be followed by a space or nothing at all.
                        if (next != 0 && !IsSpace(next))
                            return false;
                        done = true;
                    }
                    else if (c == 0)
                    {
                        return false;
                    }
                    else
                    {
                        line[w++] = c;
                    }
                }
                else if (inSingleQuotes)
                {
                    if (c == '\\' && next == '\'')
                    {
                        p++;
                        line[w++] = (byte)'\'';
                    }
                    else if (c == '\'')
                    {
                        if (next != 0 && !IsSpace(next))
                            return false;
                        done = true;
                    }
                    else if (c == 0)
                    {
                        return false;
                    }
                    else
                    {
                        line[w++] = c;
                    }
                }
                else
                {
                    switch (c)
                    {
                        case (byte)' ':
                        case (byte)'\n':
                        case (byte)'\r':
                        case (byte)'\t':
                        case 0:
                            done = true;
                            break;
                        case (byte)'"':
                            inDoubleQuotes = true;
                            break;
                        case (byte)'\'':
                            inSingleQuotes = true;
                            break;
                        default:
                            line[w++] = c;
                            break;
                    }
                }
                if (p < n)
                    p++;
            }
            args.Add(start, w - start);
        }
    }

    private static bool IsHex(byte c) => (uint)(c - '0') <= 9 || (uint)((c | 0x20) - 'a') <= 5;

    private static int HexDigit(byte c) => (uint)(c - '0') <= 9 ? c - '0' : (c | 0x20) - 'a' + 10;
}
