namespace Reborn.Storage.Engines;

/// <summary>The FASTER engine; not implemented yet.</summary>
public static class FasterEngine
{
    public static IStorageEngine Open(EngineOptions options)
        => throw new StorageException("The FASTER engine is not implemented yet", options?.Path);
}
