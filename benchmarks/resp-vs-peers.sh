#!/usr/bin/env bash
# Side-by-side throughput of `reborn server` against redis-server and garnet-server, measured
# with redis-benchmark on loopback, one server after another in one run:
#   reborn server  (Release build, RocksDB, default durability, a temporary data directory)
#   redis-server   (7.x from PATH, --save "" --appendonly no)
#   garnet-server  (the NuGet dotnet tool, installed into benchmarks/.tools when missing;
#                   skipped with a message if it cannot be installed or started)
# for SET GET INCR LPUSH RPOP SADD HSET ZADD LRANGE_100, pipelined (-P 16 -c 50) and
# unpipelined (-P 1 -c 50), each after the same short warm-up, then prints requests/second and the ratios reborn/redis and
# reborn/garnet. Every server it started is stopped on exit.
#
# Environment: REQUESTS (default 100000), CLIENTS (default 50), KEEP_LOGS=1 keeps the logs.
# Nothing here is a test: the numbers depend on the machine and on what else runs on it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

requests=${REQUESTS:-100000}
clients=${CLIENTS:-50}
tests="set,get,incr,lpush,rpop,sadd,hset,zadd,lrange_100"
names=(SET GET INCR LPUSH RPOP SADD HSET ZADD LRANGE_100)
tools="$root/benchmarks/.tools" # git-ignored: nothing downloaded is committed

for tool in redis-server redis-cli redis-benchmark dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { echo "resp-vs-peers: $tool is not on PATH (redis-tools / redis-server from Debian's packages, the .NET SDK)" >&2; exit 2; }
done

work=$(mktemp -d -t reborn-bench-XXXXXX)
pids=()
stop_all() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  pids=()
}
cleanup() {
  stop_all
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A loopback port nothing listens on, below Linux's ephemeral range (32768+), where the
# benchmark's own client sockets could hold it in TIME_WAIT.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "resp-vs-peers: no free loopback port found" >&2; return 1
}

# Waits (at most 60 s) until the server on $1 answers PING; $2 is its pid.
wait_ready() {
  for _ in $(seq 1 600); do
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# run_peer NAME PORT: both redis-benchmark passes against 127.0.0.1:PORT, CSV kept per mode.
run_peer() {
  local name=$1 port=$2
  # The same short warm-up for every server: the .NET ones (reborn, garnet) compile their hot paths
  # during their first requests, and that is not what the passes below measure.
  redis-benchmark -h 127.0.0.1 -p "$port" -t "$tests" -n 100000 -P 16 -c "$clients" -q >/dev/null 2>&1 || true
  echo "  $name: pipelined (-P 16 -c $clients)..."
  redis-benchmark -h 127.0.0.1 -p "$port" -t "$tests" -n "$requests" -P 16 -c "$clients" --csv >"$work/$name.p16.csv" 2>"$work/$name.p16.err" || echo "  $name: redis-benchmark failed (-P 16), see $work/$name.p16.err"
  echo "  $name: unpipelined (-P 1 -c $clients)..."
  redis-benchmark -h 127.0.0.1 -p "$port" -t "$tests" -n "$requests" -P 1 -c "$clients" --csv >"$work/$name.p1.csv" 2>"$work/$name.p1.err" || echo "  $name: redis-benchmark failed (-P 1), see $work/$name.p1.err"
}

# rps NAME MODE TEST: requests/second from the CSV, or "-".
rps() {
  local file="$work/$1.$2.csv"
  [ -f "$file" ] || { echo "-"; return; }
  awk -F'","' -v t="$3" '{ gsub(/^"|"$/, "", $1); gsub(/"/, "", $2); split($1, n, " "); if (n[1] == t && $1 !~ /needed/) { print $2; found = 1; exit } } END { if (!found) print "-" }' "$file"
}

ratio() {
  if [ "$1" = "-" ] || [ "$2" = "-" ]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; fi
}

echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis-benchmark -n $requests -c $clients, tests: $tests"
echo

# --- Reborn -----------------------------------------------------------------------------
echo "Building reborn (Release)..."
dotnet build src/Reborn.Cli -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; echo "resp-vs-peers: the Release build of src/Reborn.Cli failed" >&2; exit 1; }
cli=""
for name in reborn.dll Reborn.Cli.dll; do
  [ -f "$root/src/Reborn.Cli/bin/Release/net10.0/$name" ] && { cli="$root/src/Reborn.Cli/bin/Release/net10.0/$name"; break; }
