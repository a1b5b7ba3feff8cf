using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Reborn.Resp.Protocol;

namespace Reborn.Benchmarks.Protocol;

/// <summary>The RESP codec's hot path: framing a pipelined batch and writing bulk replies.</summary>
[MemoryDiagnoser]
public class RespCodecBenchmarks
{
    private const int Commands = 100;
    private const int ValueLength = 100;

    private readonly RespCommandReader _reader = new();
    private readonly RespCommandArgs _args = new();
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private byte[] _batch = [];
    private ReadOnlySequence<byte> _segmentedBatch;
    private byte[] _value = [];
    private RespWriter _writer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _value = Encoding.ASCII.GetBytes(new string('v', ValueLength));
        var builder = new StringBuilder();
        for (int i = 0; i < Commands; i++)
        {
            string key = "key:" + i.ToString("D6");
            builder.Append("*3\r\n$3\r\nSET\r\n$").Append(key.Length).Append("\r\n").Append(key)
                .Append("\r\n$").Append(ValueLength).Append("\r\n").Append('v', ValueLength).Append("\r\n");
        }
        _batch = Encoding.ASCII.GetBytes(builder.ToString());
        _segmentedBatch = FourKilobyteSegments(_batch);
        _writer = new RespWriter(_output);
    }

    [GlobalCleanup]
    public void Cleanup() => _args.Dispose();

    [Benchmark(Description = "Parse 100 pipelined SETs (one segment)")]
    public int ParsePipelinedSets()
    {
        var buffer = new ReadOnlySequence<byte>(_batch);
        int count = 0;
        while (_reader.TryReadCommand(ref buffer, _args))
            count += _args[2].Length;
        return count;
    }

    [Benchmark(Description = "Parse 100 pipelined SETs (4 KB segments)")]
    public int ParsePipelinedSetsSegmented()
    {
        ReadOnlySequence<byte> buffer = _segmentedBatch;
        int count = 0;
        while (_reader.TryReadCommand(ref buffer, _args))
            count += _args[2].Length;
        return count;
    }

    [Benchmark(Description = "Write 100 bulk replies")]
    public int WriteBulkReplies()
    {
        _output.ResetWrittenCount();
        for (int i = 0; i < Commands; i++)
            _writer.BulkString(_value);
        return _output.WrittenCount;
    }

    private static ReadOnlySequence<byte> FourKilobyteSegments(byte[] bytes)
    {
        const int size = 4096;
        Segment? first = null, last = null;
        for (int start = 0; start < bytes.Length; start += size)
        {
            var memory = bytes.AsMemory(start, Math.Min(size, bytes.Length - start));
            var segment = new Segment(memory, start);
            if (last is null)
                first = segment;
            else
                last.Next = segment;
            last = segment;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public new Segment? Next
        {
            get => (Segment?)base.Next;
            set => base.Next = value;
        }
    }
}
