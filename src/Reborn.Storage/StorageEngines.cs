using Reborn.Storage.Engines;

namespace Reborn.Storage;

/// <summary>Opens an engine of the kind the options name.</summary>
public static class StorageEngines
{
    public static IStorageEngine Open(EngineOptions options) => options.Kind switch
    {
        EngineKind.RocksDb => RocksDbEngine.Open(options),
        EngineKind.Faster => FasterEngine.Open(options),
        EngineKind.Memory => new MemoryEngine(options),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "unknown engine kind"),
    };
}
