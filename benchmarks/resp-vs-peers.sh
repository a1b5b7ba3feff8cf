#!/usr/bin/env bash
# Side-by-side throughput of `reborn server` against redis-server and garnet-server, measured
# with redis-benchmark on loopback, one server after another in one run:
#   reborn server  (Release build, RocksDB, default durability, a temporary data directory)
#   redis-server   (7.x from PATH, --save "" --appendonly no)
#   garnet-server  (the NuGet dotnet tool, installed into benchmarks/.tools when missing;
#                   skipped with a message if it cannot be installed or started)
# for SET GET INCR LPUSH RPOP SADD HSET ZADD LRANGE_100, pipelined (-P 16 -c 50) and
# unpipelined (-P 1 -c 50), each after the same warm-up, then prints requests/second, the ratios
# reborn/redis and reborn/garnet, and each server's CPU time per request. With ROUNDS=N the three
# servers take turns N times (a fresh server each round) and the table gives medians and ranges.
# Every server it started is stopped on exit.
#
# Environment: REQUESTS (default 200000), WARMUP (requests per test before measuring, default 500000), CLIENTS (default 50), ROUNDS (default 1), TESTS (default the
# nine above, comma-separated redis-benchmark names), KEEP_LOGS=1 keeps the logs.
# Nothing here is a test: the numbers depend on the machine and on what else runs on it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

requests=${REQUESTS:-200000}
warmup=${WARMUP:-500000}
clients=${CLIENTS:-50}
rounds=${ROUNDS:-1}
tests=${TESTS:-set,get,incr,lpush,rpop,sadd,hset,zadd,lrange_100}
IFS=, read -ra names <<<"${tests^^}"
warmup_tests=$tests
[[ ",$tests," == *,rpop,* && ",$tests," != *,lpush,* ]] && warmup_tests="lpush,$tests"
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

# cpu_ticks PID: user+system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)

