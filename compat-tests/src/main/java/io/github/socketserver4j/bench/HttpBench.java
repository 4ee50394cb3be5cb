package io.github.socketserver4j.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP rows of {@code bench/run}: {@code wrk -t1 -c32} against file servers serving a 12-byte
 * and a 64 KiB file, keep-alive (HTTP/1.1) and connection-per-request ({@code Connection: close}),
 * on socketserver4j's command (ThreadingHTTPServer + SimpleHTTPRequestHandler), CPython 3.13's
 * {@code python -m http.server} with {@code -p HTTP/1.0} and {@code -p HTTP/1.1}, JDK 25's
 * {@code jwebserver}, and {@link NettyHttpFileServer} as the ceiling. Each server runs in a fresh
 * process per round, warmed up (10 s by default, so the JIT compilers have settled), then
 * measured; the order alternates each round (ABBA) and the table gives medians of requests/s and
 * server CPU µs per request (from /proc).
 *
 * <p>Options (those of {@code bench/run}): {@code --quick}, {@code --rounds N}, {@code --warmup S},
 * {@code --measure S}, {@code --workloads http-12b-ka,...}, {@code --servers text,...}, {@code
 * --out DIR}, {@code --bench-dir DIR}, {@code --classpath CP}, {@code --jdk25 DIR}, {@code
 * --python PATH}.
 */
public final class HttpBench {
  private HttpBench() {}

  private static final java.util.concurrent.atomic.AtomicReference<String> JAVA25 =
      new java.util.concurrent.atomic.AtomicReference<>("java");
  private static final java.util.concurrent.atomic.AtomicReference<String> CLASSPATH =
      new java.util.concurrent.atomic.AtomicReference<>("");

  record Server(String label, List<String> command, boolean keepAliveCapable) {}

  record Work(String name, String file, boolean keepAlive) {}

