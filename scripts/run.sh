#!/usr/bin/env bash
# Builds Redwing (release) and starts it on port 6379 with conf/redwing.conf.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DREDWING_BUILD_TESTS=OFF \
  -DREDWING_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target redwing-server
exec build/release/server/redwing-server conf/redwing.conf "$@"
