#!/usr/bin/env python3
"""The benchmark's echo servers in CPython: echo_server.py KIND ADDRESS.

KIND is tcp, threading-tcp, udp, threading-udp, unix, threading-unix or unix-datagram; ADDRESS is
a port on 127.0.0.1, or a path for the Unix kinds. There is no eventloop-tcp: socketserver has no
event-loop handler, so that kind is refused. Prints READY once it serves and runs until it
is killed. The settings are socketserver's defaults except allow_reuse_address = True,
request_queue_size = 1024 and daemon_threads = True, the same as the Java servers
(compat-tests/bench/echo-server).
"""

import os
import resource
import socketserver
import sys


class StreamEcho(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line)


class DatagramEcho(socketserver.DatagramRequestHandler):
    def handle(self):
        self.wfile.write(self.rfile.read())


def settings(base, threading=False):
    attrs = {"allow_reuse_address": True, "request_queue_size": 1024}
    bases = (base,)
    if threading:
        attrs["daemon_threads"] = True
        bases = (socketserver.ThreadingMixIn, base)
    return type("Bench" + base.__name__, bases, attrs)


KINDS = {
    "tcp": (settings(socketserver.TCPServer), StreamEcho, False),
    "threading-tcp": (settings(socketserver.TCPServer, True), StreamEcho, False),
    "udp": (settings(socketserver.UDPServer), DatagramEcho, False),
    "threading-udp": (settings(socketserver.UDPServer, True), DatagramEcho, False),
    "unix": (settings(socketserver.UnixStreamServer), StreamEcho, True),
    "threading-unix": (settings(socketserver.UnixStreamServer, True), StreamEcho, True),
    "unix-datagram": (settings(socketserver.UnixDatagramServer), DatagramEcho, True),
}


def main(argv):
    if len(argv) == 3 and argv[1] == "eventloop-tcp":
        print(
            "echo_server.py: CPython has no eventloop-tcp (socketserver has no event-loop"
            " handler); it is socketserver4j's EventLoopRequestHandler, run it with"
            " echo-server --impl ss4j",
            file=sys.stderr,
        )
        return 2
    if len(argv) != 3 or argv[1] not in KINDS:
        print("usage: echo_server.py {%s} ADDRESS" % ",".join(KINDS), file=sys.stderr)
        return 2
    server_class, handler, unix = KINDS[argv[1]]
    address = argv[2] if unix else ("127.0.0.1", int(argv[2]))
    # The idle-10000 workload holds 10,000 connections: raise the soft limit as far as allowed.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if unix and os.path.exists(address):
        os.unlink(address)
    with server_class(address, handler) as server:
        print("READY", flush=True)
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
