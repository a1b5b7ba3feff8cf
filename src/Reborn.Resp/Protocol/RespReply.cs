using System.Globalization;
using System.Text;

namespace Reborn.Resp.Protocol;

/// <summary>
/// One parsed reply as a small tree, for clients, tests and tooling (not the server hot path).
/// Equality is structural. <see cref="ToString"/> renders as redis-cli does on a terminal.
/// </summary>
/// <remarks>
/// RESP2 nulls are kept apart from RESP3's: "$-1" is a <see cref="RespReplyType.BulkString"/>
/// and "*-1" an <see cref="RespReplyType.Array"/> with <see cref="IsNull"/> set, "_" is
/// <see cref="RespReplyType.Null"/>. A map's <see cref="Elements"/> are key, value, key, value.
/// </remarks>
public sealed class RespReply : IEquatable<RespReply>
{
    private static readonly RespReply[] NoElements = [];

    public static readonly RespReply NullBulkString = new(RespReplyType.BulkString, isNull: true);
    public static readonly RespReply NullArray = new(RespReplyType.Array, isNull: true);
    public static readonly RespReply Null = new(RespReplyType.Null, isNull: true);
    public static readonly RespReply Ok = SimpleString("OK");
    public static readonly RespReply True = new(RespReplyType.Boolean, integer: 1);
    public static readonly RespReply False = new(RespReplyType.Boolean, integer: 0);

    private readonly byte[] _bytes;
    private readonly RespReply[] _elements;

    private RespReply(RespReplyType type, bool isNull = false, byte[]? bytes = null, long integer = 0,
        double @double = 0, RespReply[]? elements = null, string? format = null, RespReply? attributes = null)
    {
        Type = type;
        IsNull = isNull;
        _bytes = bytes ?? [];
        Integer = integer;
        Double = @double;
        _elements = elements ?? NoElements;
        VerbatimFormat = format;
        Attributes = attributes;
    }

    public RespReplyType Type { get; }

    /// <summary>RESP2 null bulk string or null array, or RESP3 null.</summary>
    public bool IsNull { get; }

    /// <summary>The payload of strings, errors, verbatim text (without "fmt:"), and the wire text of doubles and big numbers.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>The value of an integer reply; 1 or 0 for a boolean.</summary>
    public long Integer { get; }

    public double Double { get; }

    public bool Boolean => Integer != 0;

    /// <summary>Children of arrays, sets, pushes, and maps (key, value, ...).</summary>
    public IReadOnlyList<RespReply> Elements => _elements;

    /// <summary>The three-byte format of a verbatim string ("txt", "mkd").</summary>
    public string? VerbatimFormat { get; }

    /// <summary>The RESP3 attribute map ("|") that preceded this reply, if any.</summary>
    public RespReply? Attributes { get; }

    public bool IsError => Type is RespReplyType.Error or RespReplyType.BulkError;

    /// <summary>The payload as UTF-8 text; null for null replies.</summary>
    public string? AsString() => IsNull ? null : Encoding.UTF8.GetString(_bytes);

    public byte[] ToArray() => (byte[])_bytes.Clone();

    public static RespReply SimpleString(string text) => new(RespReplyType.SimpleString, bytes: Encoding.UTF8.GetBytes(text));
    public static RespReply Error(string text) => new(RespReplyType.Error, bytes: Encoding.UTF8.GetBytes(text));
    public static RespReply BulkError(string text) => new(RespReplyType.BulkError, bytes: Encoding.UTF8.GetBytes(text));
    public static RespReply FromInteger(long value) => new(RespReplyType.Integer, integer: value);
    public static RespReply BulkString(string text) => new(RespReplyType.BulkString, bytes: Encoding.UTF8.GetBytes(text));
    public static RespReply BulkString(byte[] bytes) => new(RespReplyType.BulkString, bytes: bytes);
    public static RespReply FromBoolean(bool value) => value ? True : False;
    public static RespReply BigNumber(string digits) => new(RespReplyType.BigNumber, bytes: Encoding.ASCII.GetBytes(digits));
    public static RespReply Verbatim(string format, string text) => new(RespReplyType.VerbatimString, bytes: Encoding.UTF8.GetBytes(text), format: format);
    public static RespReply Array(params RespReply[] elements) => new(RespReplyType.Array, elements: elements);
    public static RespReply Set(params RespReply[] elements) => new(RespReplyType.Set, elements: elements);
    public static RespReply Push(params RespReply[] elements) => new(RespReplyType.Push, elements: elements);
    /// <summary>A map from key, value, key, value...</summary>
    public static RespReply Map(params RespReply[] keysAndValues)
    {
        if (keysAndValues.Length % 2 != 0)
            throw new ArgumentException("A map needs an even number of elements.", nameof(keysAndValues));
        return new(RespReplyType.Map, elements: keysAndValues);
    }

    /// <summary>A RESP3 double; its wire text is <see cref="DoubleFormat.FormatG17(double)"/>.</summary>
    public static RespReply FromDouble(double value) =>
        new(RespReplyType.Double, bytes: Encoding.ASCII.GetBytes(DoubleFormat.FormatG17(value)), @double: value);

