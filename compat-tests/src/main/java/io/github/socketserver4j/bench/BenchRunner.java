package io.github.socketserver4j.bench;

import io.github.socketserver4j.bench.Workload.Pattern;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs every server on every workload, interleaved, and writes one table.
 *
 * <p>{@code compat-tests/bench/run [--quick] [options]} starts this class. Each round runs the
 * workloads in turn; for one workload every server runs once, in a fresh process started by {@code
 * bench/echo-server}, in an order that reverses from round to round (ABBA), so the servers that are
 * compared run next to each other in time. Ratios are computed per round, against raw Netty and
 * against CPython, and the table shows the median over the rounds.
 *
 * <p>Options: {@code --quick} (one short round, fewer connections: the CI smoke pass), {@code
 * --rounds N}, {@code --warmup SECONDS}, {@code --measure SECONDS}, {@code --budget SECONDS} (skip
 * rounds that would not fit), {@code --workloads a,b}, {@code --servers text,...} (rows whose label
 * contains one of them), {@code --out DIR}, {@code --bench-dir DIR}, {@code --classpath CP}, {@code
 * --jdk25 HOME}, {@code --jdk17 HOME}, {@code --python PATH}, {@code --server-jvm-opts "FLAGS"}
 * (added to every Java server, for example to record a JFR profile).
 */
public final class BenchRunner {
  /** Raised by the run for the idle workload; the launcher raises the servers' limit too. */
  private static final long READY_TIMEOUT_SECONDS = 60;

  final Options options;
  final List<Entry> plan = new ArrayList<>();
  final List<RunResult> results = new ArrayList<>();
  final List<String[]> unavailable = new ArrayList<>();
  final Map<String, String> machine = new LinkedHashMap<>();
  int roundsRun;
  String roundsNote;
  private final AtomicInteger unixCounter = new AtomicInteger();

  /** The server running now, stopped by a shutdown hook if the runner is killed (Ctrl-C). */
  private volatile Process current;

  private Path socketDir;

  /** A workload and the servers that run it. */
  record Entry(Workload workload, List<ServerSpec> servers) {}

  /** Parsed command line. */
  static final class Options {
    boolean quick;
    int rounds = 3;
    double warmup = 1.0;
    double measure = 1.5;
    double budget = 540;
    List<String> workloads = List.of();
    List<String> servers = List.of();
    Path out = Path.of("target", "bench");
    Path benchDir;
    String classpath = System.getProperty("java.class.path");
    String jdk25;
    String jdk17;
    String python = "python3";
    String serverJvmOpts = "";
    String thisJdk = System.getProperty("java.home");

    static Options parse(String[] args) {
      Options o = new Options();
      boolean roundsSet = false;
      boolean warmupSet = false;
      boolean measureSet = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick":
            o.quick = true;
            break;
          case "--rounds":
            o.rounds = Integer.parseInt(args[++i]);
            roundsSet = true;
            break;
          case "--warmup":
            o.warmup = Double.parseDouble(args[++i]);
            warmupSet = true;
            break;
          case "--measure":
            o.measure = Double.parseDouble(args[++i]);
            measureSet = true;
            break;
          case "--budget":
            o.budget = Double.parseDouble(args[++i]);
            break;
          case "--workloads":
            o.workloads = List.of(args[++i].split(","));
            break;
          case "--servers":
            o.servers = List.of(args[++i].split(","));
            break;
          case "--out":
            o.out = Path.of(args[++i]);
            break;
          case "--bench-dir":
            o.benchDir = Path.of(args[++i]);
            break;
          case "--classpath":
            o.classpath = args[++i];
            break;
          case "--jdk25":
            o.jdk25 = args[++i];
            break;
          case "--jdk17":
            o.jdk17 = args[++i];
            break;
          case "--python":
            o.python = args[++i];
            break;
          case "--server-jvm-opts":
            o.serverJvmOpts = args[++i];
            break;
          default:
            throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (o.quick) {
        o.rounds = roundsSet ? o.rounds : 1;
        o.warmup = warmupSet ? o.warmup : 0.2;
        o.measure = measureSet ? o.measure : 0.3;
      }
      if (o.benchDir == null) {
        o.benchDir =
            Files.isDirectory(Path.of("bench"))
                ? Path.of("bench")
                : Path.of("compat-tests", "bench");
      }
      return o;
    }
  }

