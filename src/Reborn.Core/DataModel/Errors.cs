namespace Reborn.Core.DataModel;

/// <summary>Redis 7.0's error texts, in one place. The RESP layer writes them verbatim.</summary>
public static class Errors
{
    public const string WrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public const string NotInteger = "ERR value is not an integer or out of range";
    public const string NotFloat = "ERR value is not a valid float";
    public const string Syntax = "ERR syntax error";
    public const string NoSuchKey = "ERR no such key";
    public const string Overflow = "ERR increment or decrement would overflow";
    public const string IncrNaNOrInfinity = "ERR increment would produce NaN or Infinity";
    public const string IndexOutOfRange = "ERR index out of range";
    public const string OffsetOutOfRange = "ERR offset is out of range";
    public const string BitOffset = "ERR bit offset is not an integer or out of range";
    public const string BitValue = "ERR bit is not an integer or out of range";
    public const string StringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public const string InvalidExpire = "ERR invalid expire time in '{0}' command";
    public const string DbIndexOutOfRange = "ERR DB index is out of range";
    public const string HashNotFloat = "ERR hash value is not a float";
    public const string HashNotInteger = "ERR hash value is not an integer";
    public const string ZsetNaN = "ERR resulting score is not a number (NaN)";
    public const string MinMaxNotFloat = "ERR min or max is not a float";
    public const string MinMaxNotString = "ERR min or max not valid string range item";
    public const string PositiveCount = "ERR value is out of range, must be positive";
    public const string BusyKey = "BUSYKEY Target key name already exists.";
    public const string BadDumpPayload = "ERR DUMP payload version or checksum are wrong";
    public const string SourceAndDestinationSame = "ERR source and destination objects are the same";
    public const string NumKeysNotPositive = "ERR numkeys should be greater than 0";
    public const string NumKeysExceedArgs = "ERR Number of keys can't be greater than number of args";
    public const string LimitNegative = "ERR LIMIT can't be negative";
    public const string RandomCountRange = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
    public const string NaNOrInfinity = "ERR value is NaN or Infinity";
    public const string ValueOutOfRange = "ERR value is out of range";
    public const string LposRankZero = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
    public const string LposCountNegative = "ERR COUNT can't be negative";
    public const string LposMaxLenNegative = "ERR MAXLEN can't be negative";
    public const string MpopCountNotPositive = "ERR count should be greater than 0";
    public const string ZAddNxXx = "ERR XX and NX options at the same time are not compatible";
    public const string ZAddGtLtNx = "ERR GT, LT, and/or NX options at the same time are not compatible";
    public const string ZAddIncrPairs = "ERR INCR option supports a single increment-element pair";
    public const string WeightNotFloat = "ERR weight value is not a float";
    public const string AtLeastOneInputKey = "ERR at least 1 input key is needed for '{0}' command";
    public const string ZRangeLimitNeedsScoreOrLex = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
    public const string ZRangeWithScoresByLex = "ERR syntax error, WITHSCORES not supported in combination with BYLEX";

    public static RebornException Error(string text) => new(text);
    public static RebornException WrongTypeError() => new(WrongType);
    public static RebornException InvalidExpireTime(string command) => new(string.Format(InvalidExpire, command));
}
