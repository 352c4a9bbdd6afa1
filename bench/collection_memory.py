#!/usr/bin/env python3
"""Resident memory of small collections: Redwing beside redis-server, in the same run.

For each workload, starts a fresh server of each kind, loads 100,000 keys through
`redis-cli --pipe`, and reports the VmRSS growth per key and the ratio (Redwing / Redis).
Workloads (issue 3's memory targets):
  hash     HSET h:N field0 v000000 ... field9 v000009   (10 small fields)
  set-int  SADD s:N 1000 ... 1009                        (10 integer members)
  set-str  SADD s:N member:0 ... member:9                (10 short string members)
  zset     ZADD z:N 1 member:0 ... 10 member:9           (10 members, integer scores)
  zset-dbl ZADD z:N 1.5 member:0 ... 10.5 member:9       (10 members, fractional scores)

  bench/collection_memory.py [REDWING_BINARY] [N]

Both servers use their default encodings thresholds. Redwing runs with its default threads.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

REDWING = sys.argv[1] if len(sys.argv) > 1 else "build/release/server/redwing-server"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def workload(name):
    for i in range(N):
        if name == "hash":
            args = ["HSET", f"h:{i}"]
            for f in range(10):
                args += [f"field{f}", f"v{i % 1000:03d}{f:03d}"]
        elif name == "set-int":
            args = ["SADD", f"s:{i}"] + [1000 + f for f in range(10)]
        elif name == "set-str":
            args = ["SADD", f"s:{i}"] + [f"member:{f}" for f in range(10)]
        elif name == "zset":
            args = ["ZADD", f"z:{i}"]
            for f in range(10):
                args += [f + 1, f"member:{f}"]
        else:  # zset-dbl
            args = ["ZADD", f"z:{i}"]
            for f in range(10):
                args += [f"{f + 1}.5", f"member:{f}"]
        yield resp(*args)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cli(port, *args):
    return subprocess.run(["redis-cli", "-p", str(port), *map(str, args)],
                          capture_output=True, text=True).stdout.strip()


def measure(cmd, port, data_path):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if cli(port, "PING") == "PONG":
                break
            time.sleep(0.05)
        before = rss_kb(proc.pid)
        with open(data_path, "rb") as data:
            subprocess.run(["redis-cli", "-p", str(port), "--pipe"], stdin=data,
                           stdout=subprocess.DEVNULL, check=True)
        keys = int(cli(port, "DBSIZE"))
        time.sleep(0.5)  # let the allocator settle (background purge threads)
        after = rss_kb(proc.pid)
        return keys, (after - before) * 1024 / max(keys, 1)
    finally:
        proc.terminate()
        proc.wait()


def main():
    print(f"{'workload':10} {'keys':>7} {'redis B/key':>12} {'redwing B/key':>14} {'ratio':>6}")
    for name in ["hash", "set-int", "set-str", "zset", "zset-dbl"]:
        with tempfile.NamedTemporaryFile(delete=False) as f:
            for chunk in workload(name):
                f.write(chunk)
            path = f.name
        try:
            rp, wp = free_port(), free_port()
            rkeys, redis = measure(["redis-server", "--port", str(rp), "--save", "",
                                    "--appendonly", "no"], rp, path)
            wkeys, redwing = measure([REDWING, "--port", str(wp), "--bind", "127.0.0.1"], wp, path)
            assert rkeys == wkeys == N, (rkeys, wkeys)
            print(f"{name:10} {N:7d} {redis:12.1f} {redwing:14.1f} {redwing / redis:6.2f}")
        finally:
            os.unlink(path)


if __name__ == "__main__":
    main()