    internal static RespReply Create(RespReplyType type, byte[]? bytes = null, long integer = 0, double @double = 0,
        RespReply[]? elements = null, string? format = null) =>
        new(type, bytes: bytes, integer: integer, @double: @double, elements: elements, format: format);

    internal RespReply WithAttributes(RespReply attributes) =>
        new(Type, IsNull, _bytes, Integer, Double, _elements, VerbatimFormat, attributes);

    public bool Equals(RespReply? other)
    {
        if (other is null)
            return false;
        if (ReferenceEquals(this, other))
            return true;
        if (Type != other.Type || IsNull != other.IsNull || Integer != other.Integer
            || !Double.Equals(other.Double) || VerbatimFormat != other.VerbatimFormat
            || !_bytes.AsSpan().SequenceEqual(other._bytes) || _elements.Length != other._elements.Length
            || !Equals(Attributes, other.Attributes))
            return false;
        for (int i = 0; i < _elements.Length; i++)
        {
            if (!_elements[i].Equals(other._elements[i]))
                return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is RespReply other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.Add(IsNull);
        hash.Add(Integer);
        hash.AddBytes(_bytes);
        hash.Add(_elements.Length);
        return hash.ToHashCode();
    }

    /// <summary>As redis-cli prints it on a terminal, without the final newline.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        Render(builder, "");
        if (builder.Length > 0 && builder[^1] == '\n')
            builder.Length--;
        return builder.ToString();
    }

    // A port of redis-cli's cliFormatReplyTTY (Redis 7.0).
    private void Render(StringBuilder output, string prefix)
    {
        switch (Type)
        {
            case RespReplyType.Error:
            case RespReplyType.BulkError:
                output.Append("(error) ").Append(Encoding.UTF8.GetString(_bytes)).Append('\n');
                return;
            case RespReplyType.SimpleString:
                output.Append(Encoding.UTF8.GetString(_bytes)).Append('\n');
                return;
            case RespReplyType.Integer:
                output.Append("(integer) ").Append(Integer.ToString(CultureInfo.InvariantCulture)).Append('\n');
                return;
            case RespReplyType.Double:
                output.Append("(double) ").Append(Encoding.ASCII.GetString(_bytes)).Append('\n');
                return;
            case RespReplyType.BigNumber:
                output.Append("(big number) ").Append(Encoding.ASCII.GetString(_bytes)).Append('\n');
                return;
            case RespReplyType.Boolean:
                output.Append(Boolean ? "(true)\n" : "(false)\n");
                return;
            case RespReplyType.Null:
                output.Append("(nil)\n");
                return;
            case RespReplyType.VerbatimString:
                output.Append(Encoding.UTF8.GetString(_bytes)).Append('\n');
                return;
            case RespReplyType.BulkString:
                if (IsNull)
                    output.Append("(nil)\n");
                else
                    AppendRepr(output, _bytes).Append('\n');
                return;
        }

        if (IsNull)
        {
            output.Append("(nil)\n");
            return;
        }
        if (_elements.Length == 0)
        {
            output.Append(Type switch
            {
                RespReplyType.Array => "(empty array)\n",
                RespReplyType.Map => "(empty hash)\n",
                RespReplyType.Set => "(empty set)\n",
                RespReplyType.Push => "(empty push)\n",
                _ => "(empty aggregate type)\n",
            });
            return;
        }

        bool isMap = Type is RespReplyType.Map or RespReplyType.Attribute;
        int entries = isMap ? _elements.Length / 2 : _elements.Length;
        int indexWidth = entries.ToString(CultureInfo.InvariantCulture).Length;
        string childPrefix = prefix + new string(' ', indexWidth + 2);
        char separator = Type == RespReplyType.Set ? '~' : isMap ? '#' : ')';
        for (int i = 0; i < _elements.Length; i++)
        {
            int humanIndex = (isMap ? i / 2 : i) + 1;
            output.Append(i == 0 ? "" : prefix)
                .Append(humanIndex.ToString(CultureInfo.InvariantCulture).PadLeft(indexWidth))
                .Append(separator).Append(' ');
            _elements[i].Render(output, childPrefix);
            if (isMap)
            {
                i++;
                output.Length--; // the key's newline
                output.Append(" => ");
                _elements[i].Render(output, childPrefix);
            }
        }
    }

    // redis-cli's sdscatrepr: quoted, with C escapes and \xHH for unprintable bytes.
    private static StringBuilder AppendRepr(StringBuilder output, ReadOnlySpan<byte> bytes)
    {
        output.Append('"');
        foreach (byte b in bytes)
        {
            switch (b)
            {
                case (byte)'\\': output.Append("\\\\"); break;
                case (byte)'"': output.Append("\\\""); break;
                case (byte)'\n': output.Append("\\n"); break;
                case (byte)'\r': output.Append("\\r"); break;
                case (byte)'\t': output.Append("\\t"); break;
                case (byte)'\a': output.Append("\\a"); break;
                case (byte)'\b': output.Append("\\b"); break;
                default:
                    if (b >= 0x20 && b < 0x7f)
                        output.Append((char)b);
                    else
                        output.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
        }
        return output.Append('"');
    }
}
