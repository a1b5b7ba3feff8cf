using System.Buffers;
using System.Text;

namespace Reborn.Resp.Protocol;

/// <summary>
/// The arguments of one parsed command: views into the receive buffer (or into a pooled
/// scratch buffer when the command spanned segments or was an inline command with quotes).
/// One instance per connection, reused for every command.
/// </summary>
/// <remarks>
/// The views are valid until the next <see cref="RespCommandReader.TryReadCommand"/> with this
/// instance, and only while the PipeReader has not been advanced past the command. Copy what
/// must outlive the command (<see cref="ToArray"/>).
/// </remarks>
public sealed class RespCommandArgs : IDisposable
{
    // A scratch buffer larger than this is given back to the pool before the next command, so
    // one huge command does not pin its size to the connection forever.
    private const int RetainedScratchLimit = 64 * 1024;

    private int[] _ranges = new int[32]; // offset, length pairs relative to _source
    private int _count;
    private ReadOnlyMemory<byte> _source;
    private byte[] _scratch = [];

    public int Count => _count;

    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count)
                throw new ArgumentOutOfRangeException(nameof(index));
            return _source.Span.Slice(_ranges[2 * index], _ranges[2 * index + 1]);
        }
    }

    /// <summary>The command name (argument 0) as sent, not case-folded.</summary>
    public ReadOnlySpan<byte> Command => this[0];

    public ReadOnlyMemory<byte> GetMemory(int index)
    {
        if ((uint)index >= (uint)_count)
            throw new ArgumentOutOfRangeException(nameof(index));
        return _source.Slice(_ranges[2 * index], _ranges[2 * index + 1]);
    }

    /// <summary>ASCII case-insensitive comparison, e.g. <c>args.Is(1, "NX"u8)</c>.</summary>
    public bool Is(int index, ReadOnlySpan<byte> ascii) => Ascii.EqualsIgnoreCase(this[index], ascii);

    /// <summary>Argument <paramref name="index"/> decoded as UTF-8. Allocates: slow paths only.</summary>
    public string GetString(int index) => Encoding.UTF8.GetString(this[index]);

    /// <summary>A copy of argument <paramref name="index"/> that outlives the receive buffer.</summary>
    public byte[] ToArray(int index) => this[index].ToArray();

    public override string ToString()
    {
        var builder = new StringBuilder();
        for (int i = 0; i < _count; i++)
        {
            if (i > 0)
                builder.Append(' ');
            builder.Append('"').Append(Encoding.UTF8.GetString(this[i])).Append('"');
        }
        return builder.ToString();
    }

    /// <summary>
    /// Loads a command given as separate arguments (in-process callers, tests, MULTI's queue):
    /// the bytes are copied into this instance's scratch buffer.
    /// </summary>
    public void Load(IReadOnlyList<byte[]> arguments)
    {
        Clear();
        int total = 0;
        foreach (var argument in arguments) total += argument.Length;
        var buffer = Scratch(Math.Max(total, 1));
        int offset = 0;
        foreach (var argument in arguments)
        {
            argument.CopyTo(buffer, offset);
            Add(offset, argument.Length);
            offset += argument.Length;
        }
        SetSource(buffer.AsMemory(0, total));
    }

    public void Dispose()
    {
        Clear();
        ReturnScratch();
    }

    internal void Clear()
    {
        _count = 0;
        _source = default;
        if (_scratch.Length > RetainedScratchLimit)
            ReturnScratch();
    }

    internal void SetSource(ReadOnlyMemory<byte> source) => _source = source;

    internal void Add(int offset, int length)
    {
        int at = 2 * _count;
        if (at == _ranges.Length)
            Array.Resize(ref _ranges, _ranges.Length * 2);
        _ranges[at] = offset;
        _ranges[at + 1] = length;
        _count++;
    }

    /// <summary>A pooled buffer of at least <paramref name="length"/> bytes owned by this instance.</summary>
    internal byte[] Scratch(int length)
    {
        if (_scratch.Length < length)
        {
            ReturnScratch();
            _scratch = ArrayPool<byte>.Shared.Rent(length);
        }
        return _scratch;
    }

    private void ReturnScratch()
    {
        if (_scratch.Length > 0)
            ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = [];
    }
}
