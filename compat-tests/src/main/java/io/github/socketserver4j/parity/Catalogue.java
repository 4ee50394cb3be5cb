package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.DatagramRequestHandler;
import io.github.socketserver4j.LineInputStream;
import io.github.socketserver4j.ServerExit;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.StreamRequestHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The handler catalogue on socketserver4j's side: each behaviour written as a porter would write
 * the Python one in {@code parity_server.py} (docs/parity.md lists them), on a
 * StreamRequestHandler for stream servers and a DatagramRequestHandler for datagram servers.
 * Python's {@code ValueError} is {@link IllegalArgumentException} here and {@code SystemExit} is
 * {@link ServerExit}.
 */
final class Catalogue {
  static final Set<String> BEHAVIOURS = Set.of(
      "echo_line", "echo_lines", "read_n", "raise_in_setup", "raise_in_handle", "raise_in_finish",
      "raise_in_handle_and_finish", "write_read_write_large", "exit_in_handle", "sleep_then_reply",
      "write_nothing", "write", "write_then_raise", "write_large", "write_pause_write", "read_until_timeout", "read_until_timeout_caught",
      "close_early", "close_then_write", "request_shutdown", "shutdown_in_handler",
      "shutdown_in_thread", "report_timeout", "echo_datagram", "report_client_address",
      "report_server_timeout");

  private Catalogue() {}

