package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Runs a scenario's client steps against a server (either side) and records, per client, what
 * each step saw: every byte received, how the connection ended (EOF, reset, still open), and
 * timing only as a class (a step that took longer than the scenario's threshold is marked
 * "(waited)").
 *
 * <p>The clients are the same for both sides: java.net sockets for TCP and UDP, a JDK {@link
 * SocketChannel} for Unix stream sockets, and for Unix datagrams (which the JDK lacks) a small
 * Python program, {@code parity_unix_dgram_client.py}, run by the same interpreter for both.
 */
final class ClientRunner {

  /**
   * What the clients saw, the client ports and bound Unix paths (to name requests in the trace),
   * failed expectations.
   */
  record Outcome(Map<String, List<String>> records, Map<Integer, String> ports,
      Map<String, String> paths, List<String> failures) {}

  private final Scenario scenario;
  private final SocketAddress address;
  private final boolean datagram;
  private final Path helperPython;
  private final Function<ObjectNode, JsonNode> server;
  private final Map<String, CountDownLatch> signals = new ConcurrentHashMap<>();
  private final Map<Integer, String> ports = new ConcurrentHashMap<>();
  private final Map<String, String> paths = new ConcurrentHashMap<>();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final Object serverLock = new Object();
  private volatile Path clientDir;
  /** What the received bytes go through before they are recorded (porter mode's normalisers). */
  private UnaryOperator<byte[]> received = UnaryOperator.identity();

  /** Stream clients over TCP (porter mode). */
  ClientRunner(Scenario scenario, InetSocketAddress address, Function<ObjectNode, JsonNode> server) {
    this(scenario, address, false, null, server);
  }

  /**
   * @param address the server's address: host and port, or a Unix socket path
   * @param datagram whether the server is a datagram server
   * @param helperPython the interpreter for Unix datagram clients (may be null otherwise)
   */
  ClientRunner(Scenario scenario, SocketAddress address, boolean datagram, Path helperPython,
      Function<ObjectNode, JsonNode> server) {
    this.scenario = scenario;
    this.address = address;
    this.datagram = datagram;
    this.helperPython = helperPython;
    this.server = server;
  }

  /** Sets what received bytes go through before they are recorded; returns this runner. */
  ClientRunner receivedBy(UnaryOperator<byte[]> normaliser) {
    this.received = normaliser;
    return this;
  }

  Outcome run() throws InterruptedException {
    try {
      JsonNode clients = scenario.section("clients");
      Map<String, List<String>> records = new LinkedHashMap<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        String label = "c" + i;
        List<String> rec = Collections.synchronizedList(new ArrayList<>());
        records.put(label, rec);
        JsonNode steps = clients.get(i).path("steps");
        Conn conn = prepared(label, steps, rec);
        if (scenario.parallel()) {
          Thread t = new Thread(() -> runClient(conn, steps, rec), "parity-client-" + label);
          t.setDaemon(true);
          threads.add(t);
          t.start();
        } else {
          runClient(conn, steps, rec);
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
      return new Outcome(copy, Map.copyOf(ports), Map.copyOf(paths), new ArrayList<>(failures));
    } finally {
      deleteClientDir();
    }
  }

  // ---- the clients' sockets ----

  /** A stream connection: TCP (java.net) or Unix (SocketChannel). */
  private interface StreamLink extends AutoCloseable {
    /** Reads some bytes: the count, -1 at end of stream; SocketTimeoutException after timeoutMs. */
    int read(byte[] buf, long timeoutMs) throws IOException;

    void write(byte[] data, long timeoutMs) throws IOException;

    void shutdownOutput() throws IOException;

    /** Closes with SO_LINGER 0, so TCP sends RST. */
    void reset() throws IOException;

    @Override
    void close() throws IOException;
  }

  private static final class TcpLink implements StreamLink {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    TcpLink(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    @Override
    public int read(byte[] buf, long timeoutMs) throws IOException {
      socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMs)));
      return in.read(buf);
    }

    @Override
    public void write(byte[] data, long timeoutMs) throws IOException {
      out.write(data);
      out.flush();
    }

    @Override
    public void shutdownOutput() throws IOException {
      socket.shutdownOutput();
    }

