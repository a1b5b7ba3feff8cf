using NUnit.Framework;

namespace Reborn.Storage.Tests;

public sealed partial class EngineConformanceTests
{
    [Test]
    public void Missing_directory_without_CreateIfMissing_is_refused()
    {
        RequireDurable();
        var error = Assert.Throws<StorageException>(() => StorageEngines.Open(Options(createIfMissing: false)))!;
        AssertNamesPath(error, EnginePath);
        Assert.That(Directory.Exists(EnginePath), Is.False);
    }

    [Test]
    public void A_regular_file_as_path_is_refused_and_left_alone()
    {
        RequireDurable();
        File.WriteAllText(EnginePath, "not a directory");
        var error = Assert.Throws<StorageException>(() => StorageEngines.Open(Options()))!;
        AssertNamesPath(error, EnginePath);
        Assert.That(File.ReadAllText(EnginePath), Is.EqualTo("not a directory"));
    }

    [Test]
    public void A_directory_of_foreign_files_is_refused_and_left_alone()
    {
        RequireDurable();
        Directory.CreateDirectory(EnginePath);
        string[] names = ["CURRENT", "MANIFEST-000001", "hlog.log.0", "data.bin"];
        foreach (var name in names)
            File.WriteAllBytes(Path.Combine(EnginePath, name), Garbage(4096));
        var before = Contents(EnginePath);

        var error = Assert.Throws<StorageException>(() => StorageEngines.Open(Options()))!;
        AssertNamesPath(error, EnginePath);
        Assert.That(Contents(EnginePath), Is.EqualTo(before));
    }

    [Test]
    public void A_directory_of_another_engine_kind_is_refused()
    {
        RequireDurable();
        var other = kind == EngineKind.RocksDb ? EngineKind.Faster : EngineKind.RocksDb;
        Directory.CreateDirectory(EnginePath);
        File.WriteAllText(Path.Combine(EnginePath, "REBORN-ENGINE"), other + "\n");
        File.WriteAllBytes(Path.Combine(EnginePath, "payload"), Garbage(100));
        var before = Contents(EnginePath);

        var error = Assert.Throws<StorageException>(() => StorageEngines.Open(Options()))!;
        AssertNamesPath(error, EnginePath);
        Assert.That(error.Message, Does.Contain(other.ToString()));
        Assert.That(Contents(EnginePath), Is.EqualTo(before));
    }

    [Test]
    public void A_corrupt_marker_is_refused()
    {
        RequireDurable();
        Open().Dispose();
        File.WriteAllText(Path.Combine(EnginePath, "REBORN-ENGINE"), "Something");

        var error = Assert.Throws<StorageException>(() => StorageEngines.Open(Options()))!;
        AssertNamesPath(error, EnginePath);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void A_corrupt_store_is_refused_and_left_alone(bool truncate)
    {
        RequireDurable();
        var engine = Open();
        WriteKeys(engine, 1_000);
        engine.Flush();
        engine.Dispose();
        foreach (var file in Directory.EnumerateFiles(EnginePath, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (name is "REBORN-ENGINE" or "LOCK" || name.StartsWith("LOG", StringComparison.Ordinal))
                continue;
            var length = new FileInfo(file).Length;
            if (truncate)
                File.WriteAllBytes(file, File.ReadAllBytes(file).AsSpan(0, (int)(length / 3)).ToArray());
            else
                File.WriteAllBytes(file, Garbage((int)length));
        }

        var before = Contents(EnginePath);
        var error = Assert.Throws<StorageException>(() => StorageEngines.Open(Options()))!;
        TestContext.Out.WriteLine(error.Message);
        AssertNamesPath(error, EnginePath);
        AssertUnchanged(before, Contents(EnginePath));
    }

    [Test]
    public void A_directory_already_open_is_refused_and_the_first_engine_keeps_working()
    {
        RequireDurable();
        var engine = Open();
        Put(engine, "k", "v");

        var error = Assert.Throws<StorageException>(() => StorageEngines.Open(Options()))!;
        AssertNamesPath(error, EnginePath);
        Put(engine, "k2", "v2");
        Assert.That(Scan(engine).Count, Is.EqualTo(2));
        engine.Dispose();

        var reopened = Open();
        Assert.That(Scan(reopened).Count, Is.EqualTo(2));
    }

    private static void AssertNamesPath(StorageException error, string path)
    {
        Assert.That(error.Message, Does.Contain(Path.GetFullPath(path)));
        Assert.That(error.Path, Is.EqualTo(Path.GetFullPath(path)));
    }

    private static byte[] Garbage(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Every file that was there is still there with the same bytes. An engine may add files
    /// (FASTER probes for a delta log) and RocksDB rotates its own info log (LOG).
    /// </summary>
    private static void AssertUnchanged(SortedDictionary<string, string> before, SortedDictionary<string, string> after)
    {
        foreach (var (file, bytes) in before.Where(f => !IsInfoLog(f.Key)))
        {
            Assert.That(after.ContainsKey(file), Is.True, $"{file} was deleted");
            Assert.That(after[file], Is.EqualTo(bytes), $"{file} was changed");
        }
    }

    private static bool IsInfoLog(string relativePath) => Path.GetFileName(relativePath).StartsWith("LOG", StringComparison.Ordinal);

    /// <summary>Every file under the directory with its bytes, by relative path.</summary>
    private static SortedDictionary<string, string> Contents(string directory)
    {
        var contents = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            contents[Path.GetRelativePath(directory, file)] = Convert.ToHexString(File.ReadAllBytes(file));
        return contents;
    }
}