  /** The Python name of an exception's kind, as {@code error_kind} in the Python driver. */
  static String kind(Throwable t) {
    if (t instanceof IllegalArgumentException) {
      return "ValueError";
    }
    if (t instanceof java.util.NoSuchElementException) {
      return "KeyError";
    }
    if (t instanceof ServerExit) {
      return "SystemExit";
    }
    if (t instanceof SocketTimeoutException) {
      return "TimeoutError";
    }
    if (t instanceof IOException) {
      String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("reset")) {
        return "ConnectionResetError";
      }
      if (m.contains("broken pipe")) {
        return "BrokenPipeError";
      }
      return "OSError";
    }
    return "java:" + t.getClass().getSimpleName();
  }

  /**
   * What the behaviours need from a handler: the members StreamRequestHandler and
   * DatagramRequestHandler share, as CPython's behaviours use {@code rfile} and {@code wfile} on
   * either.
   */
  interface Io {
    LineInputStream rfile();

    OutputStream wfile();

    BaseServer server();

    SocketAddress clientAddress();

    /** The connection; a datagram handler has none (Python: AttributeError). */
    StreamRequest connection();
  }

  /** One handler per request on a stream server, as CPython builds one per request. */
  static final class Handler extends StreamRequestHandler implements Io {
    private final JsonNode cfg;
    private final Recorder rec;
    private final Body body;

    Handler(JsonNode cfg, Recorder rec) {
      this.cfg = cfg;
      this.rec = rec;
      this.body = new Body(cfg);
    }

    @Override
    public int rbufsize() {
      return cfg.has("rbufsize") ? cfg.get("rbufsize").asInt() : super.rbufsize();
    }

    @Override
    public int wbufsize() {
      return cfg.has("wbufsize") ? cfg.get("wbufsize").asInt() : super.wbufsize();
    }

    @Override
    public Optional<Duration> timeout() {
      JsonNode t = cfg.get("timeout");
      return t == null || t.isNull()
          ? super.timeout()
          : Optional.of(Duration.ofNanos((long) (t.asDouble() * 1e9)));
    }

    @Override
    public boolean disableNagleAlgorithm() {
      return cfg.path("disable_nagle").asBoolean(super.disableNagleAlgorithm());
    }

    @Override
    public void setup() throws Exception {
      rec.hook("setup", rec.clientOf(request()));
      super.setup();
      body.afterSetup();
    }

    @Override
    public void handle() throws Exception {
      rec.hook("handle", rec.clientOf(request()));
      body.handle(this);
    }

    @Override
    public void finish() throws Exception {
      rec.hook("finish", rec.clientOf(request()));
      super.finish();
      body.afterFinish();
    }
  }

  /** The same behaviours on a datagram server: CPython's DatagramRequestHandler. */
  static final class DatagramHandler extends DatagramRequestHandler implements Io {
    private final Recorder rec;
    private final Body body;

    DatagramHandler(JsonNode cfg, Recorder rec) {
      this.rec = rec;
      this.body = new Body(cfg);
    }

    @Override
    public StreamRequest connection() {
      throw new IllegalStateException("a datagram handler has no connection");
    }

    @Override
    public void setup() throws Exception {
      rec.hook("setup", rec.clientOf(request()));
      super.setup();
      body.afterSetup();
    }

    @Override
    public void handle() throws Exception {
      rec.hook("handle", rec.clientOf(request()));
      body.handle(this);
    }

    @Override
    public void finish() throws Exception {
      rec.hook("finish", rec.clientOf(request()));
      super.finish(); // sends wfile's bytes as one datagram, even none
      body.afterFinish();
    }
  }

  /** The behaviours themselves, written once for both handler kinds. */
  static final class Body {
    private final JsonNode cfg;
    private final String behaviour;

    Body(JsonNode cfg) {
      this.cfg = cfg;
      this.behaviour = Json.text(cfg, "behaviour", "echo_line");
      if (!BEHAVIOURS.contains(behaviour)) {
        throw new IllegalArgumentException("unknown handler behaviour " + behaviour);
      }
    }

    void afterSetup() {
      if (behaviour.equals("raise_in_setup")) {
        throw new IllegalArgumentException("boom");
      }
    }

    void afterFinish() {
      if (behaviour.equals("raise_in_finish")) {
        throw new IllegalArgumentException("boom");
      }
      if (behaviour.equals("raise_in_handle_and_finish")) {
        throw new java.util.NoSuchElementException("finish");
      }
    }

    void handle(Io h) throws Exception {
      switch (behaviour) {
        case "echo_line", "raise_in_setup", "raise_in_finish" -> echoLine(h);
        case "echo_lines", "read_until_timeout" -> echoLines(h);
        case "echo_datagram" -> h.wfile().write(h.rfile().readAllBytes());
        case "raise_in_handle_and_finish" -> throw new IllegalArgumentException("boom");
        case "write_read_write_large" -> {
          h.wfile().write(latin1("write data\n"));
          h.rfile().readLine();
          h.wfile().write(new byte[cfg.path("size").asInt(16 * 1024 * 1024 + 1)]);
        }
        case "read_n" -> h.wfile().write(h.rfile().readNBytes(cfg.path("n").asInt(5)));
        case "raise_in_handle" -> {
          if (cfg.path("echo_first").asBoolean()) {
            echoLine(h);
          }
          throw new IllegalArgumentException("boom");
        }
        case "exit_in_handle" -> {
          if (cfg.path("echo_first").asBoolean()) {
            echoLine(h);
          }
          throw new ServerExit();
        }
        case "sleep_then_reply" -> {
          byte[] line = h.rfile().readLine();
          sleep(Json.number(cfg, "seconds", 0.5));
          h.wfile().write(line);
        }
        case "write_nothing" -> { }
        case "write" -> h.wfile().write(latin1(Json.text(cfg, "data", "")));
        case "write_then_raise" -> {
          h.wfile().write(latin1(Json.text(cfg, "data", "partial\n")));
          throw new IllegalArgumentException("boom");
        }
        case "write_large" -> {
          byte[] body = new byte[cfg.path("size").asInt(1 << 20)];
          Arrays.fill(body, (byte) 'x');
          h.wfile().write(body);
        }
        case "write_pause_write" -> {
          h.wfile().write(latin1("first\n"));
          sleep(Json.number(cfg, "seconds", 0.5));
          h.wfile().write(latin1("second\n"));
        }
        case "read_until_timeout_caught" -> {
          try {
            echoLines(h);
          } catch (SocketTimeoutException e) {
            h.wfile().write(latin1("timed out\n"));
          }
        }
        case "close_early" -> {
          h.rfile().readLine();
          h.connection().close();
        }
        case "close_then_write" -> {
          h.rfile().readLine();
          h.connection().close();
          h.wfile().write(latin1("late\n"));
        }
        case "request_shutdown" -> {
          echoLine(h);
          h.server().requestShutdown();
        }
        case "shutdown_in_handler" -> {
          echoLine(h);
          h.server().shutdown();
        }
        case "shutdown_in_thread" -> {
          echoLine(h);
          Thread helper = new Thread(h.server()::shutdown, "shutdown-helper");
          helper.start();
        }
        case "report_timeout" -> {
          Optional<Duration> t = h.connection().timeout();
          h.wfile().write(latin1("timeout=" + (t.isEmpty() ? "none" : seconds(t.get())) + "\n"));
        }
        case "report_server_timeout" -> {
          Optional<Duration> t = h.server().timeout();
          h.wfile().write(latin1("timeout=" + (t.isEmpty() ? "none" : seconds(t.get())) + "\n"));
        }
        case "report_client_address" ->
            h.wfile().write(latin1(addressText(h.clientAddress()) + "\n"));
        default -> throw new IllegalStateException(behaviour);
      }
    }

    private static void echoLine(Io h) throws IOException {
      h.wfile().write(h.rfile().readLine());
    }

    private static void echoLines(Io h) throws IOException {
      while (true) {
        byte[] line = h.rfile().readLine();
        if (line.length == 0) {
          return;
        }
        h.wfile().write(line);
      }
    }
  }

  /** As {@code address_text} in {@code parity_server.py}: ports and paths left out. */
  static String addressText(SocketAddress address) {
    if (address instanceof InetSocketAddress) {
      return "('" + ((InetSocketAddress) address).getAddress().getHostAddress() + "', <port>)";
    }
    if (address instanceof UnixDomainSocketAddress) {
      return ((UnixDomainSocketAddress) address).getPath().toString().isEmpty() ? "''" : "<path>";
    }
    return address == null ? "None" : address.toString();
  }

  static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Python's {@code "%g" % seconds} for the short values the scenarios use. */
  static String seconds(Duration d) {
    return java.math.BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
  }

  /** The sleep is the behaviour under test here ("sleep, then reply"). */
  static void sleep(double seconds) throws InterruptedException {
    Thread.sleep((long) (seconds * 1000));
  }

}
