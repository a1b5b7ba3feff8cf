using Reborn.Core.DataModel;
using Reborn.Storage;

namespace Reborn.Core.Cluster;

/// <summary>A group whose data is one engine instance in its own directory, in this process.</summary>
internal sealed class LocalGroup : IDisposable
{
    public LocalGroup(int id, IStorageEngine engine, TimeProvider time)
    {
        Id = id;
        Engine = engine;
        Keyspace = new Keyspace(engine, time);
    }

    public int Id { get; }
    public IStorageEngine Engine { get; }
    public Keyspace Keyspace { get; }

    public void Dispose()
    {
        Keyspace.Dispose();
        Engine.Dispose();
    }
}
