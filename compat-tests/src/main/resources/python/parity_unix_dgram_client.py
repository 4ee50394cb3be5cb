#!/usr/bin/env python3
"""One Unix datagram client of a parity scenario, for both sides (ClientRunner, in Java).

The JDK has no Unix datagram socket. Netty's epoll datagram channel has one, but a client on
it would be socketserver4j's own transport checking itself (a fault shared by both ends could
cancel out). So the runner drives this client, the socket module as CPython's own
dgram_examine uses it, against CPython's server and socketserver4j's alike: one client
program, which cannot differ between the two sides.

Line protocol, one JSON object per line (bytes travel as latin-1 text):
  stdin  {"op": "open", "bind": PATH or null}   -> {"ok": true}
  stdin  {"op": "send", "to": PATH, "data": S}  -> {"ok": true} or {"error": KIND}
  stdin  {"op": "recv", "timeout": SECONDS}     -> {"data": S}, {"stop": "timeout"} or {"error": KIND}
The process ends at end of input. Written for the parity suite of socketserver4j.
"""

import json
import socket
import sys


def main():
    sock = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        op = msg["op"]
        try:
            if op == "open":
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                if msg.get("bind"):
                    sock.bind(msg["bind"])
                reply = {"ok": True}
            elif op == "send":
                sock.sendto(msg["data"].encode("latin-1"), msg["to"])
                reply = {"ok": True}
            elif op == "recv":
                sock.settimeout(msg["timeout"])
                try:
                    data = sock.recv(1 << 20)
                    reply = {"data": data.decode("latin-1")}
                except socket.timeout:
                    reply = {"stop": "timeout"}
            else:
                reply = {"error": "unknown op " + op}
        except OSError as e:
            reply = {"error": type(e).__name__}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    if sock is not None:
        sock.close()


if __name__ == "__main__":
    main()
