using System.Text;

namespace Reborn.Storage.Engines;

/// <summary>
/// Checks and claims the directory a durable engine owns. A directory is ours only when it holds
/// the marker file naming the engine kind; anything else that is not empty is refused, so an
/// engine never writes over files it did not create.
/// </summary>
internal static class EngineDirectory
{
    /// <summary>Marker file written at creation; its content is the engine kind's name.</summary>
    public const string MarkerFileName = "REBORN-ENGINE";

    /// <summary>
    /// Validates <paramref name="options"/>.Path for an engine of <paramref name="kind"/>, creating
    /// the directory when allowed. Returns the full path; <paramref name="created"/> is true when the
    /// directory was empty and has just been claimed (the engine must create its store there).
    /// </summary>
    public static string Claim(EngineOptions options, EngineKind kind, out bool created)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
            throw new StorageException($"The {kind} engine needs a directory: EngineOptions.Path is empty", options.Path);

        string path;
        try
        {
            path = System.IO.Path.GetFullPath(options.Path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new StorageException("The engine path is not a valid path", options.Path, e);
        }

        if (File.Exists(path))
            throw new StorageException("The engine path is a regular file, not a directory", path);

        if (!Directory.Exists(path))
        {
            if (!options.CreateIfMissing)
                throw new StorageException("The engine directory does not exist and CreateIfMissing is false", path);
            try
            {
                Directory.CreateDirectory(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StorageException("Cannot create the engine directory", path, e);
            }
        }

        var marker = System.IO.Path.Combine(path, MarkerFileName);
        try
        {
            if (File.Exists(marker))
            {
                var text = File.ReadAllText(marker, Encoding.ASCII).Trim();
                if (!Enum.TryParse<EngineKind>(text, ignoreCase: false, out var found) || !Enum.IsDefined(found) || found.ToString() != text)
                    throw new StorageException($"The engine marker file {MarkerFileName} is corrupt", path);
                if (found != kind)
                    throw new StorageException($"The directory holds a {found} engine, not a {kind} engine", path);
                created = false;
                return path;
            }

            if (Directory.EnumerateFileSystemEntries(path).Any())
                throw new StorageException(
                    $"The directory is not empty and has no {MarkerFileName} marker: it was not created by Reborn, refusing to use it", path);

            WriteMarker(marker, kind);
            created = true;
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException("Cannot read or write the engine marker file", path, e);
        }
    }

    private static void WriteMarker(string marker, EngineKind kind)
    {
        using var stream = new FileStream(marker, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        stream.Write(Encoding.ASCII.GetBytes(kind + "\n"));
        stream.Flush(flushToDisk: true);
    }
}
