namespace Reborn.Core.DataModel;

/// <summary>How a write changes a key's time to live.</summary>
public enum ExpiryKind : byte
{
    /// <summary>The write clears any time to live (plain SET).</summary>
    None = 0,
    /// <summary>The key keeps its time to live (KEEPTTL, and writes to collections).</summary>
    Keep = 1,
    /// <summary>Expire after <see cref="Expiry.Value"/> milliseconds from now.</summary>
    RelativeMs = 2,
    /// <summary>Expire at unix time <see cref="Expiry.Value"/> in milliseconds.</summary>
    AbsoluteMs = 3,
    /// <summary>Remove the time to live (GETEX PERSIST).</summary>
    Persist = 4,
}

/// <summary>An expiry change: none, keep, persist, relative or absolute.</summary>
public readonly record struct Expiry(ExpiryKind Kind, long Value = 0)
{
    public static Expiry None => new(ExpiryKind.None);
    public static Expiry Keep => new(ExpiryKind.Keep);
    public static Expiry Persist => new(ExpiryKind.Persist);
    public static Expiry In(TimeSpan ttl) => new(ExpiryKind.RelativeMs, (long)ttl.TotalMilliseconds);
    public static Expiry At(DateTimeOffset when) => new(ExpiryKind.AbsoluteMs, when.ToUnixTimeMilliseconds());
    public static Expiry InMilliseconds(long ms) => new(ExpiryKind.RelativeMs, ms);
    public static Expiry AtMilliseconds(long unixMs) => new(ExpiryKind.AbsoluteMs, unixMs);

    /// <summary>The absolute expiry in ms after applying this change to a key whose expiry is <paramref name="current"/> (0 = none).</summary>
    public long Resolve(long current, long nowMs) => Kind switch
    {
        ExpiryKind.None or ExpiryKind.Persist => 0,
        ExpiryKind.Keep => current,
        ExpiryKind.RelativeMs => nowMs + Value,
        _ => Value,
    };
}

/// <summary>SET's NX / XX.</summary>
public enum SetCondition : byte { Always = 0, IfNotExists = 1, IfExists = 2 }

/// <summary>EXPIRE's NX / XX / GT / LT.</summary>
public enum ExpireCondition : byte { Always = 0, IfNoExpiry = 1, IfHasExpiry = 2, IfGreater = 3, IfLess = 4 }
