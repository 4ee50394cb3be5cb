#!/usr/bin/env python3
"""Server side of a parity scenario, run on CPython's own socketserver.

Usage: parity_server.py SCENARIO.json SERVER_CLASS ADDRESS_JSON

It imports socketserver from the interpreter that runs it, builds SERVER_CLASS with the
settings, hooks and handler behaviour the scenario names (the catalogue in docs/parity.md;
socketserver4j's side is io.github.socketserver4j.parity.JavaDriver), and records every hook
call. The protocol with the runner (ParityRunner, in Java) is line based:

  stdout, first line:  {"event": "ready", "address": [...]}      (or "unavailable" / "construct")
  stdin, one per line: {"cmd": "...", "bound": seconds}           (see COMMANDS below)
  stdout, per command: {"event": "done", "cmd": ..., "result": ..., "seconds": ...}
  stdout, last line:   {"event": "transcript", ...} after the "finish" command

Written for the parity suite of socketserver4j; it copies nothing from CPython.
Works on Python 3.6 and later (no newer syntax).
"""

import json
import os
import socket
import socketserver
import sys
import threading
import time
import warnings


class Recorder(object):
    """Records hook calls in one global order, with the thread class and the client."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []
        self.local = threading.local()  # .kind: "serving" or "control"; else a worker
        self.thread_exceptions = []
        self.error_lines = []
        self.ports = {}  # id(request) -> client key
        self.accepts = 0
        self.inflight = set()  # ids of requests between process_request and close_request
        self.idle = threading.Condition(self.lock)
        self.pid = os.getpid()
        self.in_child = False  # True in a process forked by ForkingMixIn
        self.child_w = None  # pipe to the parent, for a forked child's hooks
        self.children_synced = None
        self.started_count = 0  # requests that entered process_request
        self.children_open = 0  # forked children whose close_request has not come through yet

    def check_fork(self):
        """In a forked child (first call there): only the forking thread exists, so a lock
        another thread held at the fork stays held; the child gets fresh ones."""
        if os.getpid() != self.pid:
            self.pid = os.getpid()
            self.in_child = True
            self.lock = threading.Lock()
            self.idle = threading.Condition(self.lock)

    def thread_class(self):
        self.check_fork()
        if self.in_child:
            return "child"
        return getattr(self.local, "kind", "worker")

    # ---- ForkingMixIn: a forked child's hooks reach the parent through a pipe ----

    def enable_children(self):
        """Called for ForkingMixIn classes: a child's events are sent to the parent's record."""
        r, w = os.pipe()
        self.child_w = w
        self.children_synced = threading.Event()
        reader = threading.Thread(target=self._read_children, args=(r,), name="children")
        reader.daemon = True
        reader.start()

    def _to_parent(self, obj):
        # One write per line: atomic on a pipe below PIPE_BUF, so children never interleave.
        os.write(self.child_w, (json.dumps(obj) + "\n").encode("utf-8"))

    def _read_children(self, fd):
        pending = b""
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                obj = json.loads(line.decode("utf-8"))
                with self.lock:
                    if "event" in obj:
                        self.events.append(obj["event"])
                        if obj["event"]["hook"] == "close_request":
                            # A child's last hook: its request is done (await_idle).
                            self.children_open -= 1
                            self.idle.notify_all()
                    elif "error_line" in obj:
                        self.error_lines.append(obj["error_line"])
                if "sentinel" in obj:
                    self.children_synced.set()

    def sync_children(self, bound):
        """Waits until every line children wrote before now has been read (a FIFO sentinel)."""
        if self.child_w is None:
            return
        self._to_parent({"sentinel": True})
        self.children_synced.wait(bound)

    def error_line(self, line):
        self.check_fork()
        if self.in_child:
            self._to_parent({"error_line": line})
            return
        with self.lock:
            self.error_lines.append(line)

    def mark(self, kind):
        self.local.kind = kind

    def hook(self, name, client=None, **extra):
        event = {"hook": name, "thread": self.thread_class()}
        if client is not None:
            event["client"] = client
        event.update(extra)
        if self.in_child:
            self._to_parent({"event": event})
            return
        with self.lock:
            self.events.append(event)

    def client_of_address(self, request, client_address):
        """The key the runner maps to a client: the peer's port or path, or the accept index."""
        key = self.ports.get(id(request))
        if key is not None:
            return key
        return address_key(client_address)

    def remember(self, request, client_address):
        with self.lock:
            key = address_key(client_address)
            if key is None:
                key = "#%d" % self.accepts
            self.accepts += 1
            self.ports[id(request)] = key
        return key

    def client_of(self, request):
        return self.ports.get(id(request))

    def started(self, request):
        with self.lock:
            self.inflight.add(id(request))
            self.started_count += 1
            if self.child_w is not None:
                self.children_open += 1  # the child will run it; its close_request ends it
            self.idle.notify_all()

    def closed(self, request):
        with self.lock:
            self.inflight.discard(id(request))
            self.idle.notify_all()

    def await_idle(self, bound):
        """Waits until every processed request has been closed (its last hook ran), in a
        forked child too (the parent's close_request right after the fork does not count)."""
        deadline = time.monotonic() + bound
        with self.lock:
            while ((self.inflight or self.children_open > 0)
                   and time.monotonic() < deadline):
                self.idle.wait(deadline - time.monotonic())

    def await_started(self, count, bound):
        """Waits until count requests have entered process_request; returns whether they did."""
        deadline = time.monotonic() + bound
        with self.lock:
            while self.started_count < count and time.monotonic() < deadline:
                self.idle.wait(deadline - time.monotonic())
            return self.started_count >= count


