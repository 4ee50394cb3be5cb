package io.github.socketserver4j.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real HAProxy (Debian's {@code haproxy} package) in front of the servers under test, started
 * in the foreground ({@code -db}) with a generated configuration, and talked to through its
 * runtime API (a Unix socket at admin level).
 *
 * <p>The test writes the frontends and backends; each {@code {{bind:NAME}}} in them becomes a
 * loopback address and port, and {@link #address(String)} returns it. HAProxy cannot bind port 0
 * ({@code 'bind' : invalid port '0'}), so the ports are picked here: at random below the kernel's
 * ephemeral range ({@code net.ipv4.ip_local_port_range}), where no port-0 bind and no outgoing
 * connection of another test can take them, and tried with a bind first. A port taken between
 * that try and HAProxy's bind is the one race left: HAProxy then exits with {@code cannot bind
 * socket}, and the harness starts it again on other ports (at most {@value #ATTEMPTS} times),
 * saying so on stdout.
 *
 * <p>If HAProxy is not installed the test fails, naming the package: the HAProxy tests never
 * skip.
 */
public final class Haproxy implements AutoCloseable {
  private static final int ATTEMPTS = 5;
  private static final Pattern BIND = Pattern.compile("\\{\\{bind:([A-Za-z0-9_-]+)}}");
  private static final Duration START_BOUND = Duration.ofSeconds(20);

  private final Process process;
  private final Path dir;
  private final Path log;
  private final Path admin;
  private final Map<String, InetSocketAddress> addresses;

  private Haproxy(
      Process process, Path dir, Path log, Path admin, Map<String, InetSocketAddress> addresses) {
    this.process = process;
    this.dir = dir;
    this.log = log;
    this.admin = admin;
    this.addresses = addresses;
  }

  /** The haproxy executable: on the PATH or in /usr/sbin (Debian's place); else fails. */
  public static Path executable() {
    List<Path> candidates = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty()) {
        candidates.add(Path.of(d, "haproxy"));
      }
    }
    candidates.add(Path.of("/usr/sbin/haproxy"));
    candidates.add(Path.of("/usr/local/sbin/haproxy"));
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError(
        "haproxy is not installed (not on the PATH, nor in /usr/sbin): the HAProxy tests need the"
            + " real load balancer. Install Debian's package: apt-get install -y haproxy"
            + " (.ci/run does this when it is missing)");
  }

  /**
   * Starts HAProxy with {@code proxies} (frontends, backends, listens) after the harness's global
   * and defaults sections, in {@code dir}, which holds any files the configuration names
   * (certificates); the harness adds its own there and deletes the whole directory on close.
   */
  public static Haproxy start(Path dir, String proxies) throws IOException, InterruptedException {
    Path exe = executable();
    List<String> names = new ArrayList<>();
    for (Matcher m = BIND.matcher(proxies); m.find(); ) {
      names.add(m.group(1));
    }
    String conflicts = "";
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
      for (String name : names) {
        addresses.put(name, freeLookingAddress(addresses));
      }
      Path admin = dir.resolve("admin.sock");
      Path log = dir.resolve("haproxy-" + attempt + ".log");
      Path cfg = dir.resolve("haproxy-" + attempt + ".cfg");
      Files.writeString(cfg, config(admin, proxies, addresses));
      Files.deleteIfExists(admin);
      Process p =
          new ProcessBuilder(exe.toString(), "-db", "-f", cfg.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Haproxy h = new Haproxy(p, dir, log, admin, addresses);
      String failure = h.awaitReady(names);
      if (failure == null) {
        return h;
      }
      h.stopProcess();
      String output = h.output();
      if (!output.contains("cannot bind socket") && !output.contains("Address already in use")) {
        h.deleteDir();
        throw new AssertionError(
            "haproxy did not start (" + failure + "); config:\n" + Files.readString(cfg)
                + "\noutput:\n" + output);
      }
      conflicts += "\n" + output.strip();
      System.out.println(
          "haproxy: another process took one of the ports " + addresses.values()
              + " between the harness's check and haproxy's bind; starting again on other ports"
              + " (attempt " + (attempt + 1) + " of " + ATTEMPTS + ")");
    }
    throw new AssertionError(
        "haproxy could not bind its frontends in " + ATTEMPTS + " attempts:" + conflicts);
  }

  /** The loopback address and port of the frontend bound at {@code {{bind:NAME}}}. */
  public InetSocketAddress address(String name) {
    InetSocketAddress a = addresses.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no {{bind:" + name + "}} in the configuration");
    }
    return a;
  }

  /** Sends one command to the runtime API and returns its answer. */
  public String command(String command) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(admin));
      ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
      ch.shutdownOutput();
      return new String(
          java.nio.channels.Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The rows of {@code show stat}, each a map from column name to value, by "proxy/name". */
  public Map<String, Map<String, String>> stats() throws IOException {
    String csv = command("show stat");
    String[] lines = csv.split("\n");
    if (lines.length == 0 || !lines[0].startsWith("# ")) {
      throw new IOException("unexpected answer to show stat: " + csv);
    }
    String[] header = lines[0].substring(2).split(",", -1);
    Map<String, Map<String, String>> rows = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      String[] cells = lines[i].split(",", -1);
      Map<String, String> row = new HashMap<>();
      for (int c = 0; c < header.length && c < cells.length; c++) {
        row.put(header[c], cells[c]);
      }
      rows.put(row.get("pxname") + "/" + row.get("svname"), row);
    }
    return rows;
  }

  /** One column of {@code show stat} for {@code proxy/server} (or {@code proxy/FRONTEND}). */
  public String stat(String proxyAndName, String column) throws IOException {
    Map<String, String> row = stats().get(proxyAndName);
    if (row == null) {
      throw new IllegalArgumentException("show stat has no row " + proxyAndName);
    }
    return row.get(column);
  }

  /** A numeric column of {@code show stat}; empty cells are 0. */
  public long count(String proxyAndName, String column) throws IOException {
    String v = stat(proxyAndName, column);
    return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
  }

  /** Waits (bounded) until HAProxy's health check says {@code backend/server} is UP. */
  public void awaitUp(String backendAndServer) throws IOException {
    awaitStatus(backendAndServer, "UP");
  }

  /** Waits (bounded) until the status of {@code backend/server} starts with {@code status}. */
  public void awaitStatus(String backendAndServer, String status) throws IOException {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    String seen;
    while (!(seen = stat(backendAndServer, "status")).startsWith(status)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            backendAndServer + " is " + seen + ", not " + status + " (last check: "
                + stat(backendAndServer, "check_status") + "); haproxy said:\n" + output());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** What HAProxy has printed (its log lines, with {@code option tcplog}, and its alerts). */
  public String output() throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      stopProcess();
    } finally {
      deleteDir();
    }
  }

  private void stopProcess() throws InterruptedException {
    process.destroy(); // SIGTERM: haproxy -db stops at once
    if (!process.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void deleteDir() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toArray(Path[]::new)) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Null once every frontend is OPEN; else why not (the process ended, or the time ran out). */
  private String awaitReady(List<String> frontends) throws IOException {
    long deadline = System.nanoTime() + TestRules.timeout(START_BOUND).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return "it exited with status " + process.exitValue();
      }
      if (Files.exists(admin)) {
        try {
          Map<String, Map<String, String>> rows = stats();
          if (rows.values().stream()
              .filter(r -> "FRONTEND".equals(r.get("svname")))
              .allMatch(r -> "OPEN".equals(r.get("status")))) {
            return null;
          }
        } catch (IOException e) {
          // not listening on the runtime API yet
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    return "not ready within " + START_BOUND + " for frontends " + frontends;
  }

  private static String config(
      Path admin, String proxies, Map<String, InetSocketAddress> addresses) {
    Matcher m = BIND.matcher(proxies);
    StringBuilder body = new StringBuilder();
    while (m.find()) {
      InetSocketAddress a = addresses.get(m.group(1));
      m.appendReplacement(body, a.getAddress().getHostAddress() + ":" + a.getPort());
    }
    m.appendTail(body);
    return String.join(
            "\n",
            "global",
            "  nbthread 1",
            "  maxconn 2000",
            "  log stdout format raw local0 info",
            "  stats socket " + admin + " level admin",
            "",
            "defaults",
            "  mode tcp",
            "  log global",
            "  option tcplog",
            "  timeout connect 5s",
            "  timeout client 30s",
            "  timeout server 30s",
            "  timeout check 5s",
            "",
            body.toString())
        + "\n";
  }

  /** A loopback port below the ephemeral range that a bind just accepted. */
  private static InetSocketAddress freeLookingAddress(Map<String, InetSocketAddress> taken)
      throws IOException {
    int[] range = ephemeralRange();
    int low = 10_000;
    int high = range[0] - 1;
    if (high - low < 1000) { // an unusual range: use the ports above it instead
      low = range[1] + 1;
      high = 65_535;
    }
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    for (int i = 0; i < 1000; i++) {
      int port = ThreadLocalRandom.current().nextInt(low, high + 1);
      InetSocketAddress a = new InetSocketAddress(loopback, port);
      if (taken.containsValue(a)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket()) {
        s.bind(a);
        return a;
      } catch (IOException e) {
        // in use: try another
      }
    }
    throw new IOException("no free loopback port found in " + low + "-" + high);
  }

  private static int[] ephemeralRange() {
    try {
      String[] f = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim()
          .split("\\s+");
      return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
    } catch (IOException | RuntimeException e) {
      return new int[] {32768, 60999}; // Linux's default
    }
  }
}
