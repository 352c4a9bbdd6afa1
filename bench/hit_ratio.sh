#!/usr/bin/env bash
# Cache hit ratio at the same maxmemory: Debian's redis-server (allkeys-lru, allkeys-lfu) beside
# redwing-server under each policy in POLICIES, every workload of bench/hit_ratio.cc on a fresh
# server. Prints a table (rows: workloads; columns: server and policy; cells: hit ratio) and, on
# stderr as it goes, each run's result line. See bench/README.md for the figures measured.
#
#   bench/hit_ratio.sh
#   POLICIES="allkeys-lru" MAXMEMORY=32mb bench/hit_ratio.sh
#
# Environment:
#   REDWING         server binary (build/release/server/redwing-server)
#   POLICIES        Redwing policies, empty for none (allkeys-lru allkeys-lfu allkeys-slru
#                   allkeys-fifo allkeys-random)
#   REDIS_POLICIES  redis-server policies (allkeys-lru allkeys-lfu)
#   MAXMEMORY       for every server (64mb)
#   WORKLOADS       subset of: zipf-0.8 zipf-0.99 zipf-1.2 scan shift varsize (all)
#   HIT_RATIO       the replay tool (build/bench/redwing_hit_ratio; compiled into /tmp if missing)
#   HIT_RATIO_ARGS  extra options for every run, e.g. "--requests 200000 --warmup 100000"
#
# Sizing of MAXMEMORY=64mb: the tool's defaults are 1,000,000 keys (`key:<id>`) of 512-byte
# values. redis-server 7.0 spends 715 bytes of used_memory on such a key (measured: 100,000 SETs;
# the value's sds is in jemalloc's 640-byte class, then the key's sds, the robj and the dict
# entry), so the key space is 1,000,000 x 715 B = ~715 MB while 64 MB holds ~92,000 keys: ~11
# times more keys than fit. varsize has 100,000 keys with values log-uniform in 16 B..16 KiB
# (mean 2,361 B; 2,634 B of used_memory per key): ~263 MB, ~4 times what fits. Redwing's smaller
# per-key overhead may let it keep more keys in the same maxmemory; that is part of what is
# compared.
#
# A cell is "n/a" when the server did not start (a policy Redwing does not have yet), "err" when
# the replay failed; it ends in "!" when some SETs were refused with -OOM, and in "*" when the
# server reported no evictions (INFO evicted_keys 0 or absent): either is not an eviction result.
set -euo pipefail
cd "$(dirname "$0")/.."
REDWING="${REDWING:-build/release/server/redwing-server}"
POLICIES="${POLICIES-allkeys-lru allkeys-lfu allkeys-slru allkeys-fifo allkeys-random}"
REDIS_POLICIES="${REDIS_POLICIES-allkeys-lru allkeys-lfu}"
MAXMEMORY="${MAXMEMORY:-64mb}"
WORKLOADS="${WORKLOADS:-zipf-0.8 zipf-0.99 zipf-1.2 scan shift varsize}"
HIT_RATIO_ARGS="${HIT_RATIO_ARGS:-}"
command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; exit 1; }
command -v redis-cli >/dev/null || { echo "redis-cli is not installed" >&2; exit 1; }

WORK="$(mktemp -d /tmp/redwing-hit-ratio.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

HIT_RATIO="${HIT_RATIO:-build/bench/redwing_hit_ratio}"
if [ ! -x "$HIT_RATIO" ]; then
  echo "no $HIT_RATIO; compiling bench/hit_ratio.cc into $WORK" >&2
  g++ -std=c++20 -O2 -o "$WORK/hit_ratio" bench/hit_ratio.cc
  HIT_RATIO="$WORK/hit_ratio"
fi

# The tool's options for each workload name.
workload_args() {
  case "$1" in
    zipf-*) echo "zipf --alpha ${1#zipf-}" ;;
    scan | shift | varsize) echo "$1" ;;
    *) echo "unknown workload $1" >&2; exit 2 ;;
  esac
}

# A port in 7400-7499 that nothing listens on.
free_port() {
  local port
  for port in $(seq 7400 7499); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port in 7400-7499" >&2
  return 1
}

# start_server PORT COMMAND...: starts the server in the background (SERVER_PID) and polls PING
# for up to 10 s. Fails if the server exits or never answers.
start_server() {
  local port="$1"
  shift
  "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 200); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ]; then return 0; fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  stop_server
  return 1
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# field NAME LINE: the value of NAME=... in the tool's result line (its first line).
field() { head -n 1 <<<"$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# mark_column LABEL VALUE: every workload's cell in the column.
mark_column() {
  local w
  for w in $WORKLOADS; do CELL["$w,$1"]="$2"; done
}

# run_column LABEL SERVER-KIND POLICY: one fresh server per workload; fills CELL[workload,LABEL].
declare -A CELL
run_column() {
  local label="$1" kind="$2" policy="$3" workload port line ratio
  for workload in $WORKLOADS; do
    port="$(free_port)"
    local -a cmd
    if [ "$kind" = redis ]; then
      cmd=(redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no
        --maxmemory "$MAXMEMORY" --maxmemory-policy "$policy")
    else
      cmd=("$REDWING" --port "$port" --bind 127.0.0.1 --maxmemory "$MAXMEMORY"
        --maxmemory-policy "$policy")
    fi
    if ! start_server "$port" "${cmd[@]}"; then
      echo "$label: the server did not start; its output:" >&2
      tail -n 5 "$WORK/server.log" | sed 's/^/    /' >&2
      mark_column "$label" n/a
      return 0
    fi
    # shellcheck disable=SC2046,SC2086  # word splitting of the option lists is intended
    if line="$("$HIT_RATIO" --port "$port" $(workload_args "$workload") $HIT_RATIO_ARGS)"; then
      echo "$label: $(head -n 1 <<<"$line")" >&2
      ratio="$(field hit_ratio "$line")"
      [ "$(field oom "$line")" = 0 ] || ratio="$ratio!"
      case "$(field evicted_keys "$line")" in 0 | -) ratio="$ratio*" ;; esac
      CELL["$workload,$label"]="$ratio"
    else
      echo "$label: $workload failed" >&2
      CELL["$workload,$label"]="err"
    fi
    stop_server
  done
}

LABELS=()
for policy in $REDIS_POLICIES; do
  LABELS+=("redis $policy")
  run_column "redis $policy" redis "$policy"
done
for policy in $POLICIES; do
  LABELS+=("redwing $policy")
  if [ -x "$REDWING" ]; then
    run_column "redwing $policy" redwing "$policy"
  else
    echo "no $REDWING: Redwing columns are n/a" >&2
    mark_column "redwing $policy" n/a
  fi
done

echo
echo "hit ratio at maxmemory $MAXMEMORY, tool defaults${HIT_RATIO_ARGS:+ plus $HIT_RATIO_ARGS}"
header="| workload |"
rule="| --- |"
for label in "${LABELS[@]}"; do
  header+=" $label |"
  rule+=" --- |"
done
echo "$header"
echo "$rule"
for workload in $WORKLOADS; do
  row="| $workload |"
  for label in "${LABELS[@]}"; do row+=" ${CELL["$workload,$label"]} |"; done
  echo "$row"
done
echo "n/a: the server did not start; err: the replay failed; !: some SETs were refused with -OOM;"
echo "*: the server reported no evicted keys (all data fit, or it does not evict)"
