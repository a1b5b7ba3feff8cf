using Reborn.Core.DataModel;
using Reborn.Storage;

namespace Reborn.Core.Cluster;

/// <summary>A group whose data is one engine instance in its own directory, in this process.</summary>
internal sealed class LocalGroup : IDisposable
{
    public LocalGroup(int id, string? path, IStorageEngine engine, TimeProvider time, VersionSource versions)
    {
        Id = id;
        Path = path;
        Engine = engine;
        Keyspace = new Keyspace(engine, time, versions) { GroupId = id };
    }

    public int Id { get; }
    public string? Path { get; }
    public IStorageEngine Engine { get; }
    public Keyspace Keyspace { get; }

    public void Dispose()
    {
        Keyspace.Dispose();
        Engine.Dispose();
    }
}

/// <summary>A group as the administrative surface shows it.</summary>
public sealed record GroupInfo(int Id, string? Path, int Slots, long Keys, long ApproximateBytes);

/// <summary>One slot's place and size.</summary>
public sealed record SlotStatistics(int Slot, Slots.SlotAssignment Assignment, long Keys, long ApproximateBytes);