def address_key(client_address):
    """A client's port (AF_INET), or its bound path (AF_UNIX datagrams); None if it has neither
    (a Unix stream client's '' or an unbound Unix datagram client's None)."""
    if isinstance(client_address, tuple) and len(client_address) >= 2:
        return client_address[1]
    if isinstance(client_address, bytes):
        client_address = client_address.decode("utf-8", "surrogateescape")
    if isinstance(client_address, str) and client_address:
        return client_address
    return None


def address_text(client_address):
    """What report_client_address writes: the port and path, which differ per run, left out."""
    if isinstance(client_address, tuple) and len(client_address) >= 2:
        return "(%r, <port>)" % (client_address[0],)
    if isinstance(client_address, (str, bytes)) and client_address:
        return "<path>"
    return repr(client_address)


def error_kind(exc):
    """Python's exception type, with socket.timeout read as TimeoutError (3.10+ alias)."""
    if isinstance(exc, socket.timeout):
        return "TimeoutError"
    return type(exc).__name__


class TeeStderr(object):
    """Passes stderr through and keeps the lines handle_error prints, for the comparison."""

    def __init__(self, real, recorder):
        self.real = real
        self.recorder = recorder
        self.pending = ""

    def write(self, text):
        self.real.write(text)
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            if "during processing of request from" in line:
                self.recorder.error_line(line)
        return len(text)

    def flush(self):
        self.real.flush()

    def __getattr__(self, name):
        return getattr(self.real, name)


def per_request(setting, index, default):
    """A server setting that is a single value or a list with one value per request."""
    if setting is None:
        return default
    if isinstance(setting, list):
        return setting[index] if index < len(setting) else setting[-1]
    return setting


def make_server_class(base, cfg, rec):
    verify = cfg.get("verify_request")
    get_req = cfg.get("get_request")
    on_error = cfg.get("handle_error", "quiet")
    counters = {"verify": 0, "get": 0}

    class Traced(base):
        def get_request(self):
            index = counters["get"]
            counters["get"] += 1
            request, client_address = super(Traced, self).get_request()
            key = rec.remember(request, client_address)
            rec.hook("get_request", key)
            if per_request(get_req, index, "ok") == "fail":
                # Stands for an accept that fails (spec 1.4: OSError is ignored silently).
                if hasattr(request, "close"):  # a datagram request is (data, socket)
                    request.close()
                raise OSError("get_request failed (scenario)")
            return request, client_address

        def verify_request(self, request, client_address):
            index = counters["verify"]
            counters["verify"] += 1
            rec.hook("verify_request", rec.client_of_address(request, client_address))
            choice = per_request(verify, index, "accept")
            if choice == "raise":
                raise ValueError("verify_request raised (scenario)")
            return choice != "reject"

        def process_request(self, request, client_address):
            rec.hook("process_request", rec.client_of_address(request, client_address))
            rec.started(request)
            return super(Traced, self).process_request(request, client_address)

        def finish_request(self, request, client_address):
            rec.hook("finish_request", rec.client_of_address(request, client_address))
            return super(Traced, self).finish_request(request, client_address)

        def shutdown_request(self, request):
            rec.hook("shutdown_request", rec.client_of(request))
            return super(Traced, self).shutdown_request(request)

        def close_request(self, request):
            rec.hook("close_request", rec.client_of(request))
            try:
                return super(Traced, self).close_request(request)
            finally:
                rec.closed(request)

        def handle_error(self, request, client_address):
            exc = sys.exc_info()[1]
            rec.hook("handle_error", rec.client_of_address(request, client_address),
                     kind=error_kind(exc))
            if on_error == "default":
                return super(Traced, self).handle_error(request, client_address)
            if on_error == "reraise":
                # CPython's own test harness: close the request, then make the error fatal.
                self.close_request(request)
                raise
            return None

        def handle_timeout(self):
            rec.hook("handle_timeout")
            return super(Traced, self).handle_timeout()

        def service_actions(self):
            rec.hook("service_actions")
            return super(Traced, self).service_actions()

        def server_close(self):
            rec.hook("server_close")
            return super(Traced, self).server_close()

    for attr in ("timeout", "allow_reuse_address", "request_queue_size",
                 "daemon_threads", "block_on_close", "max_children", "max_packet_size"):
        if attr in cfg:
            setattr(Traced, attr, cfg[attr])
    Traced.__name__ = base.__name__
    return Traced