  BenchRunner(Options options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    BenchRunner runner = new BenchRunner(Options.parse(args));
    runner.runAll();
    Path md = runner.writeReports();
    System.out.println();
    System.out.println(Files.readString(md));
  }

  // ---- The plan ----

  /** Builds the list of workloads and servers from the options and the JDKs found. */
  void plan() {
    String mainJdk = jdkAtLeast(options.jdk25, 21) ? options.jdk25 : options.thisJdk;
    String mainLabel = Integer.toString(major(mainJdk));
    boolean virtual = major(mainJdk) >= 21;
    ServerSpec ss4jTcp = new ServerSpec("ss4j", "tcp", mainJdk, mainLabel);
    ServerSpec ss4jThreading = new ServerSpec("ss4j", "threading-tcp", mainJdk, mainLabel);
    ServerSpec nettyTcp = new ServerSpec("netty", "tcp", mainJdk, mainLabel);
    ServerSpec javanetPlatform = new ServerSpec("javanet-platform", "tcp", mainJdk, mainLabel);
    ServerSpec javanetVirtual =
        virtual ? new ServerSpec("javanet-virtual", "tcp", mainJdk, mainLabel) : null;
    ServerSpec pyTcp = new ServerSpec("cpython", "tcp", null, null);
    ServerSpec pyThreading = new ServerSpec("cpython", "threading-tcp", null, null);
    ServerSpec ss4jThreading17 = null;
    if (!options.quick && major(mainJdk) != 17 && jdkAtLeast(options.jdk17, 17)) {
      ss4jThreading17 = new ServerSpec("ss4j", "threading-tcp", options.jdk17, "17");
    }
    ServerSpec eventloop = new ServerSpec("ss4j", "eventloop-tcp", mainJdk, mainLabel);
    // The same server with one event loop and one virtual-thread carrier instead of one of each
    // per core: fewer threads to wake on a 2-core machine (flags only, no code change).
    ServerSpec ss4jFewThreads =
        options.quick || !virtual
            ? null
            : new ServerSpec(
                "ss4j",
                "threading-tcp",
                mainJdk,
                mainLabel,
                "-Dsocketserver4j.netty.ioThreads=1 -Djdk.virtualThreadScheduler.parallelism=1",
                "1 I/O thread, 1 carrier");

    int rr2000 = options.quick ? 200 : 2000;
    int idle = options.quick ? 500 : 10_000;
    add(
        new Workload("rr-32", Pattern.RR, "tcp", 32),
        ss4jThreading,
        ss4jFewThreads,
        ss4jThreading17,
        eventloop,
        nettyTcp,
        javanetPlatform,
        javanetVirtual,
        pyThreading);
    add(
        new Workload("rr-" + rr2000, Pattern.RR, "tcp", rr2000),
        ss4jThreading,
        ss4jFewThreads,
        ss4jThreading17,
        eventloop,
        nettyTcp,
        javanetPlatform,
        javanetVirtual,
        pyThreading);
    add(
        new Workload("connect-16", Pattern.CONNECT, "tcp", 16),
        ss4jTcp,
        ss4jThreading,
        nettyTcp,
        javanetPlatform,
        javanetVirtual,
        pyTcp,
        pyThreading);
    add(
        new Workload("udp-32", Pattern.DATAGRAM, "udp", 32),
        new ServerSpec("ss4j", "udp", mainJdk, mainLabel),
        new ServerSpec("ss4j", "threading-udp", mainJdk, mainLabel),
        new ServerSpec("netty", "udp", mainJdk, mainLabel),
        new ServerSpec("cpython", "udp", null, null),
        new ServerSpec("cpython", "threading-udp", null, null));
    add(
        new Workload("unix-rr-32", Pattern.RR, "unix", 32),
        new ServerSpec("ss4j", "threading-unix", mainJdk, mainLabel),
        new ServerSpec("netty", "unix", mainJdk, mainLabel),
        new ServerSpec("cpython", "threading-unix", null, null));
    add(
        new Workload("unix-connect-16", Pattern.CONNECT, "unix", 16),
        new ServerSpec("ss4j", "unix", mainJdk, mainLabel),
        new ServerSpec("ss4j", "threading-unix", mainJdk, mainLabel),
        new ServerSpec("netty", "unix", mainJdk, mainLabel),
        new ServerSpec("cpython", "unix", null, null),
        new ServerSpec("cpython", "threading-unix", null, null));
    add(
        new Workload("unix-dgram-32", Pattern.DATAGRAM, "unix-datagram", 32),
        new ServerSpec("ss4j", "unix-datagram", mainJdk, mainLabel),
        new ServerSpec("netty", "unix-datagram", mainJdk, mainLabel),
        new ServerSpec("cpython", "unix-datagram", null, null));
    add(
        new Workload("idle-" + idle, Pattern.IDLE, "tcp", idle),
        ss4jThreading,
        nettyTcp,
        javanetVirtual != null ? javanetVirtual : javanetPlatform,
        pyThreading);
    if (!virtual) {
      unavailable.add(
          new String[] {
            "rr-32", "java.net tcp virtual threads", "needs JDK 21+ (run with --jdk25)"
          });
    }
  }

