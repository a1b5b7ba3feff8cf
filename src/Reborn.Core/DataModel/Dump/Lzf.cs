namespace Reborn.Core.DataModel.Dump;

/// <summary>
/// LZF as Redis ships it (src/lzf_c.c, lzf_d.c; HLOG 16, VERY_FAST, hash table cleared per call).
/// Format: 000LLLLL + L+1 literal bytes; LLLooooo oooooooo copies L+2 bytes from offset o+1 back;
/// 111ooooo LLLLLLLL oooooooo copies L+9 bytes.
/// </summary>
internal static class Lzf
{
    private const int HashLog = 16;
    private const int HashSize = 1 << HashLog;
    private const int MaxLiteral = 1 << 5;
    private const int MaxOffset = 1 << 13;
    private const int MaxReference = (1 << 8) + (1 << 3);

    /// <summary>The most output one input byte can produce (a 3-byte back reference copies 264).</summary>
    public const int MaxExpansion = 88;

    // Slot = (generation << 32) | position, so the table never needs clearing: a slot from an
    // earlier call reads as empty. Position 0 can never be a match (Redis requires ref > in_data).
    [ThreadStatic] private static long[]? t_table;
    [ThreadStatic] private static uint t_generation;

    /// <summary>
    /// Compresses <paramref name="input"/> into at most <paramref name="maxOutput"/> bytes of
    /// <paramref name="output"/>, which must be at least <paramref name="maxOutput"/> + 1 long.
    /// Returns the compressed length, or 0 when it does not fit. Byte-identical to Redis's lzf_compress
    /// whenever Redis's (uninitialised) hash table holds no stale match.
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> input, Span<byte> output, int maxOutput)
    {
        if (input.Length == 0 || maxOutput == 0)
            return 0;
        if (output.Length < maxOutput + 1)
            throw new ArgumentException("Output must have one spare byte.", nameof(output));

        long[] table = t_table ??= new long[HashSize];
        if (++t_generation == 0)
        {
            Array.Clear(table);
            t_generation = 1;
        }
        long stamp = (long)t_generation << 32;

        int inEnd = input.Length;
        int outEnd = maxOutput;
        int ip = 0;
        int op = 1; // start run
        int lit = 0;
        uint hval = inEnd > 1 ? (uint)((input[0] << 8) | input[1]) : 0;

        while (ip < inEnd - 2)
        {
            hval = (hval << 8) | input[ip + 2];
            int slot = Index(hval);
            long entry = table[slot];
            int reference = (entry & ~0xFFFFFFFFL) == stamp ? (int)entry : 0;
            table[slot] = stamp | (uint)ip;
            int off = ip - reference - 1;

            if (reference > 0 && off < MaxOffset
                && input[reference + 2] == input[ip + 2]
                && input[reference] == input[ip] && input[reference + 1] == input[ip + 1])
            {
                int len = 2;
                int maxLen = Math.Min(inEnd - ip - len, MaxReference);

                if (op + 3 + 1 >= outEnd && op - (lit == 0 ? 1 : 0) + 3 + 1 >= outEnd)
                    return 0;

                output[op - lit - 1] = (byte)(lit - 1); // stop run
                if (lit == 0)
                    op--; // undo empty run

                bool mismatched = false;
                if (maxLen > 16)
                {
                    for (int i = 0; i < 16; i++)
                    {
                        len++;
                        if (input[reference + len] != input[ip + len])
                        {
                            mismatched = true;
                            break;
                        }
                    }
                }
                if (!mismatched)
                {
                    do
                        len++;
                    while (len < maxLen && input[reference + len] == input[ip + len]);
                }

                len -= 2; // now #octets - 1
                ip++;

                if (len < 7)
                {
                    output[op++] = (byte)((off >> 8) + (len << 5));
                }
                else
                {
                    output[op++] = (byte)((off >> 8) + (7 << 5));
                    output[op++] = (byte)(len - 7);
                }
                output[op++] = (byte)off;

                lit = 0;
                op++; // start run

                ip += len + 1;
                if (ip >= inEnd - 2)
                    break;

                ip -= 2;
                hval = (uint)((input[ip] << 8) | input[ip + 1]);
                hval = (hval << 8) | input[ip + 2];
                table[Index(hval)] = stamp | (uint)ip;
                ip++;
                hval = (hval << 8) | input[ip + 2];
                table[Index(hval)] = stamp | (uint)ip;
                ip++;
            }
            else
            {
                if (op >= outEnd)
                    return 0;
                lit++;
                output[op++] = input[ip++];
                if (lit == MaxLiteral)
                {
                    output[op - lit - 1] = (byte)(lit - 1);
                    lit = 0;
                    op++;
                }
            }
        }

        if (op + 3 > outEnd)
            return 0;

        while (ip < inEnd)
        {
            lit++;
            output[op++] = input[ip++];
            if (lit == MaxLiteral)
            {
                output[op - lit - 1] = (byte)(lit - 1);
                lit = 0;
                op++;
            }
        }

        output[op - lit - 1] = (byte)(lit - 1); // end run
        if (lit == 0)
            op--;
        return op;
    }

    /// <summary>
    /// Decompresses <paramref name="input"/> into exactly <paramref name="output"/>. Returns false
    /// when the stream is corrupt or does not produce exactly output.Length bytes.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int ip = 0;
        int op = 0;
        while (ip < input.Length)
        {
            int ctrl = input[ip++];
            if (ctrl < MaxLiteral)
            {
                int count = ctrl + 1;
                if (count > input.Length - ip || count > output.Length - op)
                    return false;
                input.Slice(ip, count).CopyTo(output.Slice(op));
                ip += count;
                op += count;
            }
            else
            {
                int len = ctrl >> 5;
                int reference = op - ((ctrl & 0x1f) << 8) - 1;
                if (len == 7)
                {
                    if (ip >= input.Length)
                        return false;
                    len += input[ip++];
                }
                if (ip >= input.Length)
                    return false;
                reference -= input[ip++];
                len += 2;
                if (reference < 0 || len > output.Length - op)
                    return false;
                // Byte by byte: source and destination may overlap (run-length style references).
                for (int i = 0; i < len; i++)
                    output[op++] = output[reference++];
            }
        }
        return op == output.Length;
    }

    private static int Index(uint h) => (int)(((h >> (3 * 8 - HashLog)) - h * 5) & (HashSize - 1));
}