    @Override
    public void reset() throws IOException {
      socket.setSoLinger(true, 0);
      socket.close();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** A Unix stream connection, non-blocking under a selector so reads and writes are bounded. */
  private static final class UnixLink implements StreamLink {
    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;

    UnixLink(SocketChannel channel) throws IOException {
      this.channel = channel;
      channel.configureBlocking(false);
      this.selector = Selector.open();
      this.key = channel.register(selector, 0);
    }

    private boolean await(int ops, long deadline) throws IOException {
      key.interestOps(ops);
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      int n = selector.select(left);
      selector.selectedKeys().clear();
      return n > 0 || System.nanoTime() < deadline;
    }

    @Override
    public int read(byte[] buf, long timeoutMs) throws IOException {
      long deadline = System.nanoTime() + timeoutMs * 1_000_000;
      ByteBuffer bb = ByteBuffer.wrap(buf);
      while (true) {
        int n = channel.read(bb);
        if (n != 0) {
          return n;
        }
        if (!await(SelectionKey.OP_READ, deadline)) {
          throw new SocketTimeoutException("Read timed out");
        }
      }
    }

    @Override
    public void write(byte[] data, long timeoutMs) throws IOException {
      long deadline = System.nanoTime() + timeoutMs * 1_000_000;
      ByteBuffer bb = ByteBuffer.wrap(data);
      while (true) {
        channel.write(bb);
        if (!bb.hasRemaining()) {
          return;
        }
        if (!await(SelectionKey.OP_WRITE, deadline)) {
          throw new SocketTimeoutException("Write timed out");
        }
      }
    }

    @Override
    public void shutdownOutput() throws IOException {
      channel.shutdownOutput();
    }

    @Override
    public void reset() {
      throw new IllegalArgumentException("\"reset\" (SO_LINGER 0, RST) is a TCP step");
    }

    @Override
    public void close() throws IOException {
      try {
        selector.close();
      } finally {
        channel.close();
      }
    }
  }

  /** A datagram socket: UDP (java.net) or Unix (the Python helper). */
  private interface DatagramLink extends AutoCloseable {
    void send(byte[] data) throws IOException;

    /** The next datagram, or null when none came within timeoutMs. */
    byte[] receive(long timeoutMs) throws IOException;

    @Override
    void close() throws IOException;
  }

  private static final class UdpLink implements DatagramLink {
    private final DatagramSocket socket;
    private final SocketAddress to;

    UdpLink(SocketAddress to) throws IOException {
      this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      this.to = to;
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void send(byte[] data) throws IOException {
      socket.send(new DatagramPacket(data, data.length, to));
    }

    @Override
    public byte[] receive(long timeoutMs) throws IOException {
      socket.setSoTimeout((int) Math.max(1, timeoutMs));
      DatagramPacket p = new DatagramPacket(new byte[1 << 17], 1 << 17);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        return null;
      }
      return Arrays.copyOf(p.getData(), p.getLength());
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  /** A Unix datagram client in a Python process ({@code parity_unix_dgram_client.py}). */
  private static final class UnixDatagramLink implements DatagramLink {
    private final Process process;
    private final OutputStream stdin;
    private final BufferedReader stdout;
    private final String to;

    UnixDatagramLink(Path python, Path bindTo, String to) throws IOException {
      Path script = ParityRunner.classpathFile("/python/parity_unix_dgram_client.py");
      this.process = new ProcessBuilder(python.toString(), "-u", script.toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      this.stdin = process.getOutputStream();
      this.stdout = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.to = to;
      ObjectNode open = Json.object().put("op", "open");
      if (bindTo != null) {
        open.put("bind", bindTo.toString());
      } else {
        open.putNull("bind");
      }
      check(call(open));
    }

    private JsonNode call(ObjectNode msg) throws IOException {
      stdin.write((Json.line(msg) + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
      String line = stdout.readLine(); // the helper answers each line; it bounds its own waits
      if (line == null) {
        throw new IOException("the Unix datagram client helper ended");
      }
      return Json.parse(line);
    }

    private static void check(JsonNode reply) throws IOException {
      if (reply.has("error")) {
        throw new IOException(reply.get("error").asText());
      }
    }

    @Override
    public void send(byte[] data) throws IOException {
      check(call(Json.object().put("op", "send").put("to", to)
          .put("data", new String(data, StandardCharsets.ISO_8859_1))));
    }

    @Override
    public byte[] receive(long timeoutMs) throws IOException {
      JsonNode r = call(Json.object().put("op", "recv").put("timeout", timeoutMs / 1000.0));
      check(r);
      return r.has("data") ? Catalogue.latin1(r.get("data").asText()) : null;
    }

    @Override
    public void close() throws IOException {
      stdin.close();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One client: its connection or datagram socket, and its read buffer. */
  private final class Conn {
    final String label;
    StreamLink link;
    DatagramLink dgram;
    final byte[] buf = new byte[64 * 1024];
    int pos;
    int lim;
    String end; // "eof", "reset" or "error ..." once seen

    Conn(String label) {
      this.label = label;
    }

    void close() {
      try (AutoCloseable a = link; AutoCloseable b = dgram) {
        // Closing a client; nothing else to do.
      } catch (Exception e) {
        // Closing a client; nothing to do.
      }
    }
  }

  /**
   * A client's connection state before its first step. A Unix datagram client whose first
   * datagram step is {@code send_datagram} gets its socket now: on this side it lives in a
   * Python helper process, whose start can take seconds on a loaded machine, and that start must
   * not count against the bound of another client's {@code await} (CPython's clients open their
   * sockets in-process). The server sees nothing of it before the first datagram.
   */
  private Conn prepared(String label, JsonNode steps, List<String> rec) {
    Conn c = new Conn(label);
    if (datagram && address instanceof UnixDomainSocketAddress) {
      for (JsonNode step : steps) {
        String op = step.path("op").asText();
        if (op.equals("send_datagram")) {
          try {
            c.dgram = openDatagram(label, true);
          } catch (IOException | RuntimeException e) {
            rec.add("client error: " + e); // the steps then fail as they would have
          }
          break;
        }
        if (op.equals("dgram_socket") || op.equals("recv_datagram")) {
          break;
        }
      }
    }
    return c;
  }

  private void runClient(Conn c, JsonNode steps, List<String> rec) {
    String label = c.label;
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
      c.close();
    }
  }

  private String timing(long startNanos) {
    double secs = (System.nanoTime() - startNanos) / 1e9;
    return secs >= scenario.timingThreshold() ? " (waited)" : "";
  }

  /**
   * The bytes a step sends: {@code data} is text whose characters are bytes (Latin-1: U+0000 to
   * U+00FF, so {@code "\u00ff"} is the byte 0xff), or {@code data_hex} ({@code "00ff0a"}) or
   * {@code data_base64} for binary data; then {@code repeat} times.
   */
  static byte[] data(JsonNode step) throws IOException {
    int forms = (step.has("data") ? 1 : 0) + (step.has("data_hex") ? 1 : 0)
        + (step.has("data_base64") ? 1 : 0);
    if (forms > 1) {
      throw new IllegalArgumentException("a step has one of data, data_hex and data_base64: " + step);
    }
    byte[] data;
    if (step.has("data_hex")) {
      data = HexFormat.of().parseHex(step.get("data_hex").asText().replaceAll("\\s", ""));
    } else if (step.has("data_base64")) {
      data = java.util.Base64.getMimeDecoder().decode(step.get("data_base64").asText());
    } else {
      String text = Json.text(step, "data", "");
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) > 0xff) {
          throw new IllegalArgumentException("\"data\" is sent as Latin-1, one byte per character;"
              + " character " + i + " (U+" + String.format("%04X", (int) text.charAt(i))
              + ") is not a byte. Use data_hex or data_base64 for binary data, or the bytes of"
              + " its UTF-8 form: " + step);
        }
      }
      data = Catalogue.latin1(text);
    }
    int repeat = step.path("repeat").asInt(1);
    if (repeat > 1) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int i = 0; i < repeat; i++) {
        all.write(data);
      }
      data = all.toByteArray();
    }
    return data;
  }

  private String step(Conn c, JsonNode step) throws Exception {
    String op = step.path("op").asText();
    double bound = Json.number(step, "bound", scenario.bound());
    long start = System.nanoTime();
    switch (op) {
      case "connect":
        try {
          c.link = connect(c.label, bound);
        } catch (IOException e) {
          return "connect: " + errorKind(e);
        }
        return "connect: ok";
      case "send": {
        byte[] data = data(step);
        long boundMs = (long) (bound * 1000);
        try {
          if (step.path("byte_by_byte").asBoolean()) {
            double pause = Json.number(step, "pause", 0.0);
            for (byte b : data) {
              c.link.write(new byte[] {b}, boundMs);
              if (pause > 0) {
                Catalogue.sleep(pause); // the pause is the behaviour: bytes in separate segments
              }
            }
          } else {
            c.link.write(data, boundMs);
          }
        } catch (IOException e) {
          return "send " + data.length + " bytes: " + errorKind(e);
        }
        return "send " + data.length + " bytes";
      }
      case "shutdown_write":
        c.link.shutdownOutput();
        return null;
      case "close":
        c.link.close();
        return null;
      case "reset":
        c.link.reset();
        return null;
      case "dgram_socket":
        c.dgram = openDatagram(c.label, step.path("bind").asBoolean(true));
        return null;
      case "send_datagram": {
        byte[] data = data(step);
        if (c.dgram == null) {
          c.dgram = openDatagram(c.label, true);
        }
        try {
          c.dgram.send(data);
        } catch (IOException e) {
          return "send_datagram " + data.length + " bytes: " + errorKind(e);
        }
        return "send_datagram " + data.length + " bytes";
      }
      case "recv_datagram": {
        if (c.dgram == null) {
          c.dgram = openDatagram(c.label, true);
        }
        double wait = Json.number(step, "wait", bound);
        byte[] got = c.dgram.receive((long) (wait * 1000));
        return got == null ? "recv_datagram: timeout"
            : "recv_datagram: " + repr(received.apply(got)) + timing(start);
      }
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
        return "recv_until " + repr(delim) + ": " + describe(r) + timing(start);
      }
      case "recv": {
        int n = step.path("n").asInt();
        Read r = read(c, bound, null, n);
        return "recv " + n + ": " + describe(r) + timing(start);
      }
      case "read_to_end": {
        double wait = Json.number(step, "wait", bound);
        Read r = read(c, wait, null, Integer.MAX_VALUE);
        String t = r.stop.equals("timeout") ? "" : timing(start);
        return "read_to_end: " + describe(r).replace("then timeout", "then open") + t;
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

  private StreamLink connect(String client, double bound) throws IOException {
    if (datagram) {
      throw new IllegalArgumentException("\"connect\" on a datagram server; use send_datagram");
    }
    if (address instanceof UnixDomainSocketAddress) {
      // A Unix client is unbound, as in CPython's tests: the server sees '' as its address, and
      // the trace names it by accept order. Clients that run at once have no order: they bind
      // a path of their own first, which the server then sees as their address.
      SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        if (scenario.parallel()) {
          Path path = clientDir().resolve(client);
          paths.put(path.toString(), client);
          ch.bind(UnixDomainSocketAddress.of(path));
        }
        ch.connect(address);
        return new UnixLink(ch);
      } catch (IOException e) {
        ch.close();
        throw e;
      }
    }
    Socket s = new Socket();
    try {
      s.connect(address, (int) (bound * 1000));
      ports.put(s.getLocalPort(), client);
      return new TcpLink(s);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private DatagramLink openDatagram(String client, boolean bind) throws IOException {
    if (!datagram) {
      throw new IllegalArgumentException("datagram step on a stream server; use connect");
    }
    if (address instanceof UnixDomainSocketAddress) {
      if (helperPython == null) {
        throw new IllegalArgumentException("Unix datagram clients need a Python interpreter");
      }
      Path path = null;
      if (bind) {
        // As CPython's dgram_examine: the client binds its own path, so the server can reply.
        path = clientDir().resolve(client);
        paths.put(path.toString(), client);
      }
      return new UnixDatagramLink(helperPython, path,
          ((UnixDomainSocketAddress) address).getPath().toString());
    }
    UdpLink link = new UdpLink(address);
    ports.put(link.port(), client);
    return link;
  }

  private synchronized Path clientDir() throws IOException {
    if (clientDir == null) {
      clientDir = Files.createTempDirectory(Path.of("/tmp"), "ss4jc");
    }
    return clientDir;
  }

  private void deleteClientDir() {
    Path dir = clientDir;
    if (dir == null) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A temporary directory under /tmp; nothing else to do.
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

  private String describe(Read r) {
    return new Read(received.apply(r.data()), r.stop()).describe();
  }

  /**
   * Reads until {@code delim} (included) or {@code max} bytes, end of stream or the bound. Linear
   * in the bytes read: it once copied everything read so far for every byte, to test for the
   * delimiter, so a 100,001-byte line cost about 5 GB of copying and, on a loaded machine,
   * outlasted the bound while the rest of the reply sat unread in the socket (issue 10, item 1).
   */
  private Read read(Conn c, double bound, byte[] delim, int max) {
    Received got = new Received();
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
        int n;
        try {
          n = c.link.read(c.buf, left);
        } catch (SocketTimeoutException e) {
          return new Read(got.toByteArray(), "timeout");
        } catch (IOException e) {
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
      if (delim != null && got.endsWith(delim)) {
        break;
      }
    }
    return new Read(got.toByteArray(), "done");
  }

  /** The bytes a read step collects, with a delimiter test that copies nothing. */
  private static final class Received extends ByteArrayOutputStream {
    boolean endsWith(byte[] delim) {
      return count >= delim.length
          && Arrays.equals(buf, count - delim.length, count, delim, 0, delim.length);
    }
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
