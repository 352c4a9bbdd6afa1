#!/usr/bin/env bash
# Builds Redwing and runs every test: the unit and integration suites on a release build, then
# again under AddressSanitizer+UndefinedBehaviorSanitizer and under ThreadSanitizer.
# Set REDWING_SANITIZERS=0 to skip the sanitizer builds (quicker local runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)

run_suite() {  # name, build dir, cmake args...
  local name=$1 dir=$2
  shift 2
  echo "=== $name: build"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "=== $name: test"
  (cd "$dir" && ctest --output-on-failure -j 2 --timeout 300)
}

# -g1: line tables only, enough for symbolised stack traces and sanitizer reports, and quicker
# to compile and link than full debug info (CI's three builds are most of its time).
run_suite release build/test-release -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
if [ "${REDWING_SANITIZERS:-1}" != 0 ]; then
  run_suite asan build/asan -DCMAKE_BUILD_TYPE=Debug -DREDWING_SANITIZE=address \
    -DREDWING_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG=-g1
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    run_suite tsan build/tsan -DCMAKE_BUILD_TYPE=Debug -DREDWING_SANITIZE=thread \
    -DREDWING_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_DEBUG=-g1
fi
echo "=== all test suites passed"
