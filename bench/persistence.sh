#!/usr/bin/env bash
# Persistence beside redis-server, in the same run (issue 6; figures in bench/README.md):
#   sets      SET throughput with 50 clients: Redwing write-through vs Redis appendfsync always,
#             write-back vs appendfsync everysec and vs Redwing with persistence none
#   restart   time from start to serving (INFO loading:0) with 1,000,000 keys: Redwing's page
#             files vs Redis loading its AOF
#   disk-get  GET latency of keys that live only on disk (Redwing, maxmemory far below the data)
#   all       everything
# Whole machine (servers and client unpinned); both servers write to the same disk, under $WORK.
# Env: ROUNDS (default 3; sets alternate servers each round), REDWING (binary), KEYS (restart,
# default 1000000), N (requests per sets run, default 100000), RW_ARGS (more Redwing arguments,
# e.g. "--threads 1").
set -euo pipefail
cd "$(dirname "$0")/.."
REDWING=${REDWING:-build/release/server/redwing-server}
ROUNDS=${ROUNDS:-3}
KEYS=${KEYS:-1000000}
N=${N:-100000}
WORK=${WORK:-/tmp/redwing-persistence-bench}
PORT_RW=7701
PORT_RD=7702
mode=${1:-all}

command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)"; exit 1; }
[ -x "$REDWING" ] || { echo "no $REDWING: build the release first (scripts/run.sh builds it)"; exit 1; }

stop_all() {
  redis-cli -p $PORT_RW shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p $PORT_RD shutdown nosave >/dev/null 2>&1 || true
  for p in $PORT_RW $PORT_RD; do
    for _ in $(seq 100); do redis-cli -p $p ping >/dev/null 2>&1 || break; sleep 0.05; done
  done
}
trap stop_all EXIT

wait_up() {  # port: until it answers PING
  for _ in $(seq 400); do redis-cli -p "$1" ping >/dev/null 2>&1 && return; sleep 0.025; done
  echo "server on $1 did not start"; exit 1
}

start_redwing() {  # extra args...
  rm -rf "$WORK/rw" && mkdir -p "$WORK/rw"
  # shellcheck disable=SC2086  # RW_ARGS: words on purpose
  "$REDWING" --port $PORT_RW --dir "$WORK/rw" "$@" ${RW_ARGS:-} >"$WORK/rw.log" 2>&1 &
  wait_up $PORT_RW
}

start_redis() {  # extra args...
  rm -rf "$WORK/rd" && mkdir -p "$WORK/rd"
  redis-server --port $PORT_RD --dir "$WORK/rd" --save '' --daemonize no "$@" >"$WORK/rd.log" 2>&1 &
  wait_up $PORT_RD
}

rps() {  # port: SET throughput at 50 clients
  redis-benchmark -p "$1" -t set -n "$N" -r 1000000 -c 50 -q 2>/dev/null | tr '\r' '\n' |
    awk '/requests per second/ {print $2}' | tail -1
}

sets() {
  echo "== SET, 50 clients, $N requests, $ROUNDS rounds (requests/s) =="
  for r in $(seq "$ROUNDS"); do
    start_redwing --persistence write-through; wt=$(rps $PORT_RW); stop_all
    start_redis --appendonly yes --appendfsync always; al=$(rps $PORT_RD); stop_all
    start_redwing --persistence write-back; wb=$(rps $PORT_RW); stop_all
    start_redis --appendonly yes --appendfsync everysec; es=$(rps $PORT_RD); stop_all
    start_redwing --persistence none; no=$(rps $PORT_RW); stop_all
    awk -v wt="$wt" -v al="$al" -v wb="$wb" -v es="$es" -v no="$no" -v r="$r" 'BEGIN {
      printf "round %d: write-through %.0f vs always %.0f (%.2fx) | write-back %.0f vs everysec %.0f (%.2fx), vs none %.0f (%.2fx)\n",
        r, wt, al, wt / al, wb, es, wb / es, no, wb / no }'
  done
}

