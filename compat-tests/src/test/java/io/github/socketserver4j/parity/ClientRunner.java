package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs a scenario's client steps against a server (either side) with plain java.net sockets and
 * records, per client, what each step saw: every byte received, how the connection ended (EOF,
 * reset, still open), and timing only as a class (a step that took longer than the scenario's
 * threshold is marked "(waited)").
 */
final class ClientRunner {

  /** What the clients saw, the client ports (to name requests in the trace), failed expectations. */
  record Outcome(Map<String, List<String>> records, Map<Integer, String> ports, List<String> failures) {}

  private final Scenario scenario;
  private final InetSocketAddress address;
  private final Function<ObjectNode, JsonNode> server;
  private final Map<String, CountDownLatch> signals = new ConcurrentHashMap<>();
  private final Map<Integer, String> ports = new ConcurrentHashMap<>();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final Object serverLock = new Object();

  ClientRunner(Scenario scenario, InetSocketAddress address, Function<ObjectNode, JsonNode> server) {
    this.scenario = scenario;
    this.address = address;
    this.server = server;
  }

  Outcome run() throws InterruptedException {
    JsonNode clients = scenario.section("clients");
    Map<String, List<String>> records = new LinkedHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      String label = "c" + i;
      List<String> rec = Collections.synchronizedList(new ArrayList<>());
      records.put(label, rec);
      JsonNode steps = clients.get(i).path("steps");
      if (scenario.parallel()) {
        Thread t = new Thread(() -> runClient(label, steps, rec), "parity-client-" + label);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      } else {
        runClient(label, steps, rec);
      }
    }
    long limitMs = (long) (scenario.bound() * 1000) * 4 + 10_000;
    for (Thread t : threads) {
      t.join(limitMs);
      if (t.isAlive()) {
        failures.add(t.getName() + " did not finish within " + limitMs / 1000 + " s");
      }
    }
    Map<String, List<String>> copy = new LinkedHashMap<>();
    records.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
    return new Outcome(copy, Map.copyOf(ports), new ArrayList<>(failures));
  }

  /** One client's connection and its read buffer (bytes read but not yet taken by a step). */
  private final class Conn {
    final String label;
    Socket socket;
    InputStream in;
    OutputStream out;
    final byte[] buf = new byte[64 * 1024];
    int pos;
    int lim;
    String end; // "eof" or "reset" once seen

    Conn(String label) {
      this.label = label;
    }
  }

  private void runClient(String label, JsonNode steps, List<String> rec) {
    Conn c = new Conn(label);
    try {
      int index = 0;
      for (JsonNode step : steps) {
        String r = step(c, step);
        if (r != null) {
          rec.add(r);
          JsonNode expect = step.get("expect");
          if (expect != null && !expect.asText().equals(r)) {
            failures.add(label + " step " + index + " (" + step.path("op").asText()
                + "): expected " + expect.asText() + ", got " + r);
          }
        }
        index++;
      }
    } catch (Exception e) {
      rec.add("client error: " + e);
    } finally {
      if (c.socket != null) {
        try {
          c.socket.close();
        } catch (IOException e) {
          // Closing a client; nothing to do.
        }
      }
    }
  }

  private String timing(long startNanos) {
    double secs = (System.nanoTime() - startNanos) / 1e9;
    return secs >= scenario.timingThreshold() ? " (waited)" : "";
  }

  private String step(Conn c, JsonNode step) throws Exception {
    String op = step.path("op").asText();
    double bound = Json.number(step, "bound", scenario.bound());
    long start = System.nanoTime();
    switch (op) {
      case "connect": {
        Socket s = new Socket();
        try {
          s.connect(address, (int) (bound * 1000));
        } catch (IOException e) {
          s.close();
          return "connect: " + errorKind(e);
        }
        c.socket = s;
        c.in = s.getInputStream();
        c.out = s.getOutputStream();
        ports.put(s.getLocalPort(), c.label);
        return "connect: ok";
      }
      case "send": {
        byte[] data = Catalogue.latin1(Json.text(step, "data", ""));
        int repeat = step.path("repeat").asInt(1);
        if (repeat > 1) {
          ByteArrayOutputStream all = new ByteArrayOutputStream();
          for (int i = 0; i < repeat; i++) {
            all.write(data);
          }
          data = all.toByteArray();
        }
        try {
          if (step.path("byte_by_byte").asBoolean()) {
            double pause = Json.number(step, "pause", 0.0);
            for (byte b : data) {
              c.out.write(b);
              c.out.flush();
              if (pause > 0) {
                Catalogue.sleep(pause); // the pause is the behaviour: bytes in separate segments
              }
            }
          } else {
            c.out.write(data);
            c.out.flush();
          }
        } catch (IOException e) {
          return "send " + data.length + " bytes: " + errorKind(e);
        }
        return "send " + data.length + " bytes";
      }
      case "shutdown_write":
        c.socket.shutdownOutput();
        return null;
      case "close":
        c.socket.close();
        return null;
      case "reset":
        c.socket.setSoLinger(true, 0);
        c.socket.close();
        return null;
      case "wait":
        Catalogue.sleep(Json.number(step, "seconds", 0.1)); // the wait is a scenario step
        return null;
      case "signal":
        latch(step.path("name").asText()).countDown();
        return null;
      case "await": {
        String name = step.path("name").asText();
        boolean ok = latch(name).await((long) (bound * 1000), TimeUnit.MILLISECONDS);
        return ok ? null : "await " + name + ": timeout";
      }
      case "recv_until": {
        byte[] delim = Catalogue.latin1(Json.text(step, "delim", "\n"));
        Read r = read(c, bound, delim, Integer.MAX_VALUE);
        return "recv_until " + repr(delim) + ": " + r.describe() + timing(start);
      }
      case "recv": {
        int n = step.path("n").asInt();
        Read r = read(c, bound, null, n);
        return "recv " + n + ": " + r.describe() + timing(start);
      }
      case "read_to_end": {
        double wait = Json.number(step, "wait", bound);
        Read r = read(c, wait, null, Integer.MAX_VALUE);
        String t = r.stop.equals("timeout") ? "" : timing(start);
        return "read_to_end: " + r.describe().replace("then timeout", "then open") + t;
      }
      case "server": {
        ObjectNode msg = ((ObjectNode) step.deepCopy());
        msg.remove("op");
        msg.remove("expect");
        if (!msg.has("bound")) {
          msg.put("bound", bound);
        }
        JsonNode done;
        synchronized (serverLock) {
          done = server.apply(msg);
        }
        double secs = done.path("seconds").asDouble();
        String t = secs >= scenario.timingThreshold() ? " (waited)" : "";
        return "server " + msg.path("cmd").asText() + ": " + done.path("result").asText() + t;
      }
      default:
        throw new IllegalArgumentException("unknown client step op: " + op);
    }
  }

  private CountDownLatch latch(String name) {
    return signals.computeIfAbsent(name, k -> new CountDownLatch(1));
  }

  /** The bytes a read step got and why it stopped: "done", "eof", "reset" or "timeout". */
  private record Read(byte[] data, String stop) {
    String describe() {
      String d = repr(data);
      return stop.equals("done") ? d : d + " then " + stop;
    }
  }

  /** Reads until {@code delim} (included) or {@code max} bytes, end of stream or the bound. */
  private Read read(Conn c, double bound, byte[] delim, int max) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + (long) (bound * 1e9);
    while (got.size() < max) {
      if (c.pos == c.lim) {
        if (c.end != null) {
          return new Read(got.toByteArray(), c.end);
        }
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return new Read(got.toByteArray(), "timeout");
        }
        c.socket.setSoTimeout((int) Math.max(1, left));
        int n;
        try {
          n = c.in.read(c.buf);
        } catch (SocketTimeoutException e) {
          return new Read(got.toByteArray(), "timeout");
        } catch (SocketException e) {
          c.end = errorKind(e).equals("ConnectionResetError") ? "reset" : "error " + errorKind(e);
          continue;
        }
        if (n < 0) {
          c.end = "eof";
          continue;
        }
        c.pos = 0;
        c.lim = n;
      }
      byte b = c.buf[c.pos++];
      got.write(b);
      if (delim != null && endsWith(got, delim)) {
        break;
      }
    }
    return new Read(got.toByteArray(), "done");
  }

  private static boolean endsWith(ByteArrayOutputStream got, byte[] delim) {
    if (got.size() < delim.length) {
      return false;
    }
    byte[] all = got.toByteArray();
    for (int i = 0; i < delim.length; i++) {
      if (all[all.length - delim.length + i] != delim[i]) {
        return false;
      }
    }
    return true;
  }

  /** A client-side error in Python's terms, so both sides' clients read the same. */
  static String errorKind(IOException e) {
    if (e instanceof ConnectException) {
      return "ConnectionRefusedError";
    }
    return Catalogue.kind(e);
  }

  /** Python's bytes repr, shortened to a length and digest past 200 bytes. */
  static String repr(byte[] data) {
    if (data.length > 200) {
      try {
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(data);
        return "<" + data.length + " bytes, sha256 " + HexFormat.of().formatHex(sha, 0, 6) + ">";
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    StringBuilder sb = new StringBuilder("b'");
    for (byte b : data) {
      int v = b & 0xff;
      switch (v) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\\' -> sb.append("\\\\");
        case '\'' -> sb.append("\\'");
        default -> {
          if (v >= 0x20 && v < 0x7f) {
            sb.append((char) v);
          } else {
            sb.append(String.format("\\x%02x", v));
          }
        }
      }
    }
    return sb.append('\'').toString();
  }

  static String repr(String s) {
    return repr(s.getBytes(StandardCharsets.ISO_8859_1));
  }
}
