#!/usr/bin/env python3
"""What idle connections cost a server: CPU and context switches per second.

    compat-tests/bench/idle_cost.py [--connections N] [--settle S] [--measure S] [--] SERVER...

Starts `compat-tests/bench/echo-server SERVER... PORT`, where SERVER is the echo server's KIND and
any options before it (`eventloop-tcp`, or `-- --impl netty tcp`),
opens N connections to it (default 10,000), sends one line on each and reads its echo (so every
connection has a running handler), waits --settle seconds (default 10: JIT and GC calm down),
then samples the server process for --measure seconds (default 10):

- CPU: utime + stime from /proc/PID/stat, as a percentage of one core;
- context switches per second: `perf stat -e context-switches -p PID` when perf works, and the
  sum of voluntary and involuntary switches of every thread in /proc/PID/task/*/status;
- threads: from /proc/PID/status.

Prints one line of results, then closes the connections and stops the server. The JDK is the
echo-server's (BENCH_JAVA, default java on PATH). Needs about N + 100 descriptors in each of this
process and the server (echo-server raises its own limit; this script raises its own).
"""
import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def switches(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass  # the thread ended meanwhile
    return total


def threads(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


def perf_switches(pid, seconds):
    """perf's count of context switches of the process over `seconds`, or None."""
    if not shutil.which("perf"):
        return None
    out = subprocess.run(
        ["perf", "stat", "-x", ",", "-e", "context-switches", "-p", str(pid), "--",
         "sleep", str(seconds)],
        capture_output=True, text=True)
    for line in out.stderr.splitlines():
        parts = line.split(",")
        if len(parts) > 2 and parts[2].startswith("context-switches") and parts[0].isdigit():
            return int(parts[0])
    return None


def open_connections(port, n):
    conns = []
    batch = 256  # at most this many lines unanswered at a time
    for start in range(0, n, batch):
        group = []
        for _ in range(min(batch, n - start)):
            s = socket.create_connection(("127.0.0.1", port), timeout=60)
            group.append(s)
        for s in group:
            s.sendall(b"x\n")
        for s in group:
            got = b""
            while not got.endswith(b"\n"):
                chunk = s.recv(16)
                if not chunk:
                    raise RuntimeError("server closed a connection during setup")
                got += chunk
        conns.extend(group)
    return conns


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--connections", type=int, default=10_000)
    p.add_argument("--settle", type=float, default=10)
    p.add_argument("--measure", type=float, default=10)
    p.add_argument("server", nargs="+", help="echo-server arguments without the address")
    a = p.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    port = free_port()
    server = subprocess.Popen([os.path.join(HERE, "echo-server"), *a.server, str(port)],
                              stdout=subprocess.PIPE, text=True)
    conns = []
    try:
        if server.stdout.readline().strip() != "READY":
            raise RuntimeError("the server did not start")
        pid = server.pid
        started = time.monotonic()
        conns = open_connections(port, a.connections)
        setup = time.monotonic() - started
        time.sleep(a.settle)  # the quiet period is what is measured
        hz = os.sysconf("SC_CLK_TCK")
        t0, c0, s0 = time.monotonic(), cpu_ticks(pid), switches(pid)
        perf = perf_switches(pid, a.measure)
        if perf is None:
            time.sleep(a.measure)
        t1, c1, s1 = time.monotonic(), cpu_ticks(pid), switches(pid)
        secs = t1 - t0
        cpu = 100.0 * (c1 - c0) / hz / secs
        proc_rate = (s1 - s0) / secs
        perf_rate = "n/a" if perf is None else f"{perf / a.measure:,.0f}"
        print(f"{' '.join(a.server)}: {len(conns):,} idle connections (setup {setup:.1f} s), "
              f"CPU {cpu:.2f} % of a core, context switches/s {perf_rate} (perf), "
              f"{proc_rate:,.0f} (/proc), threads {threads(pid):,}", flush=True)
    finally:
        for s in conns:
            s.close()
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    sys.exit(main())