# ---- The handler catalogue (docs/parity.md lists each behaviour) ----

def b_echo_line(h, p):
    h.wfile.write(h.rfile.readline())


def b_echo_lines(h, p):
    while True:
        line = h.rfile.readline()
        if not line:
            return
        h.wfile.write(line)


def b_read_n(h, p):
    h.wfile.write(h.rfile.read(p.get("n", 5)))


def b_raise_in_handle(h, p):
    if p.get("echo_first"):
        b_echo_line(h, p)
    raise ValueError("boom")


def b_exit(h, p):
    if p.get("echo_first"):
        b_echo_line(h, p)
    raise SystemExit


def b_raise_in_handle_and_finish(h, p):
    raise ValueError("boom")


def b_write_read_write_large(h, p):
    # CPython's SocketWriterTest.test_write, without the signals: an unflushed write is sent at
    # once, then a large write is sent whole.
    h.wfile.write(b"write data\n")
    h.rfile.readline()
    h.wfile.write(b"\0" * p.get("size", 16 * 1024 * 1024 + 1))


def b_sleep_then_reply(h, p):
    line = h.rfile.readline()
    time.sleep(p.get("seconds", 0.5))
    h.wfile.write(line)


def b_write_nothing(h, p):
    pass


def b_write(h, p):
    h.wfile.write(p.get("data", "").encode("latin-1"))


def b_write_then_raise(h, p):
    h.wfile.write(p.get("data", "partial\n").encode("latin-1"))
    raise ValueError("boom")


def b_write_large(h, p):
    h.wfile.write(b"x" * p.get("size", 1048576))


def b_write_pause_write(h, p):
    h.wfile.write(b"first\n")
    time.sleep(p.get("seconds", 0.5))
    h.wfile.write(b"second\n")


def b_read_until_timeout(h, p):
    b_echo_lines(h, p)


def b_read_until_timeout_caught(h, p):
    try:
        b_echo_lines(h, p)
    except socket.timeout:  # TimeoutError on 3.10+
        h.wfile.write(b"timed out\n")


def b_close_early(h, p):
    h.rfile.readline()
    h.connection.close()


def b_close_then_write(h, p):
    h.rfile.readline()
    h.connection.close()
    h.wfile.write(b"late\n")


def b_request_shutdown(h, p):
    b_echo_line(h, p)
    # What CPython users do to stop serve_forever from a handler without deadlocking.
    h.server._BaseServer__shutdown_request = True


def b_shutdown_in_handler(h, p):
    b_echo_line(h, p)
    h.server.shutdown()


def b_shutdown_in_thread(h, p):
    b_echo_line(h, p)
    threading.Thread(target=h.server.shutdown, name="shutdown-helper").start()


def b_report_nagle(h, p):
    on = h.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    h.wfile.write(b"nodelay=%d\n" % (1 if on else 0))


def b_report_server_timeout(h, p):
    t = h.server.timeout
    h.wfile.write(("timeout=%s\n" % ("none" if t is None else "%g" % t)).encode("ascii"))


def b_echo_datagram(h, p):
    h.wfile.write(h.rfile.read())


def b_report_client_address(h, p):
    h.wfile.write((address_text(h.client_address) + "\n").encode("ascii"))


