package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One side of porter mode: starts one server program, reads the address it prints as its first
 * line of stdout, runs the scenario's clients against it, stops it, and returns what the clients
 * saw and, optionally, what the program printed. See {@link PortCheck}.
 */
final class PortRun {
  /** A program's start-up on a loaded machine (a JVM, an interpreter); only bounds a broken one. */
  static final long START_BOUND_SECONDS = 30;

  /** Python's {@code ('127.0.0.1', 40123)} or {@code ('::1', 40123, 0, 0)}. */
  private static final Pattern PY_TUPLE = Pattern.compile("^\\('([^']*)',\\s*(\\d{1,5})\\b");
  /** Java's {@code /127.0.0.1:40123}, {@code localhost/127.0.0.1:40123}, {@code /[::1]:40123}. */
  private static final Pattern JAVA_INET = Pattern.compile(
      "^(?:[^/\\s]*/)?\\[?([0-9A-Fa-f:.]+?)\\]?:(\\d{1,5})$");
  /** A line ending in an address: {@code Serving on 127.0.0.1 port 40123}, older forms. */
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})\\D+?(\\d{1,5})\\D*$");

  private static final Set<String> DATAGRAM_OPS = Set.of("dgram_socket", "send_datagram", "recv_datagram");

  /** What one program did. */
  record Outcome(ObjectNode result, List<String> clientErrors) {}

  private PortRun() {}

  /** Whether the scenario's clients speak datagrams (then the server is a datagram server). */
  static boolean datagram(Scenario sc) {
    boolean dgram = false;
    boolean stream = false;
    for (JsonNode client : sc.section("clients")) {
      for (JsonNode step : client.path("steps")) {
        String op = step.path("op").asText();
        dgram |= DATAGRAM_OPS.contains(op);
        stream |= op.equals("connect");
      }
    }
    if (dgram && stream) {
      throw new IllegalArgumentException(sc.file() + " mixes stream steps (connect) and datagram"
          + " steps (send_datagram, recv_datagram); a porter scenario talks to one server");
    }
    return dgram;
  }

  /**
   * The address in a program's first line of stdout: a host and port as Python or Java print
   * them, or a Unix socket path (relative paths resolve against the runner's working directory).
   */
  static SocketAddress parseAddress(String line) {
    String t = line == null ? "" : line.trim();
    Matcher m = PY_TUPLE.matcher(t);
    if (m.find()) {
      return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }
    m = JAVA_INET.matcher(t);
    if (m.matches()) {
      return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }
    m = HOST_PORT.matcher(t);
    if (m.find()) {
      return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }
    String path = t.replaceAll("^['\"]|['\"]$", "");
    if (!path.isEmpty() && !path.contains(" ") && (path.contains("/") || path.endsWith(".sock"))) {
      return UnixDomainSocketAddress.of(Paths.get(path).toAbsolutePath());
    }
    return null;
  }

  /**
   * Runs one program.
   *
   * @param name "Python" or "Java", for messages
   * @param command the command line, placeholders already replaced
   * @param env extra environment
   * @param tmp this side's {@code {tmp}} directory
   * @param helperPython the interpreter for Unix datagram clients
   * @param normaliser the normalisers (this run adds its ports and paths to a copy)
   * @param captureOutput whether to return the program's stdout and stderr
   */
  static Outcome run(String name, Scenario sc, List<String> command, Map<String, String> env,
      Path tmp, Path helperPython, List<String> normalisers, boolean captureOutput)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new IllegalStateException(name + ": cannot start " + command + ": " + e.getMessage(), e);
    }
    List<String> out = Collections.synchronizedList(new ArrayList<>());
    List<String> err = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch firstLine = new CountDownLatch(1);
    Thread outReader = pump(p.getInputStream(), out, firstLine, name + "-stdout");
    Thread errReader = pump(p.getErrorStream(), err, null, name + "-stderr");
    ObjectNode result = Json.object();
    List<String> clientErrors = new ArrayList<>();
    try {
      if (!firstLine.await(START_BOUND_SECONDS, TimeUnit.SECONDS) || out.isEmpty()) {
        throw new IllegalStateException(name + " printed no address line within "
            + START_BOUND_SECONDS + " s (exit status " + exit(p) + "); its stderr:\n"
            + String.join("\n", snapshot(err)) + "\n" + PorterMode.ADDRESS_RULE);
      }
      String first = out.get(0);
      SocketAddress address = parseAddress(first);
      if (address == null) {
        throw new IllegalStateException(name + "'s first line of stdout is not an address: \""
            + first + "\". " + PorterMode.ADDRESS_RULE);
      }
      OutputNormaliser norm = new OutputNormaliser(normalisers)
          .path(tmp.toString(), "tmp")
          .path(Paths.get("").toAbsolutePath().toString(), "cwd");
      if (address instanceof InetSocketAddress) {
        norm.port(((InetSocketAddress) address).getPort(), "server");
      } else {
        norm.path(((UnixDomainSocketAddress) address).getPath().toString(), "server path");
      }
      ClientRunner.Outcome seen = new ClientRunner(sc, address, datagram(sc), helperPython,
          PortRun::noServerCommands).receivedBy(norm::received).run();
      seen.ports().forEach((port, client) -> norm.port(port, client));
      seen.paths().forEach((path, client) -> norm.path(path, client + " path"));
      ObjectNode clients = result.putObject("clients");
      seen.records().forEach((client, records) -> {
        ArrayNode list = clients.putArray(client);
        for (String r : records) {
          list.add(norm.text(r));
          if (r.startsWith("client error: ")) {
            clientErrors.add(client + ": " + r);
          }
        }
      });
      if (!seen.failures().isEmpty()) {
        seen.failures().forEach(result.putArray("expectation_failures")::add);
      }
      stop(p);
      join(outReader);
      join(errReader);
      if (captureOutput) {
        List<String> stdout = snapshot(out);
        stdout.remove(0); // the address line: where each program listens is its own business
        norm.lines(stdout).forEach(result.putArray("stdout")::add);
        norm.lines(snapshot(err)).forEach(result.putArray("stderr")::add);
      }
      return new Outcome(result, clientErrors);
    } finally {
      stop(p);
    }
  }

  private static String exit(Process p) {
    return p.isAlive() ? "still running" : String.valueOf(p.exitValue());
  }

  private static List<String> snapshot(List<String> lines) {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  private static Thread pump(InputStream in, List<String> into, CountDownLatch first, String name) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          into.add(line);
          if (first != null) {
            first.countDown();
          }
        }
      } catch (IOException e) {
        // The program ended; what it printed is kept.
      } finally {
        if (first != null) {
          first.countDown();
        }
      }
    }, "porter-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void join(Thread t) throws InterruptedException {
    t.join(TimeUnit.SECONDS.toMillis(10));
  }

  /**
   * SIGTERM, then SIGKILL if it does not end within 10 s. Through the process handle, because
   * {@code Process.destroy()} also closes our ends of its stdout and stderr, losing what the
   * program prints while it stops.
   */
  private static void stop(Process p) throws InterruptedException {
    if (!p.isAlive()) {
      return;
    }
    p.toHandle().destroy();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static JsonNode noServerCommands(ObjectNode msg) {
    throw new IllegalArgumentException("porter scenarios have client steps only; \"server\" steps"
        + " need the parity drivers (" + msg + ")");
  }

  /** A fresh {@code {tmp}} directory for one side. */
  static Path tempDir() throws IOException {
    return Files.createTempDirectory(Path.of("/tmp"), "ss4jport");
  }
}
