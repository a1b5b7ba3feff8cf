using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Reborn.Core.Tests.Dump;

/// <summary>A Redis error reply.</summary>
internal sealed record RespError(string Message);

/// <summary>
/// The smallest RESP2 client the oracle tests need: send one multibulk, read one reply
/// (long, string for simple replies, <see cref="RespError"/>, byte[]? for bulk, object?[]? for arrays).
/// Private to these tests on purpose: the real client lives in Reborn.Resp.
/// </summary>
internal sealed class MiniRespClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly BufferedStream _stream;

    public MiniRespClient(int port)
    {
        _tcp = new TcpClient { NoDelay = true, ReceiveTimeout = 30_000, SendTimeout = 30_000 };
        _tcp.Connect("127.0.0.1", port);
        _stream = new BufferedStream(_tcp.GetStream(), 1 << 16);
    }

    public object? Call(params object[] args)
    {
        Write($"*{args.Length}\r\n");
        foreach (object arg in args)
        {
            byte[] bytes = arg switch
            {
                byte[] b => b,
                string s => Encoding.UTF8.GetBytes(s),
                IFormattable f => Encoding.ASCII.GetBytes(f.ToString(null, CultureInfo.InvariantCulture)),
                _ => throw new ArgumentException($"Unsupported argument {arg}"),
            };
            Write($"${bytes.Length}\r\n");
            _stream.Write(bytes);
            Write("\r\n");
        }
        _stream.Flush();
        return ReadReply();
    }

    /// <summary>Calls and requires a non-error reply.</summary>
    public object? Ok(params object[] args)
    {
        object? reply = Call(args);
        if (reply is RespError error)
            throw new InvalidOperationException($"{args[0]} failed: {error.Message}");
        return reply;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }

    private object? ReadReply()
    {
        int prefix = _stream.ReadByte();
        string line = ReadLine();
        switch (prefix)
        {
            case '+':
                return line;
            case '-':
                return new RespError(line);
            case ':':
                return long.Parse(line, CultureInfo.InvariantCulture);
            case '$':
            {
                int length = int.Parse(line, CultureInfo.InvariantCulture);
                if (length < 0)
                    return null;
                var data = new byte[length];
                _stream.ReadExactly(data);
                ReadLine();
                return data;
            }
            case '*':
            {
                int count = int.Parse(line, CultureInfo.InvariantCulture);
                if (count < 0)
                    return null;
                var items = new object?[count];
                for (int i = 0; i < count; i++)
                    items[i] = ReadReply();
                return items;
            }
            default:
                throw new InvalidDataException($"Unexpected RESP prefix {prefix}");
        }
    }

    private string ReadLine()
    {
        var builder = new StringBuilder();
        while (true)
        {
            int b = _stream.ReadByte();
            if (b < 0)
                throw new EndOfStreamException();
            if (b == '\r')
            {
                _stream.ReadByte(); // '\n'
                return builder.ToString();
            }
            builder.Append((char)b);
        }
    }

    private void Write(string text) => _stream.Write(Encoding.ASCII.GetBytes(text));
}
