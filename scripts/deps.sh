#!/usr/bin/env bash
# Installs the Debian 12 packages Redwing needs to build, test and benchmark, if any are missing.
set -euo pipefail
packages=(cmake ninja-build g++ libasio-dev libxxhash-dev libjemalloc-dev libhiredis-dev
          libgtest-dev libgmock-dev libbenchmark-dev redis-server redis-tools clang-format python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Installing Debian's redis-server (our test oracle) may start its service on 6379, the port
# Redwing is meant to run on: stop and disable the service we just installed.
if [[ " ${missing[*]:-} " == *" redis-server "* ]]; then
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
    systemctl disable --now redis-server >/dev/null 2>&1 || true
  elif [ -x /etc/init.d/redis-server ]; then
    /etc/init.d/redis-server stop >/dev/null 2>&1 || true
  fi
fi
