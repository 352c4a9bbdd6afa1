#!/usr/bin/env bash
# Pub/sub side by side: Debian's redis-server and redwing-server in the same run, publish
# throughput (flood) and end-to-end delivery latency (paced) with 1, 10 and 100 subscribers, using
# bench/pubsub_bench.cc. Each cell alternates Redis and Redwing for ROUNDS rounds and reports
# medians; see bench/README.md for the figures measured and what they mean.
#
#   bench/pubsub.sh percore   # both servers pinned to CPU 0 (Redwing --threads 1), client on CPU 1
#   bench/pubsub.sh machine   # nothing pinned, Redwing with its default threads
#   bench/pubsub.sh all       # both (the default)
#
# Environment:
#   REDWING      server binary (build/release/server/redwing-server)
#   PUBSUB       the tool (build/bench/redwing_pubsub_bench; compiled into /tmp if missing)
#   SUBSCRIBERS  subscriber counts (1 10 100)
#   ROUNDS       runs per server and cell (5)
#   FLOOD        messages per flood run, per subscriber count ("1:200000 10:100000 100:20000")
#   PACED        paced rate in messages/s, per subscriber count ("1:2000 10:1000 100:200"),
#                a light load: on this VM a paced message costs the server ~7 us per subscriber
#                (one write each) and the client as much (one read each); a paced run lasts
#                PACED_SECONDS (3), its first tenth is not timed
#   PIPELINE     PUBLISHes in flight in flood runs (32)
#   PACED_WINDOW PUBLISHes that may be in flight in paced runs (16): each message still leaves
#                alone at its time, but a late reply does not hold back the next one (with 1, a
#                stall delays the sends behind it, which then do not count it as latency)
#   PAIRED       1: each round's paced runs against the two servers go at the same time, each
#                with Poisson arrivals of its own seed, so that the stalls of this shared VM
#                (ms-long, a few times a second; they decide p99) hit both alike, and the table
#                adds the median of the rounds' p99 ratios; 0: one after the other, equal gaps (1)
#   SPIN         1: the client busy-polls in paced runs (--spin), per core only (0)
#   SIZE         payload bytes (32)
#   PUBSUB_ARGS  extra options for every run, e.g. --pattern or "--publishers 4"
#
# Servers listen on free ports in 7500-7599 and are stopped by PID. Columns: PUBLISH/s is the
# rate of PUBLISH replies, deliveries/s the rate at which all subscribers together received
# messages, from the first send to the last delivery (a server that answers PUBLISH before the
# message is written out shows PUBLISH/s above deliveries/s / subscribers, and a flood-mode
# latency that grows over the run); "CPU us/msg" is server CPU time (all threads, /proc schedstat) per
# PUBLISH, and eff = Redis's / Redwing's (above 1: Redwing does the work with less CPU); latency
# is from the publisher's send() to each subscriber's recv(), over every (message, subscriber).
# A cell ends in "!" when some run failed (lost, reordered or malformed messages, a wrong PUBLISH
# reply, or a server that does not subscribe); the tool's messages are on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
REDWING="${REDWING:-build/release/server/redwing-server}"
SUBSCRIBERS="${SUBSCRIBERS:-1 10 100}"
ROUNDS="${ROUNDS:-5}"
FLOOD="${FLOOD:-1:200000 10:100000 100:20000}"
PACED="${PACED:-1:2000 10:1000 100:200}"
PACED_SECONDS="${PACED_SECONDS:-3}"
PIPELINE="${PIPELINE:-32}"
PACED_WINDOW="${PACED_WINDOW:-16}"
PAIRED="${PAIRED:-1}"
SPIN="${SPIN:-0}"
SIZE="${SIZE:-32}"
PUBSUB_ARGS="${PUBSUB_ARGS:-}"
command -v redis-server >/dev/null || { echo "redis-server is not installed" >&2; exit 1; }
command -v redis-cli >/dev/null || { echo "redis-cli is not installed" >&2; exit 1; }
[ -x "$REDWING" ] || { echo "build $REDWING first (scripts/run.sh or cmake)" >&2; exit 1; }

