#!/usr/bin/env bash
# Issue 4's slot-migration figures between two RocksDB groups (in-process API, temporary
# directories, durability EverySecond): snapshot MB/s and keys/s, key-by-key keys/s, the snapshot
# switch's write freeze for one big slot (coordinator and writer side), and foreground GET/SET
# p50/p99 with and without a migration running. Prints a table with the targets.
#   benchmarks/migration.sh                 # 1,000,000 keys of 100 bytes
#   benchmarks/migration.sh --keys 200000   # any option of `migration` (see MigrationBenchmark.cs)
#   benchmarks/migration.sh --pacing spin   # paced threads spin between calls instead of sleeping (no idle core)
#   benchmarks/migration.sh --only foreground --fg-modes key   # one part, one phase (A/B runs)
# Progress goes to stderr, the table to stdout. Nothing here is a test: the figures depend on the
# machine and on what else runs on it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dotnet >/dev/null 2>&1 || { echo "migration: dotnet is not on PATH" >&2; exit 2; }
dotnet build benchmarks/Reborn.Benchmarks -c Release -nologo -v quiet >&2
exec dotnet benchmarks/Reborn.Benchmarks/bin/Release/net10.0/Reborn.Benchmarks.dll migration "$@"
