package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.socketserver4j.TCPServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * socketserver4j's side of a scenario, in this JVM: {@code parity_server.py}'s {@code Driver}
 * written against the Java API, producing the same events and the same transcript.
 *
 * <p>While a scenario runs it takes over the default uncaught-exception handler (Python's {@code
 * threading.excepthook}) and tees {@code System.err} (where {@code handleError} logs, Python's
 * stderr); {@link #close()} gives both back.
 */
final class JavaDriver implements ServerSide {
  private final Scenario scenario;
  private final String className;
  private final JsonNode address;
  private final Recorder rec;
  private final List<ServeCall> serveCalls = new ArrayList<>();
  private final ArrayNode finalSteps = Json.array();
  private final Map<String, Async> pending = new ConcurrentHashMap<>();
  private final List<Thread> controlThreads = new ArrayList<>();
  /**
   * The serving and control threads; request threads the library starts from them inherit it
   * (platform threads), so their uncaught exceptions land here, as Python's go to {@code
   * threading.excepthook}. Virtual threads go to the default handler, which {@link #start} takes.
   */
  private final ThreadGroup group = new ThreadGroup("parity") {
    @Override
    public void uncaughtException(Thread t, Throwable e) {
      uncaught(t, e);
    }
  };
  private TCPServer server;
  private volatile boolean closed;
  private Thread.UncaughtExceptionHandler savedHandler;
  private PrintStream savedErr;

  JavaDriver(Scenario scenario, String className, JsonNode address) {
    this.scenario = scenario;
    this.className = className;
    this.address = address;
    // A ForkingMixIn request thread does what CPython's forked child does: named so in the trace.
    this.rec = new Recorder(Traced.forking(className) ? "child" : "worker");
  }

  private static final class ServeCall {
    final String call;
    final List<String> results = new ArrayList<>();
    final long started = System.nanoTime();
    volatile long ended = -1;
    Thread thread;

    ServeCall(String call) {
      this.call = call;
    }
  }

  private static final class Async {
    final Thread thread;
    final long started = System.nanoTime();
    volatile String result;
    volatile long ended;

    Async(Thread thread) {
      this.thread = thread;
    }
  }

  @Override
  public JsonNode start() {
    ObjectNode ev = Json.object();
    if (!Traced.available(className)) {
      ev.put("event", "unavailable");
      ev.put("reason", className + " is not yet available in socketserver4j");
      return ev;
    }
    savedHandler = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(this::uncaught);
    savedErr = System.err;
    System.setErr(new PrintStream(new Tee(savedErr, rec), true, StandardCharsets.UTF_8));
    Traced.Hooks hooks = new Traced.Hooks(scenario.section("server"), scenario.section("handler"), rec);
    JsonNode construct = scenario.section("construct");
    boolean bindAndActivate = construct.path("bind_and_activate").asBoolean(true);
    ObjectNode beforeBind = null;
    try {
      // Built here: Java refuses some addresses (port -1) where CPython's bind() raises.
      SocketAddress requested = address.isTextual()
          ? UnixDomainSocketAddress.of(address.asText())
          : new InetSocketAddress(address.get(0).asText(), address.get(1).asInt());
      server = Traced.create(className, requested, hooks, bindAndActivate).orElseThrow();
      if (!bindAndActivate) {
        beforeBind = unboundState(requested);
        if (!construct.path("then_bind").asBoolean(false)) {
          // Construct only: report, close, and report again.
          closeServer();
          ev.put("event", "construct");
          ev.put("result", "ok");
          ev.set("before_bind", beforeBind);
          ev.set("after_close", closedState());
          return ev;
        }
        server.serverBind();
        server.serverActivate();
      }
    } catch (Throwable e) {
      ev.put("event", "construct");
      ev.put("result", "raised:" + Catalogue.kind(e));
      return ev;
    }
    JsonNode socketTimeout = scenario.section("server").get("socket_timeout");
    if (socketTimeout != null) {
      // Legacy: handleRequest uses the smaller of this and timeout() (spec 1.4).
      server.socket().setTimeout(Duration.ofNanos((long) (socketTimeout.asDouble() * 1e9)));
    }
    ev.put("event", "ready");
    if (server.serverAddress() instanceof UnixDomainSocketAddress) {
      ev.put("address", socketPath().toString());
    } else {
      InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
      ev.putArray("address").add(bound.getAddress().getHostAddress()).add(bound.getPort());
    }
    if (beforeBind != null) {
      ev.set("before_bind", beforeBind);
    }
    JsonNode run = scenario.section("run");
    String mode = Json.text(run, "mode", "serve_forever");
    if (mode.equals("serve_forever")) {
      startServe("serve_forever", run.has("poll_interval") ? run.get("poll_interval") : null, 1);
    } else if (mode.equals("handle_request")) {
      startServe("handle_request", null, run.path("count").asInt(1));
    }
    return ev;
  }

  private Path socketPath() {
    return Path.of(address.asText());
  }

  /** Whether the Unix socket file is on disk (spec 1.7: server_close leaves it). */
  private String socketFile() {
    return Files.exists(socketPath(), LinkOption.NOFOLLOW_LINKS) ? "exists" : "missing";
  }

  /** As {@code unbound_state} in {@code parity_server.py} (spec 2.3 #14). */
  private ObjectNode unboundState(SocketAddress requested) {
    ObjectNode state = Json.object();
    state.put("server_address", server.serverAddress().equals(requested)
        ? "as requested" : String.valueOf(server.serverAddress()));
    state.put("socket", server.socket().localAddress().isEmpty() ? "unbound" : "bound");
    state.put("fileno", server.fileno() >= 0 ? "open" : "-1");
    if (address.isTextual()) {
      state.put("socket_file", socketFile());
    }
    return state;
  }

  private ObjectNode closedState() {
    ObjectNode state = Json.object();
    state.put("fileno", server.fileno() == -1 ? "-1" : "not -1");
    if (address.isTextual()) {
      state.put("socket_file", socketFile());
    }
    return state;
  }

  private void uncaught(Thread t, Throwable e) {
    rec.threadException(Catalogue.kind(e));
    if (!(e instanceof io.github.socketserver4j.ServerExit)) {
      // Python's default excepthook prints everything but SystemExit.
      System.err.println("Exception in thread " + t.getName());
      e.printStackTrace();
    }
  }

  private ServeCall startServe(String call, JsonNode poll, int count) {
    ServeCall record = new ServeCall(call);
    synchronized (serveCalls) {
      serveCalls.add(record);
    }
    Thread t = new Thread(group, () -> {
      Recorder.mark("serving");
      try {
        for (int i = 0; i < count; i++) {
          try {
            if (call.equals("serve_forever")) {
              if (poll != null && poll.asText().equals("default")) {
                server.serveForever();
              } else {
                double p = poll == null ? 0.05 : poll.asDouble();
                server.serveForever(Duration.ofNanos((long) (p * 1e9)));
              }
            } else {
              server.handleRequest();
            }
            record.results.add("returned");
          } catch (Throwable e) {
            record.results.add("raised:" + Catalogue.kind(e));
            break;
          }
          if (Thread.currentThread().isInterrupted()) {
            break;
          }
        }
      } finally {
        record.ended = System.nanoTime();
      }
    }, "parity-serving");
    t.setDaemon(true);
    record.thread = t;
    t.start();
    return record;
  }

  private ServeCall lastServe() {
    synchronized (serveCalls) {
      return serveCalls.isEmpty() ? null : serveCalls.get(serveCalls.size() - 1);
    }
  }

  private static double seconds(long fromNanos, long toNanos) {
    return (toNanos - fromNanos) / 1e9;
  }

  private ObjectNode done(String cmd, String result, double secs) {
    ObjectNode d = Json.object();
    d.put("event", "done");
    d.put("cmd", cmd);
    d.put("result", result);
    d.put("seconds", secs);
    return d;
  }

  /** Runs {@code body} on a control thread, waiting at most {@code bound} seconds. */
  private String[] runBounded(ThrowingRunnable body, double bound) {
    Async a = startAsync("bounded", body);
    return awaitAsync(a, bound);
  }

  private Async startAsync(String name, ThrowingRunnable body) {
    Async[] holder = new Async[1];
    Thread t = new Thread(group, () -> {
      Recorder.mark("control");
      Async a = holder[0];
      try {
        body.run();
        a.result = "returned";
      } catch (Throwable e) {
        a.result = "raised:" + Catalogue.kind(e);
      }
      a.ended = System.nanoTime();
    }, "parity-control-" + name);
    t.setDaemon(true);
    holder[0] = new Async(t);
    synchronized (controlThreads) {
      controlThreads.add(t);
    }
    t.start();
    return holder[0];
  }

  private static String[] awaitAsync(Async a, double bound) {
    try {
      a.thread.join((long) (bound * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (a.thread.isAlive()) {
      return new String[] {"hung", String.valueOf(seconds(a.started, System.nanoTime()))};
    }
    return new String[] {a.result, String.valueOf(seconds(a.started, a.ended))};
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private void closeServer() {
    closed = true;
    server.serverClose();
  }

  @Override
  public JsonNode command(ObjectNode msg) {
    String cmd = msg.path("cmd").asText();
    double bound = Json.number(msg, "bound", 3.0);
    String[] r;
    switch (cmd) {
      case "serve_forever":
        startServe("serve_forever", msg.has("poll_interval") ? msg.get("poll_interval") : null, 1);
        return done(cmd, "started", 0.0);
      case "handle_request":
        startServe("handle_request", null, msg.path("count").asInt(1));
        return done(cmd, "started", 0.0);
      case "await_serve": {
        ServeCall s = lastServe();
        if (s == null) {
          return done(cmd, "no serve call", 0.0);
        }
        long start = System.nanoTime();
        try {
          s.thread.join((long) (bound * 1000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (s.thread.isAlive()) {
          return done(cmd, "running", seconds(start, System.nanoTime()));
        }
        return done(cmd, String.join(",", s.results), seconds(s.started, s.ended));
      }
      case "shutdown":
        r = runBounded(server::shutdown, bound);
        return done(cmd, r[0], Double.parseDouble(r[1]));
      case "shutdown_async":
        pending.put("shutdown", startAsync("shutdown", server::shutdown));
        return done(cmd, "started", 0.0);
      case "await_shutdown": {
        Async a = pending.get("shutdown");
        if (a == null) {
          return done(cmd, "not started", 0.0);
        }
        r = awaitAsync(a, bound);
        if (!r[0].equals("hung")) {
          pending.remove("shutdown");
        }
        return done(cmd, r[0], Double.parseDouble(r[1]));
      }
      case "await_started": {
        // A synchronisation step, not a timing observation: its time is not reported.
        boolean ok = rec.awaitStarted(msg.path("count").asInt(1), bound);
        return done(cmd, ok ? "returned" : "timeout", 0.0);
      }
      case "request_shutdown":
        server.requestShutdown();
        return done(cmd, "returned", 0.0);
      case "close":
        r = runBounded(this::closeServer, bound);
        return done(cmd, r[0], Double.parseDouble(r[1]));
      default:
        return done(cmd, "unknown command " + cmd, 0.0);
    }
  }

  @Override
  public JsonNode finish(double bound) {
    ServeCall last = lastServe();
    if (last != null && last.thread.isAlive() && last.call.equals("serve_forever")) {
      // The harness's own end of a serve_forever; listed only when it did not simply return.
      String[] r = runBounded(server::shutdown, bound);
      if (!r[0].equals("returned")) {
        finalStep("shutdown", r);
      }
    }
    if (last != null) {
      join(last.thread, bound);
    }
    // Requests still in a handler (threading) finish before the transcript is taken.
    rec.awaitIdle(bound);
    if (!closed) {
      String[] r = runBounded(this::closeServer, bound);
      finalStep("server_close", r);
    }
    ObjectNode t = Json.object();
    t.put("event", "transcript");
    t.put("side", "socketserver4j");
    t.put("construct", "ok");
    ArrayNode calls = t.putArray("serve_calls");
    synchronized (serveCalls) {
      for (ServeCall s : serveCalls) {
        ObjectNode c = calls.addObject();
        c.put("call", s.call);
        ArrayNode results = c.putArray("results");
        new ArrayList<>(s.results).forEach(results::add);
        if (s.ended < 0) {
          results.add("running");
        }
      }
    }
    t.set("final", finalSteps);
    rec.into(t);
    t.put("fileno_after_close", server.fileno());
    if (address.isTextual()) {
      t.put("socket_file_after_close", socketFile());
    }
    return t;
  }

  private void finalStep(String step, String[] r) {
    ObjectNode f = finalSteps.addObject();
    f.put("step", step);
    f.put("result", r[0]);
    f.put("seconds", Double.parseDouble(r[1]));
  }

  private static void join(Thread t, double bound) {
    try {
      t.join((long) (bound * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String describe() {
    return "socketserver4j";
  }

  /**
   * Ends whatever a scenario left running (a hung serve call or command: CPython would stay hung,
   * this JVM must not keep the threads), then gives back the uncaught handler and stderr.
   */
  @Override
  public void close() {
    try {
      if (server != null) {
        server.requestShutdown();
        if (!closed) {
          server.serverClose();
        }
        List<Thread> leftovers = new ArrayList<>(controlThreads);
        synchronized (serveCalls) {
          serveCalls.forEach(s -> leftovers.add(s.thread));
        }
        for (Thread t : leftovers) {
          if (t.isAlive()) {
            t.interrupt();
            join(t, 5);
          }
        }
        // A request the scenario leaked on purpose (verify_request raising: CPython never shuts
        // it down either) is closed by CPython's garbage collector; here the driver closes it.
        for (Object r : rec.requests()) {
          if (r instanceof io.github.socketserver4j.StreamRequest) {
            ((io.github.socketserver4j.StreamRequest) r).close();
          }
        }
      }
    } finally {
      if (savedErr != null) {
        System.err.flush();
        System.setErr(savedErr);
      }
      if (savedHandler != null) {
        Thread.setDefaultUncaughtExceptionHandler(savedHandler);
      }
    }
  }

  /** Passes stderr through and keeps the lines handleError logs, like TeeStderr in Python. */
  private static final class Tee extends OutputStream {
    private final PrintStream real;
    private final Recorder rec;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    Tee(PrintStream real, Recorder rec) {
      this.real = real;
      this.rec = rec;
    }

    @Override
    public synchronized void write(int b) {
      real.write(b);
      if (b == '\n') {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.contains("during processing of request from")) {
          rec.errorLine(text);
        }
      } else {
        line.write(b);
      }
    }

    @Override
    public void flush() {
      real.flush();
    }
  }
}