WORK="$(mktemp -d /tmp/redwing-pubsub.XXXXXX)"
REDIS_PID=""
REDWING_PID=""
stop_server() {
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  stop_server "$REDIS_PID"
  stop_server "$REDWING_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PUBSUB="${PUBSUB:-build/bench/redwing_pubsub_bench}"
if [ ! -x "$PUBSUB" ]; then
  echo "no $PUBSUB; compiling bench/pubsub_bench.cc into $WORK" >&2
  g++ -std=c++20 -O2 -o "$WORK/pubsub_bench" bench/pubsub_bench.cc
  PUBSUB="$WORK/pubsub_bench"
fi

# A port in 7500-7599 that nothing listens on and that the other server did not take.
free_port() {
  local port
  for port in $(seq 7500 7599); do
    [ "$port" != "${TAKEN_PORT:-}" ] || continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port in 7500-7599" >&2
  return 1
}

# start_server LOG PORT COMMAND...: starts the server in the background (LAST_PID) and polls
# PING for up to 10 s.
start_server() {
  local log="$1" port="$2"
  shift 2
  "$@" >"$log" 2>&1 </dev/null &
  LAST_PID=$!
  for _ in $(seq 200); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ]; then return 0; fi
    kill -0 "$LAST_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "the server did not start: $*" >&2
  tail -n 5 "$log" | sed 's/^/    /' >&2
  exit 1
}