# Milliseconds from launching `cmd...` until the server on `port` says loading:0 to INFO.
time_to_ready() {
  local port=$1; shift
  local start end out
  start=$(date +%s%N)
  # (Its output away from our stdout: the caller's $(...) would wait for the server to exit.)
  "$@" >>"$WORK/ready.log" 2>&1 &
  for _ in $(seq 20000); do
    # (Not `| grep -q`: with pipefail, grep's early exit fails the pipeline.)
    out=$(redis-cli -p "$port" info persistence 2>/dev/null || true)
    # (At a line's start: "async_loading:0" comes first and contains it.)
    if [[ $'\n'"$out" == *$'\n'"loading:0"* ]]; then break; fi
    sleep 0.005
  done
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

restart() {
  echo "== restart with $KEYS keys (10-byte values): ms until INFO loading:0 =="
  for r in $(seq "$ROUNDS"); do
    start_redwing --persistence write-back
    redis-benchmark -p $PORT_RW -t set -n "$KEYS" -r 1000000000 -d 10 -P 32 -c 4 -q >/dev/null 2>&1
    rwkeys=$(redis-cli -p $PORT_RW dbsize)
    redis-cli -p $PORT_RW shutdown >/dev/null 2>&1 || true
    for _ in $(seq 400); do redis-cli -p $PORT_RW ping >/dev/null 2>&1 || break; sleep 0.025; done
    start_redis --appendonly yes --appendfsync everysec
    redis-benchmark -p $PORT_RD -t set -n "$KEYS" -r 1000000000 -d 10 -P 32 -c 4 -q >/dev/null 2>&1
    rdkeys=$(redis-cli -p $PORT_RD dbsize)
    redis-cli -p $PORT_RD shutdown >/dev/null 2>&1 || true
    for _ in $(seq 400); do redis-cli -p $PORT_RD ping >/dev/null 2>&1 || break; sleep 0.025; done
    sync
    rw=$(time_to_ready $PORT_RW "$REDWING" --port $PORT_RW --dir "$WORK/rw" --persistence write-back)
    rw_after=$(redis-cli -p $PORT_RW dbsize)
    rd=$(time_to_ready $PORT_RD redis-server --port $PORT_RD --dir "$WORK/rd" --save '' \
      --appendonly yes --daemonize no)
    rd_after=$(redis-cli -p $PORT_RD dbsize)
    stop_all
    echo "round $r: Redwing $rw ms ($rwkeys keys, $rw_after after) | Redis AOF $rd ms ($rdkeys keys, $rd_after after) | ratio $(awk -v a="$rw" -v b="$rd" 'BEGIN { printf "%.2f", a / b }')"
  done
}

disk_get() {
  echo "== GET of keys that live only on disk: 200,000 keys of 1000 bytes, maxmemory 16mb =="
  start_redwing --persistence write-back --maxmemory 16mb --maxmemory-policy allkeys-lru
  redis-benchmark -p $PORT_RW -t set -n 400000 -r 200000 -d 1000 -P 16 -c 4 -q >/dev/null 2>&1
  redis-cli -p $PORT_RW save >/dev/null
  redis-cli -p $PORT_RW info persistence |
    grep -E 'persistence_keys_on_disk|persistence_disk_bytes|persistence_disk_writes'
  redis-cli -p $PORT_RW dbsize
  # Uniform random keys: almost every GET reads a value from disk (and evicts another, which
  # costs no write if it was loaded and is unchanged).
  redis-benchmark -p $PORT_RW -t get -n 100000 -r 200000 -c 10 2>/dev/null | tr '\r' '\n' |
    grep -A2 -E 'latency summary|throughput summary' | grep -v '^--'
  redis-cli -p $PORT_RW info persistence |
    grep -E 'persistence_disk_reads|persistence_disk_writes|persistence_compactions'
  stop_all
}

mkdir -p "$WORK"
case "$mode" in
  sets) sets ;;
  restart) restart ;;
  disk-get) disk_get ;;
  all) sets; restart; disk_get ;;
  *) echo "usage: $0 sets|restart|disk-get|all"; exit 1 ;;
esac
