#!/usr/bin/env python3
"""Run a list of commands against one or two RESP servers and print (or diff) the keyspace
notifications each command raised, as seen by a PSUBSCRIBE __key*@*__:* subscriber.

usage: keyspace_events_diff.py [--flags KEA] [--db N] PORT [PORT2] < commands.txt

The command files are those of tests/keyspace_events/: one command per line, split like a shell
line (quotes allowed); blank lines and lines starting with '#' are skipped; "% " before a command
compares its events in any order (commands split across shards); "@sleep MS" pauses (to let a
TTL pass). Each server gets FLUSHALL and CONFIG SET notify-keyspace-events first. After every
command, a PUBLISH on a marker channel (which the pattern also matches) from another connection
tells where that command's notifications end, so events are attributed to the command that
raised them. With two ports the script prints only the commands whose replies or events differ
and exits 1 if any do.
"""
import argparse
import shlex
import socket
import sys
import time

MARKER = "__keyevent@0__:~marker~"


class Resp:
    """A blocking RESP2 connection: send commands, read replies as Python values."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.settimeout(5)
        self.buf = b""

    def send(self, args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def _fill(self, n: int):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk

    def _line(self) -> bytes:
        while b"\r\n" not in self.buf:
            self._fill(len(self.buf) + 1)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n: int) -> bytes:
        self._fill(n + 2)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:].decode()
        if kind == b"+":
            return rest
        if kind == b"-":
            return "(error) " + rest
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode("latin-1")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError("bad reply %r" % line)

    def call(self, args):
        self.send(args)
        return self.read()


def parse(lines):
    """[(unordered, argv), ...] from a command file's lines."""
    commands = []
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        unordered = line.startswith("% ")
        commands.append((unordered, shlex.split(line[2:] if unordered else line)))
    return commands


def run(port: int, flags: str, db: int, commands):
    """Returns [(command, reply, [(channel, payload), ...]), ...] for one server."""
    client = Resp(port)
    client.call(["FLUSHALL"])
    client.call(["CONFIG", "SET", "notify-keyspace-events", flags])
    if db:
        client.call(["SELECT", str(db)])
    marker = Resp(port)
    sub = Resp(port)
    sub.call(["PSUBSCRIBE", "__key*@*__:*"])
    results = []
    for i, (unordered, cmd) in enumerate(commands):
        if cmd[0] == "@sleep":
            time.sleep(int(cmd[1]) / 1000)
            continue
        reply = client.call(cmd)
        marker.call(["PUBLISH", MARKER, str(i)])
        events = []
        while True:
            msg = sub.read()
            if msg[2] == MARKER and msg[3] == str(i):
                break
            events.append((msg[2], msg[3]))
        results.append((cmd, reply, sorted(events) if unordered else events))
    return results


def show(cmd, reply, events):
    print("> " + " ".join(shlex.quote(a) for a in cmd) + "   -> " + repr(reply))
    for channel, payload in events:
        print("    %s %s" % (channel, payload))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flags", default="KEA")
    ap.add_argument("--db", type=int, default=0)
    ap.add_argument("ports", type=int, nargs="+")
    opts = ap.parse_args()
    commands = parse(sys.stdin)
    runs = [run(p, opts.flags, opts.db, commands) for p in opts.ports]
    if len(runs) == 1:
        for r in runs[0]:
            show(*r)
        return 0
    differ = 0
    for a, b in zip(*runs):
        if a[1:] != b[1:]:
            differ += 1
            print("=== port %d" % opts.ports[0])
            show(*a)
            print("=== port %d" % opts.ports[1])
            show(*b)
    print("%d of %d commands differ" % (differ, len(runs[0])))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