# run_peer NAME PORT PID ROUND: every test in both modes against 127.0.0.1:PORT, one redis-benchmark
# per test so the server's CPU time per request is known too; CSV lines kept per mode and round.
run_peer() {
  local name=$1 port=$2 pid=$3 round=$4
  # The same warm-up for every server: the .NET ones (reborn, garnet) compile their hot paths during
  # their first requests, in tiers, and the last tier (with profile-guided optimization) arrives only
  # after about a second of load; that is not what the passes below measure. RPOP warms up on a
  # list LPUSH filled: popping an empty list compiles only the miss.
  redis-benchmark -h 127.0.0.1 -p "$port" -t "$warmup_tests" -n "$warmup" -P 16 -c "$clients" -q >/dev/null 2>&1 || true
  local mode pipeline t before after
  for mode in p16 p1; do
    pipeline=${mode#p}
    echo "  $name: $([ "$mode" = p16 ] && echo "pipelined (-P 16" || echo "unpipelined (-P 1") -c $clients), round $round..."
    : >"$work/$name.$mode.r$round.csv"
    for t in ${tests//,/ }; do
      before=$(cpu_ticks "$pid")
      redis-benchmark -h 127.0.0.1 -p "$port" -t "$t" -n "$requests" -P "$pipeline" -c "$clients" --csv >>"$work/$name.$mode.r$round.csv" 2>>"$work/$name.$mode.err" \
        || echo "  $name: redis-benchmark failed (-t $t -P $pipeline), see $work/$name.$mode.err"
      after=$(cpu_ticks "$pid")
      echo "$t $((after - before))" >>"$work/$name.$mode.r$round.cpu"
    done
  done
}

# rps NAME MODE ROUND TEST: requests/second of one round from the CSV, or "-".
rps() {
  local file="$work/$1.$2.r$3.csv"
  [ -f "$file" ] || { echo "-"; return; }
  awk -F'","' -v t="$4" '{ gsub(/^"|"$/, "", $1); gsub(/"/, "", $2); split($1, n, " "); if (n[1] == t && $1 !~ /needed/) { print $2; found = 1; exit } } END { if (!found) print "-" }' "$file"
}

# cpu_us NAME MODE ROUND TEST: the server's CPU microseconds per request in one round, or "-".
cpu_us() {
  local file="$work/$1.$2.r$3.cpu"
  [ -f "$file" ] || { echo "-"; return; }
  awk -v t="$(echo "$4" | tr 'A-Z' 'a-z')" -v hz="$hz" -v n="$requests" '$1 == t { printf "%.2f", $2 * 1000000 / hz / n; found = 1 } END { if (!found) print "-" }' "$file"
}

ratio() {
  if [ "$1" = "-" ] || [ "$2" = "-" ]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; fi
}

# median VALUES...: the median of the numbers given ("-" ignored), or "-".
median() {
  printf '%s\n' "$@" | grep -v '^-$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# span VALUES...: "min-max" of the numbers given, or "-".
span() {
  printf '%s\n' "$@" | grep -v '^-$' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR == 0) print "-"; else if (lo == hi) print lo; else print lo "-" hi }'
}

echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis-benchmark -n $requests -c $clients after a warm-up of $warmup requests per test, tests: $tests"
echo

# --- Reborn -----------------------------------------------------------------------------
echo "Building reborn (Release)..."
dotnet build src/Reborn.Cli -c Release -nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; echo "resp-vs-peers: the Release build of src/Reborn.Cli failed" >&2; exit 1; }
cli=""
for name in reborn.dll Reborn.Cli.dll; do
  [ -f "$root/src/Reborn.Cli/bin/Release/net10.0/$name" ] && { cli="$root/src/Reborn.Cli/bin/Release/net10.0/$name"; break; }
done
[ -n "$cli" ] || { echo "resp-vs-peers: no reborn.dll under src/Reborn.Cli/bin/Release/net10.0" >&2; exit 1; }
# measure NAME ROUND DESCRIPTION: once the server just started in the background on $port (its log
# in $work/NAME.log) answers, every pass runs against it, then it stops; one that never answers ends the run.
measure() {
  if wait_ready "$port" "${pids[-1]}"; then
    echo "$3 on 127.0.0.1:$port"
    run_peer "$1" "$port" "${pids[-1]}" "$2"
  else
    echo "$1 did not start:"; cat "$work/$1.log"; exit 1
  fi
  stop_all
}

run_reborn() {
  port=$(free_port)
  dotnet "$cli" server --port "$port" --dir "$work/reborn-data" --engine rocksdb >"$work/reborn.log" 2>&1 &
  pids+=($!)
  measure reborn "$1" "reborn server (RocksDB, default durability)"
  rm -rf "$work/reborn-data"
}

# --- Redis ------------------------------------------------------------------------------
run_redis() {
  port=$(free_port)
  mkdir -p "$work/redis"
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/redis" --daemonize no >"$work/redis.log" 2>&1 &
  pids+=($!)
  measure redis "$1" "$(redis-server --version | cut -d' ' -f1-3) (--save \"\" --appendonly no)"
}

# --- Garnet -----------------------------------------------------------------------------
garnet=""
if command -v garnet-server >/dev/null 2>&1; then garnet=$(command -v garnet-server)
elif [ -x "$tools/garnet-server" ]; then garnet="$tools/garnet-server"
else
  echo "Installing garnet-server (dotnet tool) into benchmarks/.tools..."
  if dotnet tool install garnet-server --tool-path "$tools" >"$work/garnet-install.log" 2>&1; then garnet="$tools/garnet-server"
  else echo "garnet-server could not be installed; skipping that peer ($(tail -1 "$work/garnet-install.log"))"; fi
fi
run_garnet() {
  [ -n "$garnet" ] || return 0
  local started=0
  for _ in 1 2 3; do
    port=$(free_port)
    # Its main log is sized down from the 16 GB default so the shared machine keeps its memory.
    DOTNET_ROLL_FORWARD=Major "$garnet" --port "$port" --bind 127.0.0.1 --memory 2g >"$work/garnet.log" 2>&1 &
    pids+=($!)
    if wait_ready "$port" "$!"; then started=1; break; fi
  done
  if [ "$started" = 1 ]; then
    echo "garnet-server $(grep -o 'Garnet [0-9.]*' "$work/garnet.log" | head -1 | cut -d' ' -f2) on 127.0.0.1:$port"
    run_peer garnet "$port" "${pids[-1]}" "$1"
  else
    echo "garnet-server did not start; skipping that peer:"; tail -5 "$work/garnet.log"
  fi
  stop_all
}

# Rounds alternate the servers, so a slow spell of the machine does not land on one server only.
for round in $(seq 1 "$rounds"); do
  run_reborn "$round"
  run_redis "$round"
  run_garnet "$round"
done


# --- Table ------------------------------------------------------------------------------
# Per test: the median requests/second of each server over the rounds, the median ratio with its
# range over the rounds, and each server's median CPU time per request (µs, user + system).
print_table() {
  local mode=$1 title=$2
  echo
  echo "$title: requests/second (median of $rounds), ratios (median, range), server CPU µs/request"
  printf '%-11s %10s %10s %10s %17s %17s %8s %8s %8s\n' test reborn redis garnet reborn/redis reborn/garnet cpu:rb cpu:rd cpu:gn
  for name in "${names[@]}"; do
    local r=() s=() g=() rs=() rg=() cr=() cs=() cg=() round
    for round in $(seq 1 "$rounds"); do
      r+=("$(rps reborn "$mode" "$round" "$name")"); s+=("$(rps redis "$mode" "$round" "$name")"); g+=("$(rps garnet "$mode" "$round" "$name")")
      rs+=("$(ratio "${r[-1]}" "${s[-1]}")"); rg+=("$(ratio "${r[-1]}" "${g[-1]}")")
      cr+=("$(cpu_us reborn "$mode" "$round" "$name")"); cs+=("$(cpu_us redis "$mode" "$round" "$name")"); cg+=("$(cpu_us garnet "$mode" "$round" "$name")")
    done
    printf '%-11s %10s %10s %10s %17s %17s %8s %8s %8s\n' "$name" "$(median "${r[@]}")" "$(median "${s[@]}")" "$(median "${g[@]}")" \
      "$(median "${rs[@]}")x ($(span "${rs[@]}"))" "$(median "${rg[@]}")x ($(span "${rg[@]}"))" \
      "$(median "${cr[@]}")" "$(median "${cs[@]}")" "$(median "${cg[@]}")"
  done
}
print_table p16 "Pipelined (-P 16 -c $clients)"
print_table p1 "Unpipelined (-P 1 -c $clients)"
case ",$tests," in *,lrange*) echo; echo "The CPU time of LRANGE tests includes the LPUSH requests redis-benchmark sends to fill the list first." ;; esac