def b_report_timeout(h, p):
    t = h.connection.gettimeout()
    h.wfile.write(("timeout=%s\n" % ("none" if t is None else ("%g" % t))).encode("ascii"))


BEHAVIOURS = {
    "echo_line": b_echo_line,
    "echo_lines": b_echo_lines,
    "read_n": b_read_n,
    "raise_in_setup": b_echo_line,  # not reached
    "raise_in_handle": b_raise_in_handle,
    "raise_in_finish": b_echo_line,
    "raise_in_handle_and_finish": b_raise_in_handle_and_finish,
    "write_read_write_large": b_write_read_write_large,
    "exit_in_handle": b_exit,
    "sleep_then_reply": b_sleep_then_reply,
    "write_nothing": b_write_nothing,
    "write": b_write,
    "write_then_raise": b_write_then_raise,
    "write_large": b_write_large,
    "write_pause_write": b_write_pause_write,
    "read_until_timeout": b_read_until_timeout,
    "read_until_timeout_caught": b_read_until_timeout_caught,
    "close_early": b_close_early,
    "close_then_write": b_close_then_write,
    "request_shutdown": b_request_shutdown,
    "shutdown_in_handler": b_shutdown_in_handler,
    "shutdown_in_thread": b_shutdown_in_thread,
    "report_nagle": b_report_nagle,
    "report_timeout": b_report_timeout,
    "echo_datagram": b_echo_datagram,
    "report_client_address": b_report_client_address,
    "report_server_timeout": b_report_server_timeout,
}


def make_handler_class(cfg, rec, datagram):
    """StreamRequestHandler for stream servers, DatagramRequestHandler for datagram servers."""
    behaviour = cfg.get("behaviour", "echo_line")
    if behaviour not in BEHAVIOURS:
        raise SystemExit("unknown handler behaviour %r" % behaviour)
    body = BEHAVIOURS[behaviour]
    params = cfg
    base = socketserver.DatagramRequestHandler if datagram else socketserver.StreamRequestHandler

    class Handler(base):
        def setup(self):
            rec.hook("setup", rec.client_of(self.request))
            super(Handler, self).setup()
            if behaviour == "raise_in_setup":
                raise ValueError("boom")

        def handle(self):
            rec.hook("handle", rec.client_of(self.request))
            body(self, params)

        def finish(self):
            rec.hook("finish", rec.client_of(self.request))
            super(Handler, self).finish()
            if behaviour == "raise_in_finish":
                raise ValueError("boom")
            if behaviour == "raise_in_handle_and_finish":
                raise KeyError("finish")

    if not datagram:
        for key, attr in (("rbufsize", "rbufsize"), ("wbufsize", "wbufsize"),
                          ("timeout", "timeout"), ("disable_nagle", "disable_nagle_algorithm")):
            if key in cfg:
                setattr(Handler, attr, cfg[key])
    return Handler


