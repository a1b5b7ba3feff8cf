#!/usr/bin/env bash
# Runs the Reborn server on its embedded default: RocksDB in ./data, 127.0.0.1:6379.
# Extra arguments go to `reborn server` (for example --port 6380 --engine faster).
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --project src/Reborn.Cli -c Release -- server "$@"
