#!/usr/bin/env bash
# Side-by-side comparison of redwing-server with Debian's redis-server, in the same run, using the
# shared harness (../shared/tools/bench: throughput.sh, memory.sh). Prints ratios; see
# bench/README.md for the figures measured and what they mean.
#
#   bench/compare.sh percore   # both servers pinned to CPU 0 (Redwing --threads 1), client on CPU 1
#   bench/compare.sh machine   # nothing pinned, Redwing with its default threads
#   bench/compare.sh memory    # resident memory per key after loading 1,000,000 keys
#   bench/compare.sh all
#
# Environment: REDWING (server binary, default build/release/server/redwing-server),
# HARNESS (default ../shared/tools/bench), TESTS (default "set get incr mset"), ROUNDS (5);
# anything else is passed through to the harness (PIPELINES, SIZES, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
REDWING="${REDWING:-build/release/server/redwing-server}"
HARNESS="${HARNESS:-../shared/tools/bench}"
[ -x "$REDWING" ] || { echo "build $REDWING first (scripts/run.sh or cmake)" >&2; exit 1; }
[ -d "$HARNESS" ] || { echo "no harness at $HARNESS" >&2; exit 1; }
REDWING="$(realpath "$REDWING")"
export TESTS="${TESTS:-set get incr mset}" ROUNDS="${ROUNDS:-5}"

percore() {
  echo "### per core: servers pinned to CPU 0, client to CPU 1, Redwing --threads 1"
  CAND_CMD="$REDWING --port {port} --threads 1 --bind 127.0.0.1" \
    SERVER_CPUS=0 CLIENT_CPUS=1 SIZES="${SIZES:-3}" "$HARNESS/throughput.sh"
}

machine() {
  echo "### whole machine: nothing pinned, Redwing with its default threads"
  CAND_CMD="$REDWING --port {port} --bind 127.0.0.1" SERVER_CPUS='' CLIENT_CPUS='' \
    SIZES="${SIZES:-3}" "$HARNESS/throughput.sh"
}

memory() {
  echo "### memory: 1,000,000 string keys"
  CAND_CMD="$REDWING --port {port} --bind 127.0.0.1" VARIANTS="${VARIANTS:-plain ttl}" \
    SIZES="${MEMORY_SIZES:-16}" "$HARNESS/memory.sh"
}

case "${1:-all}" in
  percore) percore ;;
  machine) machine ;;
  memory) memory ;;
  all) percore; machine; memory ;;
  *) echo "usage: $0 [percore|machine|memory|all]" >&2; exit 2 ;;
esac
