using Microsoft.Extensions.Options;
using Reborn.Storage;

namespace Reborn.Hosting.Options;

/// <summary>
/// Checks "Reborn" at host start. Every failure names its setting by configuration key, so the
/// same text serves appsettings.json, environment variables and the command line.
/// </summary>
internal sealed class RebornOptionsValidator : IValidateOptions<RebornOptions>
{
    public ValidateOptionsResult Validate(string? name, RebornOptions options)
    {
        var failures = new List<string>();
        const string S = RebornOptions.SectionName;
        if (!Enum.IsDefined(options.Engine))
            failures.Add($"{S}:Engine: '{options.Engine}' is not an engine (RocksDb, Faster or Memory).");
        if (!Enum.IsDefined(options.Durability))
            failures.Add($"{S}:Durability: '{options.Durability}' is not a durability (Always, EverySecond or Never).");
        if (options.Engine != EngineKind.Memory && Enum.IsDefined(options.Engine))
            CheckDataDirectory(options.DataDirectory, failures);
        if (options.MemoryBudgetBytes < 1L << 20)
            failures.Add($"{S}:MemoryBudgetBytes: {options.MemoryBudgetBytes} is below the minimum of 1 MB (1048576).");
        if (options.SweepInterval <= TimeSpan.Zero)
            failures.Add($"{S}:SweepInterval: must be positive (got {options.SweepInterval}).");
        if (options.ExpiryBudget <= TimeSpan.Zero)
            failures.Add($"{S}:ExpiryBudget: must be positive (got {options.ExpiryBudget}).");
        if (options.GarbageVersionsPerSweep <= 0)
            failures.Add($"{S}:GarbageVersionsPerSweep: must be positive (got {options.GarbageVersionsPerSweep}).");

        if (failures.Count == 0)
        {
            // The cluster's own rules are the last word: anything they refuse that the checks above let through.
            try { options.ToClusterOptions().Validate(); }
            catch (ArgumentException error) { failures.Add($"{S}:{error.ParamName}: {error.Message}"); }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// A durable engine needs a directory it can create: not a regular file, and with an existing
    /// parent (a typo should not grow a directory tree). Permissions, locks and corruption are the
    /// engine's to report when it opens.
    /// </summary>
    private static void CheckDataDirectory(string? directory, List<string> failures)
    {
        const string Key = RebornOptions.SectionName + ":DataDirectory";
        if (string.IsNullOrWhiteSpace(directory))
        {
            failures.Add($"{Key}: must name a directory for a durable engine (or set Reborn:Engine to Memory).");
            return;
        }
        string full;
        try { full = Path.GetFullPath(directory); }
        catch (Exception error) when (error is ArgumentException or NotSupportedException or PathTooLongException)
        {
            failures.Add($"{Key}: '{directory}' is not a valid path.");
            return;
        }
        if (File.Exists(full))
        {
            failures.Add($"{Key}: '{full}' is a regular file, not a directory.");
            return;
        }
        if (Directory.Exists(full)) return;
        string? parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full));
        if (parent is not null && !Directory.Exists(parent))
            failures.Add(File.Exists(parent)
                ? $"{Key}: '{parent}' is a regular file, not a directory."
                : $"{Key}: the parent directory '{parent}' does not exist.");
    }
}
