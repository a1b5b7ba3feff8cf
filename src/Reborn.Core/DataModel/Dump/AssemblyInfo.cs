using System.Runtime.CompilerServices;

// The codec's building blocks (CRC64, LZF, listpack, ziplist, intset) are internal; their unit tests
// live in Reborn.Core.Tests/Dump.
[assembly: InternalsVisibleTo("Reborn.Core.Tests")]
