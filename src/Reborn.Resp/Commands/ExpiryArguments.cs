using Reborn.Core;
using Reborn.Core.DataModel;

namespace Reborn.Resp.Commands;

/// <summary>Parses EX/PX/EXAT/PXAT values the way Redis 7.0 validates them.</summary>
internal static class ExpiryArguments
{
    /// <summary>
    /// A relative (EX, PX) or absolute (EXAT, PXAT) expiry. Non-positive values and values whose
    /// millisecond form overflows are "invalid expire time in '&lt;command&gt;' command".
    /// </summary>
    public static Expiry Parse(CommandContext c, int index, bool seconds, bool absolute)
    {
        long value = c.Long(index);
        if (value <= 0 || (seconds && value > long.MaxValue / 1000))
            throw Errors.InvalidExpireTime(c.CommandName);
        long ms = seconds ? value * 1000 : value;
        if (!absolute && ms > long.MaxValue - c.Db.NowMs)
            throw Errors.InvalidExpireTime(c.CommandName);
        return absolute ? Expiry.AtMilliseconds(ms) : Expiry.InMilliseconds(ms);
    }
}
