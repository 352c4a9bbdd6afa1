#!/usr/bin/env bash
# Client compatibility check (opt-in, not in CI: it installs packages from the npm registry).
# Runs tests/clients/compat.mjs with the newest node-redis and ioredis against redis-server and
# against redwing-server and requires identical output.
#
#   tests/clients/run.sh [path/to/redwing-server]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
server="${1:-$here/../../build/release/server/redwing-server}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$here/compat.mjs" "$work/"
(cd "$work" && npm init -y >/dev/null && npm install --silent redis ioredis >/dev/null)
redis-server --port 7390 --save '' --appendonly no >/dev/null &
"$server" --port 7391 --bind 127.0.0.1 >/dev/null &
for p in 7390 7391; do
  for _ in $(seq 100); do redis-cli -p $p ping >/dev/null 2>&1 && break; sleep 0.05; done
done
(cd "$work" && node compat.mjs 7390 >redis.txt && node compat.mjs 7391 >redwing.txt)
if ! diff -u "$work/redis.txt" "$work/redwing.txt"; then
  echo "client compatibility: results differ from redis-server" >&2
  exit 1
fi
echo "client compatibility: node-redis and ioredis see identical results"

