namespace Reborn.Core.Cluster;

/// <summary>The sink behind the array-returning range reads: copies each value once, into the result array.</summary>
internal sealed class RebornValueCollector : IValueSink
{
    private RebornValue[] _values = [];
    private int _count;

    public RebornValue[] Values => _values;

    public void Begin(int count)
    {
        _values = count == 0 ? [] : new RebornValue[count];
        _count = 0;
    }

    public void Value(ReadOnlySpan<byte> value) => _values[_count++] = new RebornValue(value.ToArray());
}