  public static void main(String[] args) throws Exception {
    int rounds = 3;
    // Ten seconds of warm-up by default: after 2 s, C2 was still compiling the Java servers' request
    // paths and took a third of socketserver4j's CPU in the measured window (103 of 316 µs per
    // request; raw Netty's and jwebserver's too, less); the rows compare servers in steady state.
    double warmup = 10;
    double measure = 4;
    List<String> workloads = List.of();
    List<String> servers = List.of();
    Path out = Path.of("target/bench");
    Path benchDir = Path.of("bench");
    String jdk25 = "/usr/lib/jvm/temurin-25-jdk-amd64";
    String python = null;
    String classpath = System.getProperty("java.class.path");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> { rounds = 1; warmup = 1; measure = 2; }
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--measure" -> measure = Double.parseDouble(args[++i]);
        case "--workloads" -> workloads = List.of(args[++i].split(","));
        case "--servers" -> servers = List.of(args[++i].split(","));
        case "--out" -> out = Path.of(args[++i]);
        case "--bench-dir" -> benchDir = Path.of(args[++i]);
        case "--classpath" -> classpath = args[++i];
        case "--jdk25" -> jdk25 = args[++i];
        case "--python" -> python = args[++i];
        default -> {
          if (args[i].startsWith("--") && i + 1 < args.length && !args[i + 1].startsWith("--")) {
            i++; // an option of BenchRunner's that these rows do not use
          }
        }
      }
    }
    if (!workloads.isEmpty() && workloads.stream().noneMatch(w -> w.startsWith("http"))) {
      return;
    }
    Path tree = Files.createDirectories(out.resolve("http-tree"));
    Files.write(tree.resolve("f12"), "hello world\n".getBytes(StandardCharsets.US_ASCII));
    byte[] big = new byte[65536];
    Arrays.fill(big, (byte) 'x');
    Files.write(tree.resolve("f64k"), big);
    Path py = python != null && python.contains("3.13") ? Path.of(python)
        : io.github.socketserver4j.parity.http.HttpParity.findPython(null);
    String java25 = jdk25 + "/bin/java";
    JAVA25.set(java25);
    CLASSPATH.set(classpath);
    List<Work> works = new ArrayList<>();
    for (Work w : List.of(new Work("http-12b-ka", "f12", true), new Work("http-12b-close", "f12", false),
        new Work("http-64k-ka", "f64k", true), new Work("http-64k-close", "f64k", false))) {
      if (workloads.isEmpty() || workloads.contains(w.name())) {
        works.add(w);
      }
    }
    Path logs = Files.createDirectories(out.resolve("logs"));
    StringBuilder table = new StringBuilder(
        "| workload | server | requests/s (median) | server CPU µs/request | runs |\n|---|---|---|---|---|\n");
    for (Work w : works) {
      List<Server> list = new ArrayList<>();
      String proto = w.keepAlive() ? "HTTP/1.1" : "HTTP/1.0";
      list.add(new Server("socketserver4j ThreadingHTTPServer -p " + proto,
          List.of(benchDir.resolve("http-server").toString(), "-b", "127.0.0.1", "-d", tree.toString(),
              "-p", proto, "PORT"), true));
      list.add(new Server("CPython 3.13 http.server -p HTTP/1.0",
          List.of(py.toString(), "-m", "http.server", "-b", "127.0.0.1", "-d", tree.toString(), "PORT"), true));
      list.add(new Server("CPython 3.13 http.server -p HTTP/1.1",
          List.of(py.toString(), "-m", "http.server", "-p", "HTTP/1.1", "-b", "127.0.0.1", "-d",
              tree.toString(), "PORT"), true));
      list.add(new Server("JDK 25 jwebserver",
          List.of(jdk25 + "/bin/jwebserver", "-b", "127.0.0.1", "-d", tree.toString(), "-o", "none", "-p", "PORT"), true));
      list.add(new Server("raw Netty HttpServerCodec",
          List.of(java25, "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
              NettyHttpFileServer.class.getName(), "PORT", tree.toString()), true));
      List<Server> chosen = new ArrayList<>();
      for (Server s : list) {
        if (servers.isEmpty() || servers.stream().anyMatch(f -> s.label().contains(f))) {
          chosen.add(s);
        }
      }
      Map<String, List<double[]>> results = new LinkedHashMap<>();
      for (int r = 0; r < rounds; r++) {
        List<Server> order = new ArrayList<>(chosen);
        if (r % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (Server s : order) {
          double[] m = runOne(s, w, warmup, measure, logs);
          results.computeIfAbsent(s.label(), k -> new ArrayList<>()).add(m);
          System.out.printf(Locale.ROOT, "%s %s round %d: %.0f req/s, %.1f µs CPU/request%n",
              w.name(), s.label(), r + 1, m[0], m[1]);
        }
      }
      for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
        table.append(String.format(Locale.ROOT, "| %s | %s | %.0f | %.1f | %s |%n", w.name(), e.getKey(),
            median(e.getValue(), 0), median(e.getValue(), 1),
            e.getValue().stream().map(m -> String.format(Locale.ROOT, "%.0f", m[0])).toList()));
      }
    }
    Files.writeString(out.resolve("http-results.md"), table);
    System.out.print(table);
  }

  static double median(List<double[]> runs, int index) {
    double[] v = runs.stream().mapToDouble(m -> m[index]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Starts the server, waits for its port, warms up, measures; returns {req/s, CPU µs/req}. */
  static double[] runOne(Server s, Work w, double warmup, double measure, Path logs) throws Exception {
    int port = freePort();
    List<String> command = new ArrayList<>();
    for (String part : s.command()) {
      command.add(part.equals("PORT") ? String.valueOf(port) : part);
    }
    String log = s.label().replaceAll("[^A-Za-z0-9]+", "-") + "-" + w.name();
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("BENCH_JAVA", JAVA25.get());
    builder.environment().put("BENCH_CLASSPATH", CLASSPATH.get());
    Process p = builder
        .redirectOutput(logs.resolve(log + ".out").toFile())
        .redirectError(logs.resolve(log + ".err").toFile())
        .start();
    try {
      awaitPort(port, p);
      String url = "http://127.0.0.1:" + port + "/" + w.file();
      wrk(url, w.keepAlive(), warmup);
      long cpu0 = ProcStats.cpuMicros(p.pid());
      double rps = wrk(url, w.keepAlive(), measure);
      long cpu1 = ProcStats.cpuMicros(p.pid());
      double requests = rps * Math.max(1, Math.round(measure));
      return new double[] {rps, requests > 0 ? (cpu1 - cpu0) / requests : Double.NaN};
    } finally {
      p.destroy();
      p.waitFor();
    }
  }

  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

  static double wrk(String url, boolean keepAlive, double seconds) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("wrk", "-t1", "-c32",
        "-d" + Math.max(1, Math.round(seconds)) + "s"));
    if (!keepAlive) {
      command.addAll(List.of("-H", "Connection: close"));
    }
    command.add(url);
    Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    wrk.waitFor();
    Matcher m = RPS.matcher(output);
    if (!m.find()) {
      throw new IOException("wrk printed no Requests/sec:\n" + output);
    }
    return Double.parseDouble(m.group(1));
  }

  private static int freePort() throws IOException {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static void awaitPort(int port, Process p) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IOException("server exited with " + p.exitValue());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(50); // polling for the port to accept: the servers print no READY line
      }
    }
    throw new IOException("port " + port + " never accepted");
  }
}