class Driver(object):
    def __init__(self, scenario, class_name, address):
        self.scenario = scenario
        self.class_name = class_name
        self.address = address
        self.rec = Recorder()
        self.out_lock = threading.Lock()
        self.server = None
        self.serve_calls = []  # dicts: call, result, started
        self.serve_thread = None
        self.closed = False
        self.final = []
        self.pending = {}  # async command name -> [thread, result holder]
        self.unix = isinstance(address, str)  # AF_UNIX servers get a path

    def emit(self, obj):
        with self.out_lock:
            sys.stdout.write(json.dumps(obj) + "\n")
            sys.stdout.flush()

    # ---- serving ----

    def start_serve(self, call, arg=None, count=1):
        record = {"call": call, "results": [], "started": time.monotonic(), "ended": None}
        self.serve_calls.append(record)

        def body():
            self.rec.mark("serving")
            try:
                for _ in range(count):
                    try:
                        if call == "serve_forever":
                            if arg == "default":
                                self.server.serve_forever()
                            else:
                                self.server.serve_forever(poll_interval=arg)
                            record["results"].append("returned")
                        else:
                            value = self.server.handle_request()
                            record["results"].append(
                                "returned" if value is None else "returned:%r" % (value,))
                    except BaseException as e:  # noqa: B902 - SystemExit is the point
                        record["results"].append("raised:" + error_kind(e))
                        break
            finally:
                record["ended"] = time.monotonic()

        t = threading.Thread(target=body, name="serving")
        t.daemon = True
        self.serve_thread = t
        t.start()
        return record

    def await_serve(self, bound):
        record = self.serve_calls[-1] if self.serve_calls else None
        if record is None:
            return "no serve call", 0.0
        start = time.monotonic()
        self.serve_thread.join(bound)
        if self.serve_thread.is_alive():
            return "running", time.monotonic() - start
        return ",".join(record["results"]), record["ended"] - record["started"]

    # ---- commands ----

    def run_bounded(self, fn, bound):
        """Runs fn on a control thread; returns (result, seconds), or ('hung', bound)."""
        holder = {}

        def body():
            self.rec.mark("control")
            try:
                value = fn()
                holder["result"] = "returned" if value is None else value
            except BaseException as e:  # noqa: B902
                holder["result"] = "raised:" + error_kind(e)

        start = time.monotonic()
        t = threading.Thread(target=body, name="control")
        t.daemon = True
        t.start()
        t.join(bound)
        if t.is_alive():
            return "hung", time.monotonic() - start
        return holder["result"], time.monotonic() - start

    def start_async(self, name, fn):
        holder = {"start": time.monotonic()}

        def body():
            self.rec.mark("control")
            try:
                fn()
                holder["result"] = "returned"
            except BaseException as e:  # noqa: B902
                holder["result"] = "raised:" + error_kind(e)
            holder["end"] = time.monotonic()

        t = threading.Thread(target=body, name="control-" + name)
        t.daemon = True
        self.pending[name] = (t, holder)
        t.start()

    def await_async(self, name, bound):
        if name not in self.pending:
            return "not started", 0.0
        t, holder = self.pending[name]
        t.join(bound)
        if t.is_alive():
            return "hung", time.monotonic() - holder["start"]
        del self.pending[name]
        return holder["result"], holder["end"] - holder["start"]

    def close_server(self):
        self.closed = True
        self.server.server_close()

    def command(self, msg):
        cmd = msg["cmd"]
        bound = msg.get("bound", 5.0)
        if cmd == "serve_forever":
            self.start_serve("serve_forever", msg.get("poll_interval", 0.05))
            return "started", 0.0
        if cmd == "handle_request":
            self.start_serve("handle_request", count=msg.get("count", 1))
            return "started", 0.0
        if cmd == "await_serve":
            return self.await_serve(bound)
        if cmd == "shutdown":
            return self.run_bounded(self.server.shutdown, bound)
        if cmd == "shutdown_async":
            self.start_async("shutdown", self.server.shutdown)
            return "started", 0.0
        if cmd == "await_shutdown":
            return self.await_async("shutdown", bound)
        if cmd == "await_started":
            # A synchronisation step, not a timing observation: its time is not reported.
            ok = self.rec.await_started(msg.get("count", 1), bound)
            return ("returned" if ok else "timeout"), 0.0
        if cmd == "request_shutdown":
            self.server._BaseServer__shutdown_request = True
            return "returned", 0.0
        if cmd == "close":
            return self.run_bounded(self.close_server, bound)
        return "unknown command " + cmd, 0.0

    def finish(self, bound):
        """Ends the scenario: stops a running serve_forever, closes the server."""
        if self.serve_thread is not None and self.serve_thread.is_alive():
            if self.serve_calls[-1]["call"] == "serve_forever":
                # The harness's own end of serve_forever; listed only when it did not return.
                result, secs = self.run_bounded(self.server.shutdown, bound)
                if result != "returned":
                    self.final.append({"step": "shutdown", "result": result, "seconds": secs})
            self.serve_thread.join(bound)
        # Requests still in a handler (threading) finish before the transcript is taken.
        self.rec.await_idle(bound)
        if not self.closed:
            result, secs = self.run_bounded(self.close_server, bound)
            self.final.append({"step": "server_close", "result": result, "seconds": secs})
        # A forked child's hooks come through a pipe: take every line written before now.
        self.rec.sync_children(bound)
        calls = []
        for record in self.serve_calls:
            results = list(record["results"])
            if record["ended"] is None:
                results.append("running")
            calls.append({"call": record["call"], "results": results})
        with self.rec.lock:
            events = list(self.rec.events)
            thread_exceptions = list(self.rec.thread_exceptions)
            error_lines = list(self.rec.error_lines)
        try:
            fileno = self.server.fileno()
        except Exception:  # noqa: B902
            fileno = "error"
        transcript = {
            "event": "transcript",
            "side": "CPython %d.%d.%d" % sys.version_info[:3],
            "construct": "ok",
            "events": events,
            "serve_calls": calls,
            "final": self.final,
            "thread_exceptions": thread_exceptions,
            "error_lines": error_lines,
            "fileno_after_close": fileno,
        }
        if self.unix:
            transcript["socket_file_after_close"] = self.socket_file()
        return transcript

    def socket_file(self):
        """Whether the server's Unix socket file is on disk (spec 1.7: server_close keeps it)."""
        return "exists" if os.path.exists(self.address) else "missing"

    def closed_state(self):
        state = {"fileno": "-1" if self.server.fileno() == -1 else "not -1"}
        if self.unix:
            state["socket_file"] = self.socket_file()
        return state

    def unbound_state(self, requested):
        """What a server made with bind_and_activate=False looks like (spec 2.3 #14)."""
        name = self.server.socket.getsockname()
        if isinstance(name, tuple):
            unbound = name[1] == 0
        else:
            unbound = not name
        state = {
            "server_address": "as requested" if self.server.server_address == requested
            else repr(self.server.server_address),
            "socket": "unbound" if unbound else "bound",
            "fileno": "open" if self.server.fileno() >= 0 else "-1",
        }
        if self.unix:
            state["socket_file"] = self.socket_file()
        return state

    def main(self):
        base = getattr(socketserver, self.class_name, None)
        if base is None:
            self.emit({"event": "unavailable",
                       "reason": "socketserver.%s does not exist in CPython %d.%d.%d"
                                 % ((self.class_name,) + tuple(sys.version_info[:3]))})
            return
        sys.stderr = TeeStderr(sys.stderr, self.rec)

        def excepthook(args):
            with self.rec.lock:
                self.rec.thread_exceptions.append(error_kind(args.exc_value))
            if not issubclass(args.exc_type, SystemExit):
                sys.__excepthook__(args.exc_type, args.exc_value, args.exc_traceback)

        threading.excepthook = excepthook
        server_cfg = self.scenario.get("server", {})
        handler_cfg = self.scenario.get("handler", {})
        cls = make_server_class(base, server_cfg, self.rec)
        datagram = issubclass(base, socketserver.UDPServer)
        handler = make_handler_class(handler_cfg, self.rec, datagram)
        if issubclass(base, socketserver.ForkingMixIn):
            self.rec.enable_children()
            # 3.12+ warns that forking a threaded process may deadlock; the recorder re-creates
            # its lock in the child (check_fork), the one lock a child here takes.
            warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork")
        address = tuple(self.address) if isinstance(self.address, list) else self.address
        construct = self.scenario.get("construct", {})
        bind_and_activate = construct.get("bind_and_activate", True)
        before_bind = None
        try:
            self.server = cls(address, handler, bind_and_activate)
            if not bind_and_activate:
                before_bind = self.unbound_state(address)
                if not construct.get("then_bind", False):
                    # Construct only: report, close, and report again.
                    self.server.server_close()
                    self.emit({"event": "construct", "result": "ok", "before_bind": before_bind,
                               "after_close": self.closed_state()})
                    return
                self.server.server_bind()
                self.server.server_activate()
        except BaseException as e:  # noqa: B902
            self.emit({"event": "construct", "result": "raised:" + error_kind(e)})
            return
        if "socket_timeout" in server_cfg:
            # Legacy: handle_request uses the smaller of this and server.timeout (spec 1.4).
            self.server.socket.settimeout(server_cfg["socket_timeout"])
        bound_address = self.server.server_address
        ready = {"event": "ready",
                 "address": list(bound_address) if isinstance(bound_address, tuple)
                 else bound_address}
        if before_bind is not None:
            ready["before_bind"] = before_bind
        self.emit(ready)
        run = self.scenario.get("run", {})
        mode = run.get("mode", "serve_forever")
        if mode == "serve_forever":
            self.start_serve("serve_forever", run.get("poll_interval", 0.05))
        elif mode == "handle_request":
            self.start_serve("handle_request", count=run.get("count", 1))
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            msg = json.loads(line)
            if msg["cmd"] == "finish":
                self.emit(self.finish(msg.get("bound", 5.0)))
                break
            result, secs = self.command(msg)
            self.emit({"event": "done", "cmd": msg["cmd"], "result": result, "seconds": secs})


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        sys.exit(2)
    with open(sys.argv[1]) as f:
        scenario = json.load(f)
    Driver(scenario, sys.argv[2], json.loads(sys.argv[3])).main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Request threads may still block (a deadlock is a scenario outcome): do not wait for them.
    os._exit(0)


if __name__ == "__main__":
    main()