done
[ -n "$cli" ] || { echo "resp-vs-peers: no reborn.dll under src/Reborn.Cli/bin/Release/net10.0" >&2; exit 1; }
port=$(free_port)
dotnet "$cli" server --port "$port" --dir "$work/reborn-data" --engine rocksdb >"$work/reborn.log" 2>&1 &
pids+=($!)
if wait_ready "$port" "$!"; then
  echo "reborn server on 127.0.0.1:$port (RocksDB, default durability)"
  run_peer reborn "$port"
else
  echo "reborn server did not start:"; cat "$work/reborn.log"; exit 1
fi
stop_all

# --- Redis ------------------------------------------------------------------------------
port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/redis" --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
if wait_ready "$port" "$!"; then
  echo "$(redis-server --version | cut -d' ' -f1-3) on 127.0.0.1:$port (--save \"\" --appendonly no)"
  run_peer redis "$port"
else
  echo "redis-server did not start:"; cat "$work/redis.log"; exit 1
fi
stop_all

# --- Garnet -----------------------------------------------------------------------------
garnet=""
if command -v garnet-server >/dev/null 2>&1; then garnet=$(command -v garnet-server)
elif [ -x "$tools/garnet-server" ]; then garnet="$tools/garnet-server"
else
  echo "Installing garnet-server (dotnet tool) into benchmarks/.tools..."
  if dotnet tool install garnet-server --tool-path "$tools" >"$work/garnet-install.log" 2>&1; then garnet="$tools/garnet-server"
  else echo "garnet-server could not be installed; skipping that peer ($(tail -1 "$work/garnet-install.log"))"; fi
fi
if [ -n "$garnet" ]; then
  started=0
  for _ in 1 2 3; do
    port=$(free_port)
    # Its main log is sized down from the 16 GB default so the shared machine keeps its memory.
    DOTNET_ROLL_FORWARD=Major "$garnet" --port "$port" --bind 127.0.0.1 --memory 2g >"$work/garnet.log" 2>&1 &
    pids+=($!)
    if wait_ready "$port" "$!"; then started=1; break; fi
  done
  if [ "$started" = 1 ]; then
    echo "garnet-server $(grep -o 'Garnet [0-9.]*' "$work/garnet.log" | head -1 | cut -d' ' -f2) on 127.0.0.1:$port"
    run_peer garnet "$port"
  else
    echo "garnet-server did not start; skipping that peer:"; tail -5 "$work/garnet.log"
  fi
  stop_all
fi

# --- Table ------------------------------------------------------------------------------
print_table() {
  local mode=$1 title=$2
  echo
  echo "$title, requests/second"
  printf '%-11s %12s %12s %12s %13s %14s\n' test reborn redis garnet reborn/redis reborn/garnet
  for name in "${names[@]}"; do
    local r s g
    r=$(rps reborn "$mode" "$name"); s=$(rps redis "$mode" "$name"); g=$(rps garnet "$mode" "$name")
    printf '%-11s %12s %12s %12s %13s %14s\n' "$name" "$r" "$s" "$g" "$(ratio "$r" "$s")" "$(ratio "$r" "$g")"
  done
}
print_table p16 "Pipelined (-P 16 -c $clients)"
print_table p1 "Unpipelined (-P 1 -c $clients)"
