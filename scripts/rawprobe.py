#!/usr/bin/env python3
"""Send raw bytes to a RESP server and print the raw reply (repr), for comparing servers byte by byte.

usage: rawprobe.py PORT 'bytes with \\r\\n escapes' [...]   (each argument is sent on its own connection)
"""
import socket
import sys
import time


def probe(port: int, payload: bytes, wait: float = 0.3) -> bytes:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(payload)
    s.settimeout(wait)
    out = b""
    deadline = time.time() + 2
    try:
        while time.time() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    s.close()
    return out


if __name__ == "__main__":
    port = int(sys.argv[1])
    for arg in sys.argv[2:]:
        data = arg.encode().decode("unicode_escape").encode("latin-1")
        print(repr(probe(port, data)))
