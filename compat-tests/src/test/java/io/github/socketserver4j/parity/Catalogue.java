package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.socketserver4j.ServerExit;
import io.github.socketserver4j.StreamRequestHandler;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * The handler catalogue on socketserver4j's side: each behaviour written as a porter would write
 * the Python one in {@code parity_server.py} (docs/parity.md lists them). Python's {@code
 * ValueError} is {@link IllegalArgumentException} here and {@code SystemExit} is {@link
 * ServerExit}.
 */
final class Catalogue {
  static final Set<String> BEHAVIOURS = Set.of(
      "echo_line", "echo_lines", "read_n", "raise_in_setup", "raise_in_handle", "raise_in_finish",
      "raise_in_handle_and_finish", "write_read_write_large", "exit_in_handle", "sleep_then_reply", "write_nothing", "write", "write_then_raise",
      "write_large", "write_pause_write", "read_until_timeout", "read_until_timeout_caught",
      "close_early", "close_then_write", "request_shutdown", "shutdown_in_handler",
      "shutdown_in_thread", "report_timeout");

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

  /** One handler per request, as CPython builds one {@code RequestHandlerClass} per request. */
  static final class Handler extends StreamRequestHandler {
    private final JsonNode cfg;
    private final Recorder rec;
    private final String behaviour;

    Handler(JsonNode cfg, Recorder rec) {
      this.cfg = cfg;
      this.rec = rec;
      this.behaviour = Json.text(cfg, "behaviour", "echo_line");
      if (!BEHAVIOURS.contains(behaviour)) {
        throw new IllegalArgumentException("unknown handler behaviour " + behaviour);
      }
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

    private Object client() {
      return rec.clientOf(request());
    }

    @Override
    public void setup() throws Exception {
      rec.hook("setup", client());
      super.setup();
      if (behaviour.equals("raise_in_setup")) {
        throw new IllegalArgumentException("boom");
      }
    }

    @Override
    public void handle() throws Exception {
      rec.hook("handle", client());
      switch (behaviour) {
        case "echo_line", "raise_in_setup", "raise_in_finish" -> echoLine();
        case "echo_lines", "read_until_timeout" -> echoLines();
        case "raise_in_handle_and_finish" -> throw new IllegalArgumentException("boom");
        case "write_read_write_large" -> {
          wfile().write(latin1("write data\n"));
          rfile().readLine();
          wfile().write(new byte[cfg.path("size").asInt(16 * 1024 * 1024 + 1)]);
        }
        case "read_n" -> wfile().write(rfile().readNBytes(cfg.path("n").asInt(5)));
        case "raise_in_handle" -> {
          if (cfg.path("echo_first").asBoolean()) {
            echoLine();
          }
          throw new IllegalArgumentException("boom");
        }
        case "exit_in_handle" -> {
          if (cfg.path("echo_first").asBoolean()) {
            echoLine();
          }
          throw new ServerExit();
        }
        case "sleep_then_reply" -> {
          byte[] line = rfile().readLine();
          sleep(Json.number(cfg, "seconds", 0.5));
          wfile().write(line);
        }
        case "write_nothing" -> { }
        case "write" -> wfile().write(latin1(Json.text(cfg, "data", "")));
        case "write_then_raise" -> {
          wfile().write(latin1(Json.text(cfg, "data", "partial\n")));
          throw new IllegalArgumentException("boom");
        }
        case "write_large" -> {
          byte[] body = new byte[cfg.path("size").asInt(1 << 20)];
          Arrays.fill(body, (byte) 'x');
          wfile().write(body);
        }
        case "write_pause_write" -> {
          wfile().write(latin1("first\n"));
          sleep(Json.number(cfg, "seconds", 0.5));
          wfile().write(latin1("second\n"));
        }
        case "read_until_timeout_caught" -> {
          try {
            echoLines();
          } catch (SocketTimeoutException e) {
            wfile().write(latin1("timed out\n"));
          }
        }
        case "close_early" -> {
          rfile().readLine();
          connection().close();
        }
        case "close_then_write" -> {
          rfile().readLine();
          connection().close();
          wfile().write(latin1("late\n"));
        }
        case "request_shutdown" -> {
          echoLine();
          server().requestShutdown();
        }
        case "shutdown_in_handler" -> {
          echoLine();
          server().shutdown();
        }
        case "shutdown_in_thread" -> {
          echoLine();
          Thread helper = new Thread(server()::shutdown, "shutdown-helper");
          helper.start();
        }
        case "report_timeout" -> {
          Optional<Duration> t = connection().timeout();
          wfile().write(latin1("timeout=" + (t.isEmpty() ? "none" : seconds(t.get())) + "\n"));
        }
        default -> throw new IllegalStateException(behaviour);
      }
    }

    @Override
    public void finish() throws Exception {
      rec.hook("finish", client());
      super.finish();
      if (behaviour.equals("raise_in_finish")) {
        throw new IllegalArgumentException("boom");
      }
      if (behaviour.equals("raise_in_handle_and_finish")) {
        throw new java.util.NoSuchElementException("finish");
      }
    }

    private void echoLine() throws IOException {
      wfile().write(rfile().readLine());
    }

    private void echoLines() throws IOException {
      while (true) {
        byte[] line = rfile().readLine();
        if (line.length == 0) {
          return;
        }
        wfile().write(line);
      }
    }
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