# CPU time (ns) used so far by every thread of a process.
cpu_ns() {
  local f v sum=0
  for f in /proc/"$1"/task/*/schedstat; do
    read -r v _ <"$f" 2>/dev/null || continue
    sum=$((sum + v))
  done
  echo "$sum"
}

psi_us() { awk '/^some/ { sub("total=", "", $5); print $5 }' /proc/pressure/cpu 2>/dev/null || echo 0; }

# lookup SPEC N: the value for subscriber count N in "n:value n:value ...".
lookup() {
  local pair
  for pair in $1; do
    if [ "${pair%%:*}" = "$2" ]; then
      echo "${pair#*:}"
      return 0
    fi
  done
  echo "no entry for $2 subscribers in '$1'" >&2
  exit 2
}

# field NAME LINE: the value of NAME=... in the tool's result line.
field() { head -n 1 <<<"$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# median of the arguments (numbers), "-" if none; PRECISION decimals, by default 0 from 100 up
# and 1 below.
median() {
  if [ $# -eq 0 ]; then
    echo "-"
    return 0
  fi
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf("%." (p != "" ? p : m >= 100 ? 0 : 1) "f\n", m) }' p="${PRECISION:-}"
}

# ratio A B: A / B to two decimals, "-" when either is missing.
ratio() {
  case "$1$2" in *-* | "") echo "-" ;; *) awk -v a="$1" -v b="$2" 'BEGIN {
    if (b == 0) print "-"; else printf "%.2f", a / b }' ;; esac
}

# micros NS: ns (possibly "!"-marked, or "-") as us with two decimals.
micros() {
  case "$1" in
    -*) echo "$1" ;;
    *) awk -v ns="${1%!}" -v mark="${1//[^!]/}" 'BEGIN { printf "%.2f%s", ns / 1000, mark }' ;;
  esac
}

# run_one SIDE PID ARGS...: one tool run against a server; appends the result line, with the
# server's CPU ns per PUBLISH as cpu_ns_per_msg=, to $WORK/<SIDE>.<cell>, or "err" on failure.
run_one() {
  local side="$1" pid="$2" port line before after messages
  shift 2
  port="$([ "$side" = redis ] && echo "$REDIS_PORT" || echo "$REDWING_PORT")"
  before="$(cpu_ns "$pid")"
  # shellcheck disable=SC2086  # PUBSUB_ARGS is a list of options
  if line="$("${CLIENT_PIN[@]}" "$PUBSUB" --port "$port" --size "$SIZE" "$@" $PUBSUB_ARGS)"; then
    after="$(cpu_ns "$pid")"
    messages="$(field messages "$line")"
    line="$(head -n 1 <<<"$line") cpu_ns_per_msg=$(((after - before) / messages))"
    echo "$side $CELL: $line" >&2
  else
    echo "$side $CELL: the run failed: $(head -n 1 <<<"$line")" >&2
    line="err"
  fi
  echo "$line" >>"$WORK/$side.$CELL"
}

# values SIDE NAME: the NAME field of every successful run of the current cell.
values() {
  local line
  while read -r line; do
    [ "$line" = err ] || field "$2" "$line"
  done <"$WORK/$1.$CELL"
}

# failed SIDE: "!" when some run of the current cell failed.
failed() { if grep -qx err "$WORK/$1.$CELL"; then echo "!"; fi; }

# med SIDE NAME: the median of NAME over the cell's runs, "!"-marked if some failed.
med() {
  local v
  # shellcheck disable=SC2046  # one number per line
  v="$(median $(values "$1" "$2"))"
  echo "$v$(failed "$1")"
}

# round_ratios NAME: the median over the current cell's rounds of Redwing's NAME / Redis's in
# the same round (rounds where either run failed are left out).
round_ratios() {
  local -a redis_runs redwing_runs ratios=()
  local i
  mapfile -t redis_runs <"$WORK/redis.$CELL"
  mapfile -t redwing_runs <"$WORK/redwing.$CELL"
  for i in "${!redis_runs[@]}"; do
    if [ "${redis_runs[i]}" != err ] && [ "${redwing_runs[i]:-err}" != err ]; then
      ratios+=("$(ratio "$(field "$1" "${redwing_runs[i]}")" "$(field "$1" "${redis_runs[i]}")")")
    fi
  done
  PRECISION=2 median "${ratios[@]}"
}

# mode NAME: starts both servers (pinned or not), runs every cell, prints the tables.
mode() {
  local name="$1" subs messages rate round
  local -a redis_cmd redwing_cmd server_pin=() paced_args
  CLIENT_PIN=()
  if [ "$name" = percore ]; then
    server_pin=(taskset -c 0)
    CLIENT_PIN=(taskset -c 1)
  fi
  paced_args=(--pipeline "$PACED_WINDOW")
  if [ "$name" = percore ] && [ "$SPIN" = 1 ]; then paced_args+=(--spin); fi
  REDIS_PORT="$(free_port)"
  TAKEN_PORT="$REDIS_PORT"
  REDWING_PORT="$(free_port)"
  redis_cmd=("${server_pin[@]}" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save ''
    --appendonly no --daemonize no)
  redwing_cmd=("${server_pin[@]}" "$REDWING" --port "$REDWING_PORT" --bind 127.0.0.1)
  [ "$name" = percore ] && redwing_cmd+=(--threads 1)
  start_server "$WORK/redis.log" "$REDIS_PORT" "${redis_cmd[@]}"
  REDIS_PID=$LAST_PID
  start_server "$WORK/redwing.log" "$REDWING_PORT" "${redwing_cmd[@]}"
  REDWING_PID=$LAST_PID

  local psi_start wall_start
  psi_start="$(psi_us)"
  wall_start="$(date +%s%N)"
  for subs in $SUBSCRIBERS; do
    messages="$(lookup "$FLOOD" "$subs")"
    rate="$(lookup "$PACED" "$subs")"
    for round in $(seq "$ROUNDS"); do
      CELL="$name.flood.$subs"
      run_one redis "$REDIS_PID" --subscribers "$subs" --messages "$messages" \
        --pipeline "$PIPELINE"
      run_one redwing "$REDWING_PID" --subscribers "$subs" --messages "$messages" \
        --pipeline "$PIPELINE"
      CELL="$name.paced.$subs"
      local -a paced=(--subscribers "$subs" --rate "$rate" "${paced_args[@]}"
        --messages $((rate * PACED_SECONDS)) --warmup $((rate * PACED_SECONDS / 10)))
      if [ "$PAIRED" = 1 ]; then
        run_one redis "$REDIS_PID" "${paced[@]}" --poisson --seed $((2 * round)) &
        run_one redwing "$REDWING_PID" "${paced[@]}" --poisson --seed $((2 * round + 1))
        wait $!
      else
        run_one redis "$REDIS_PID" "${paced[@]}"
        run_one redwing "$REDWING_PID" "${paced[@]}"
      fi
    done
  done
  local psi
  psi="$(awk -v p="$(($(psi_us) - psi_start))" -v w="$((($(date +%s%N) - wall_start) / 1000))" \
    'BEGIN { printf("%.2f", w > 0 ? p / w : 0) }')"
  stop_server "$REDIS_PID"
  stop_server "$REDWING_PID"
  REDIS_PID=""
  REDWING_PID=""

  echo
  if [ "$name" = percore ]; then
    echo "### per core: servers pinned to CPU 0 (Redwing --threads 1), client on CPU 1"
  else
    echo "### whole machine: nothing pinned, Redwing with its default threads"
  fi
  echo "medians of $ROUNDS rounds; size $SIZE B${PUBSUB_ARGS:+; $PUBSUB_ARGS}; cpu psi $psi"
  echo
  echo "flood (pipeline $PIPELINE): PUBLISH/s and server CPU per PUBLISH"
  echo "| subscribers | Redis PUBLISH/s | Redwing PUBLISH/s | ratio | Redis deliveries/s |" \
    "Redwing deliveries/s | ratio | CPU us/msg Redis / Redwing | eff |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  local r c rc rd cd
  for subs in $SUBSCRIBERS; do
    CELL="$name.flood.$subs"
    r="$(med redis publish_rps)"
    c="$(med redwing publish_rps)"
    rd="$(med redis delivered_per_s)"
    cd="$(med redwing delivered_per_s)"
    rc="$(med redis cpu_ns_per_msg)"
    local cc
    cc="$(med redwing cpu_ns_per_msg)"
    echo "| $subs | $r | $c | $(ratio "${c%!}" "${r%!}") | $rd | $cd |" \
      "$(ratio "${cd%!}" "${rd%!}") |" \
      "$(micros "$rc") / $(micros "$cc") |" \
      "$(ratio "${rc%!}" "${cc%!}") |"
  done
  echo
  if [ "$PAIRED" = 1 ]; then
    echo "paced (${PACED_SECONDS} s per run, ${paced_args[*]}, paired, Poisson arrivals):" \
      "delivery latency in us; ratio of medians, and median of the rounds' ratios"
  else
    echo "paced (${PACED_SECONDS} s per run, ${paced_args[*]}): delivery latency in us"
  fi
  echo "| subscribers | msgs/s | Redis p50 | Redwing p50 | Redis p99 | Redwing p99 |" \
    "p99 Redwing/Redis | per round | Redis p99.9 | Redwing p99.9 |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for subs in $SUBSCRIBERS; do
    CELL="$name.paced.$subs"
    r="$(med redis lat_p99_us)"
    c="$(med redwing lat_p99_us)"
    echo "| $subs | $(lookup "$PACED" "$subs") | $(med redis lat_p50_us) |" \
      "$(med redwing lat_p50_us) | $r | $c | $(ratio "${c%!}" "${r%!}") |" \
      "$(round_ratios lat_p99_us) |" \
      "$(med redis lat_p999_us) | $(med redwing lat_p999_us) |"
  done
}

case "${1:-all}" in
  percore | machine) mode "$1" ;;
  all)
    mode percore
    mode machine
    ;;
  *)
    echo "usage: $0 [percore|machine|all]" >&2
    exit 2
    ;;
esac