  private void add(Workload w, ServerSpec... servers) {
    if (!options.workloads.isEmpty() && !options.workloads.contains(w.name())) {
      return;
    }
    List<ServerSpec> list = new ArrayList<>();
    for (ServerSpec s : servers) {
      if (s == null) {
        continue;
      }
      if (!options.servers.isEmpty()
          && options.servers.stream().noneMatch(f -> s.label().contains(f))) {
        continue;
      }
      list.add(s);
    }
    if (!list.isEmpty()) {
      plan.add(new Entry(w, list));
    }
  }

  // ---- Running ----

  void runAll() throws Exception {
    if (!ProcStats.available()) {
      throw new IllegalStateException("the benchmark reads /proc: it runs on Linux only");
    }
    plan();
    describeMachine();
    Thread hook =
        new Thread(
            () -> {
              Process p = current;
              if (p != null) {
                p.destroyForcibly();
              }
            },
            "bench-stop-server");
    Runtime.getRuntime().addShutdownHook(hook);
    Files.createDirectories(options.out.resolve("logs"));
    socketDir = Files.createTempDirectory(Path.of("/tmp"), "ss4j-bench");
    long started = System.nanoTime();
    double lastRound = 0;
    try {
      for (int round = 0; round < options.rounds; round++) {
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (round > 0 && elapsed + lastRound > options.budget) {
          roundsNote =
              String.format(
                  Locale.ROOT,
                  "%d of %d rounds: a round takes %.0f s, and the budget is %.0f s",
                  round,
                  options.rounds,
                  lastRound,
                  options.budget);
          System.out.println("bench: " + roundsNote);
          break;
        }
        long roundStart = System.nanoTime();
        runRound(round);
        roundsRun = round + 1;
        lastRound = (System.nanoTime() - roundStart) / 1e9;
        System.out.printf(Locale.ROOT, "bench: round %d took %.0f s%n", round + 1, lastRound);
      }
    } finally {
      Runtime.getRuntime().removeShutdownHook(hook);
      deleteTree(socketDir);
    }
    machine.put("load average after", loadAverage());
    machine.put(
        "duration", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));
  }

  private void runRound(int round) throws Exception {
    for (Entry e : plan) {
      List<ServerSpec> order = new ArrayList<>(e.servers());
      if (round % 2 == 1) {
        Collections.reverse(order); // ABBA: cancels a drift in the machine's load
      }
      for (ServerSpec s : order) {
        if (isUnavailable(e.workload().name(), s.label())) {
          continue;
        }
        RunResult r = runOne(round, e.workload(), s);
        results.add(r);
        System.out.println("bench: " + line(r));
      }
    }
  }

  private boolean isUnavailable(String workload, String label) {
    for (String[] u : unavailable) {
      if (u[1].equals(label)) {
        return true;
      }
    }
    return false;
  }

  private static String line(RunResult r) {
    String head =
        String.format(
            Locale.ROOT, "round %d %-14s %-44s", r.round + 1, r.workload.name(), r.server.label());
    if (!r.ok()) {
      return head + " FAILED: " + (r.error != null ? r.error : r.m == null ? "?" : r.m.failure);
    }
    return head
        + String.format(
            Locale.ROOT,
            " %9.0f req/s  p50 %7.3f ms  p99 %8.3f ms  cpu %7.1f us/req  rss %6.1f MB  errors %d%s",
            r.perSecond(),
            r.p50Millis(),
            r.p99Millis(),
            r.cpuPerRequest(),
            r.peakRssMib(),
            r.m.errors,
            r.m.failure == null ? "" : " (" + r.m.failure + ")");
  }

  private RunResult runOne(int round, Workload w, ServerSpec s) throws Exception {
    RunResult r = new RunResult(round, w, s);
    SocketAddress target;
    String where;
    if (w.unix()) {
      Path path = socketDir.resolve("s" + unixCounter.incrementAndGet());
      where = path.toString();
      target = UnixDomainSocketAddress.of(path);
    } else {
      int port = freePort(w.datagram());
      where = Integer.toString(port);
      target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }
    Path log =
        options
            .out
            .resolve("logs")
            .resolve(String.format("r%d-%s-%s.log", round + 1, w.name(), s.key()));
    Process p;
    try {
      p = start(s, where, log);
    } catch (IOException e) {
      r.error = e.getMessage();
      if (r.error != null && r.error.contains("not available yet")) {
        unavailable.add(new String[] {w.name(), s.label(), "not available yet"});
      }
      return r;
    }
    long pid = p.pid();
    current = p;
    try {
      long[] cpu = new long[2];
      long[] jit = new long[2];
      boolean java = s.jdk() != null;
      long[] idle = new long[4];
      LoadClient.Window window =
          new LoadClient.Window() {
            @Override
            public void start() {
              cpu[0] = ProcStats.cpuMicros(pid);
              jit[0] = java ? ProcStats.jitCpuMicros(pid) : 0;
              readMachine(idle, 0);
            }

            @Override
            public void end() {
              cpu[1] = ProcStats.cpuMicros(pid);
              jit[1] = java ? ProcStats.jitCpuMicros(pid) : 0;
              readMachine(idle, 2);
              r.peakRssKib = ProcStats.peakRssKib(pid);
              r.rssKib = ProcStats.rssKib(pid);
              r.threads = ProcStats.threads(pid);
            }
          };
      LoadClient.Timing timing =
          new LoadClient.Timing(
              seconds(options.warmup),
              seconds(options.measure),
              seconds(w.pattern() == Pattern.IDLE ? 120 : 60),
              TimeUnit.MILLISECONDS.toNanos(500));
      r.m =
          w.transport().equals("unix-datagram")
              ? UnixDatagramLoad.run(w, where, timing, window)
              : LoadClient.run(w, target, timing, window);
      if (cpu[0] >= 0 && cpu[1] >= 0 && r.m.windowNanos > 0) {
        r.serverCpuMicros = cpu[1] - cpu[0];
        r.serverJitMicros = jit[0] >= 0 && jit[1] >= 0 ? Math.max(0, jit[1] - jit[0]) : 0;
      }
      long total = idle[3] - idle[1];
      if (total > 0) {
        r.machineIdle = (double) (idle[2] - idle[0]) / total;
      }
      if (!p.isAlive()) {
        r.error = "the server died: see " + log;
      }
    } catch (IOException | RuntimeException e) {
      r.error = e.toString();
    } finally {
      stop(p);
      current = null;
    }
    return r;
  }

  /** Idle and total jiffies of the whole machine, from the first line of /proc/stat. */
  private static void readMachine(long[] into, int at) {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      into[at] = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
      into[at + 1] = total;
    } catch (IOException | RuntimeException e) {
      into[at] = 0;
      into[at + 1] = 0;
    }
  }

  private static long seconds(double s) {
    return (long) (s * 1e9);
  }

  private static int freePort(boolean udp) throws IOException {
    InetAddress lo = InetAddress.getLoopbackAddress();
    if (udp) {
      try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(lo, 0))) {
        return d.getLocalPort();
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, lo)) {
      return s.getLocalPort();
    }
  }

  /** Starts {@code echo-server} and waits for its READY line. */
  private Process start(ServerSpec s, String where, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(options.benchDir.resolve("echo-server").toString());
    cmd.add("--impl");
    cmd.add(s.impl());
    cmd.add(s.kind());
    cmd.add(where);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectError(log.toFile());
    if (s.jdk() != null) {
      pb.environment().put("BENCH_JAVA", Path.of(s.jdk(), "bin", "java").toString());
      String nativeAccess = major(s.jdk()) >= 24 ? "--enable-native-access=ALL-UNNAMED " : "";
      pb.environment()
          .put("BENCH_JAVA_OPTS", nativeAccess + s.jvmOpts() + " " + options.serverJvmOpts);
    }
    pb.environment().put("BENCH_CLASSPATH", options.classpath);
    pb.environment().put("BENCH_PYTHON", options.python);
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<Boolean> ready = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                  if (l.strip().equals("READY")) {
                    ready.complete(true);
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
              ready.complete(false);
            },
            "bench-stdout");
    reader.setDaemon(true);
    reader.start();
    boolean ok;
    try {
      ok = ready.get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      ok = false;
    } catch (Exception e) {
      ok = false;
    }
    if (!ok) {
      stop(p);
      String tail = tail(log);
      throw new IOException("server " + s.label() + " did not print READY: " + tail);
    }
    return p;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void stop(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
  }

  // ---- The machine ----

  private void describeMachine() {
    machine.put("date", Instant.now().toString());
    machine.put("nproc", Integer.toString(Runtime.getRuntime().availableProcessors()));
    machine.put("kernel", command("uname", "-srm"));
    machine.put("cpu", cpuModel());
    machine.put("load average before", loadAverage());
    for (String jdk : new String[] {options.thisJdk, options.jdk25, options.jdk17}) {
      if (jdk != null && Files.isDirectory(Path.of(jdk))) {
        machine.putIfAbsent(
            "JDK " + major(jdk), command(Path.of(jdk, "bin", "java").toString(), "-version"));
      }
    }
    machine.put("CPython", command(options.python, "--version"));
    machine.put(
        "client", "this JVM, one NIO selector thread (" + System.getProperty("java.version") + ")");
    machine.put(
        "timing",
        String.format(
            Locale.ROOT,
            "%d round(s) planned, warm-up %.1f s, measured %.1f s per run%s",
            options.rounds,
            options.warmup,
            options.measure,
            options.quick ? " (--quick)" : ""));
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static String cpuModel() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // unknown
    }
    return "?";
  }

  private static String command(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(10, TimeUnit.SECONDS);
      int nl = out.indexOf('\n');
      String first = nl < 0 ? out : out.substring(0, nl);
      if (cmd[cmd.length - 1].equals("-version")) {
        // "openjdk version ..." and the runtime line's build.
        String[] lines = out.split("\n");
        return lines.length > 1 ? first + "; " + lines[1].trim() : first;
      }
      return first;
    } catch (IOException | InterruptedException e) {
      return "?";
    }
  }

  /** The JDK's major version from its {@code release} file; 0 if unknown. */
  static int major(String jdk) {
    if (jdk == null) {
      return 0;
    }
    try {
      for (String l : Files.readAllLines(Path.of(jdk, "release"))) {
        if (l.startsWith("JAVA_VERSION=")) {
          String v = l.substring(l.indexOf('"') + 1, l.lastIndexOf('"'));
          String head = v.split("[.+-]")[0];
          return Integer.parseInt(head.equals("1") ? v.split("\\.")[1] : head);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    if (jdk.equals(System.getProperty("java.home"))) {
      return Runtime.version().feature();
    }
    return 0;
  }

  private static boolean jdkAtLeast(String jdk, int feature) {
    return jdk != null && Files.isExecutable(Path.of(jdk, "bin", "java")) && major(jdk) >= feature;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(Collections.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  // ---- Reports ----

  Path writeReports() throws IOException {
    Report report = new Report(this);
    Files.createDirectories(options.out);
    Path md = options.out.resolve("results.md");
    Files.writeString(md, report.markdown());
    Files.writeString(options.out.resolve("results.svg"), report.svg());
    Files.writeString(options.out.resolve("results.csv"), report.csv());
    System.out.println("bench: wrote " + md + ", results.svg and results.csv in " + options.out);
    return md;
  }
}
