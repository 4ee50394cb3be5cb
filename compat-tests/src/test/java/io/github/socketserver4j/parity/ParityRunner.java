package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.socketserver4j.parity.Comparison.Status;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The parity command: runs every scenario against every server class it names, on CPython's
 * socketserver and on socketserver4j, compares, prints a table with progress, writes it as
 * Markdown and HTML, and ends with {@code N scenarios, N match, N documented deviations, N
 * mismatches}. See docs/parity.md.
 *
 * <pre>
 * mvn -B -Pparity -pl compat-tests -am verify -DskipTests [-Dparity.python=/path/python3,...]
 *     [-Dparity.filter=TEXT]
 * </pre>
 */
public final class ParityRunner {

  /** One scenario run: a scenario file, a server class, a CPython version. */
  record Row(Scenario scenario, String serverClass, Python python, SideResult cpython,
      SideResult java, Comparison comparison, double seconds) {}

  private final Path driver;
  /** The runs of each scenario and server class, all CPython versions: computed together. */
  private final Map<String, List<Row>> groups = new ConcurrentHashMap<>();

  /** Runs the sides of one scenario run at once; daemon threads, so nothing outlives the JVM. */
  private static final ExecutorService SIDES = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "parity-side");
    t.setDaemon(true);
    return t;
  });

  ParityRunner() {
    this.driver = classpathFile("/python/parity_server.py");
  }

  /** The scenarios: {@code -Dparity.scenarios=DIR}, else those on the test class path. */
  static Path scenariosDir() {
    String dir = System.getProperty("parity.scenarios", "").trim();
    return dir.isEmpty() ? classpathFile("/scenarios") : Paths.get(dir);
  }

  static Path classpathFile(String name) {
    URL url = ParityRunner.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException(name + " is not on the class path (run test-compile first)");
    }
    try {
      return Paths.get(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Scenario> scenarios() {
    String filter = System.getProperty("parity.filter", "").trim();
    return Scenario.loadAll(scenariosDir()).stream()
        .filter(s -> filter.isEmpty() || s.id().contains(filter))
        .toList();
  }

  /**
   * The address one side binds: the scenario's ({@code 127.0.0.1} port 0 by default), or for a
   * Unix server class a fresh socket path of its own (CPython's {@code pickaddr}), in a new
   * directory that {@code dirs} collects for removal.
   */
  static JsonNode address(Scenario sc, String serverClass, List<Path> dirs) {
    if (Traced.unix(serverClass)) {
      try {
        Path dir = Files.createTempDirectory(Paths.get("/tmp"), "ss4jp");
        dirs.add(dir);
        Path path = dir.resolve("s");
        if (Json.text(sc.json(), "unix_path", "").equals("exists")) {
          Files.createFile(path); // something already at the path: binding must fail
        }
        return TextNode.valueOf(path.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    JsonNode a = sc.json().get("address");
    if (a != null) {
      return a;
    }
    return Json.array().add("127.0.0.1").add(0);
  }

  /**
   * One scenario on one server class against every CPython version: socketserver4j's side (it
   * does not depend on the version) and each CPython side run at the same time, as separate
   * servers with separate clients, unless {@code -Dparity.sequential=true}. The scenarios keep
   * their timing classes at twice the threshold or more, so a loaded machine only makes a
   * "waited" step slower.
   */
  List<Row> group(Scenario sc, String serverClass, List<Python> pythons) {
    return groups.computeIfAbsent(sc.id() + "/" + serverClass, k -> runGroup(sc, serverClass, pythons));
  }

  /** The row of {@link #group} for one CPython version. */
  Row run(Scenario sc, String serverClass, Python python, List<Python> pythons) {
    return group(sc, serverClass, pythons).stream()
        .filter(r -> r.python().equals(python))
        .findFirst()
        .orElseThrow();
  }

  private List<Row> runGroup(Scenario sc, String serverClass, List<Python> pythons) {
    long start = System.nanoTime();
    List<Path> dirs = Collections.synchronizedList(new ArrayList<>());
    Path helper = pythons.get(0).executable();
    try {
      List<Callable<SideResult>> tasks = new ArrayList<>();
      tasks.add(() -> SideResult.run(sc, serverClass,
          new JavaDriver(sc, serverClass, address(sc, serverClass, dirs)), helper));
      for (Python python : pythons) {
        tasks.add(() -> SideResult.run(sc, serverClass, new PythonServerSide(
            python, driver, sc.file(), serverClass, address(sc, serverClass, dirs)),
            python.executable()));
      }
      List<SideResult> results = new ArrayList<>();
      if (Boolean.getBoolean("parity.sequential")) {
        for (Callable<SideResult> t : tasks) {
          results.add(t.call());
        }
      } else {
        for (Future<SideResult> f : SIDES.invokeAll(tasks)) {
          results.add(f.get());
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      SideResult java = results.get(0);
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < pythons.size(); i++) {
        Python python = pythons.get(i);
        SideResult py = results.get(i + 1);
        Comparison c = Comparison.compare(sc, serverClass, py, java, python.version());
        rows.add(new Row(sc, serverClass, python, py, java, c, seconds));
      }
      return rows;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + sc.id(), e);
    } catch (Exception e) {
      throw new IllegalStateException("running " + sc.id() + " on " + serverClass + " failed", e);
    } finally {
      dirs.forEach(ParityRunner::deleteTree);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A temporary directory under /tmp; nothing else to do.
    }
  }

  /** Every run of the suite, printing progress to {@code out}. */
  List<Row> runAll(List<Scenario> scenarios, List<Python> pythons, PrintStream out) {
    int total = 0;
    for (Scenario sc : scenarios) {
      total += sc.servers().size() * pythons.size();
    }
    List<Row> rows = new ArrayList<>();
    int i = 0;
    for (Scenario sc : scenarios) {
      for (String cls : sc.servers()) {
        for (Row row : group(sc, cls, pythons)) {
          rows.add(row);
          i++;
          out.printf("[%3d/%d] %-44s %-27s CPython %-8s %-22s %5.1f s%n", i, total, sc.id(), cls,
              row.python().version(), row.comparison().status().label, row.seconds());
          if (row.comparison().status() == Status.MISMATCH) {
            out.println(indent(row.comparison().detail()));
          }
          out.flush();
        }
      }
    }
    return rows;
  }

  static String indent(String text) {
    return "        " + text.replace("\n", "\n        ");
  }

  static Map<Status, Integer> counts(List<Row> rows) {
    Map<Status, Integer> n = new EnumMap<>(Status.class);
    for (Status s : Status.values()) {
      n.put(s, 0);
    }
    rows.forEach(r -> n.merge(r.comparison().status(), 1, Integer::sum));
    return n;
  }

  /** The closing line: runs compared, then how they came out. */
  static String summary(List<Row> rows) {
    Map<Status, Integer> n = counts(rows);
    int compared = rows.size() - n.get(Status.UNAVAILABLE);
    return compared + " scenarios, " + n.get(Status.MATCH) + " match, "
        + n.get(Status.DEVIATION) + " documented deviations, " + n.get(Status.MISMATCH) + " mismatches";
  }

  /** A short cell for the table. */
  static String cell(SideResult r) {
    if (r.unavailable() != null) {
      return "not available: " + r.unavailable();
    }
    if (!r.ok()) {
      return "failed to run";
    }
    ObjectNode x = r.result();
    if (!x.path("construct").asText().equals("ok")) {
      return "constructor raised " + x.path("construct").asText().replace("raised:", "");
    }
    List<String> parts = new ArrayList<>();
    List<String> serve = new ArrayList<>();
    x.path("serve").forEach(s -> serve.add(s.asText()));
    if (!serve.isEmpty()) {
      parts.add(String.join("; ", serve));
    }
    List<String> errors = new ArrayList<>();
    x.path("requests").forEach(req -> req.forEach(t -> {
      if (t.asText().startsWith("handle_error")) {
        errors.add(t.asText().replaceAll("@.*", ""));
      }
    }));
    if (!errors.isEmpty()) {
      parts.add(String.join(", ", errors));
    }
    x.path("thread_exceptions").forEach(t -> parts.add("thread died: " + t.asText()));
    x.path("clients").fields().forEachRemaining(f -> {
      JsonNode recs = f.getValue();
      if (recs.size() > 0) {
        String last = recs.get(recs.size() - 1).asText();
        parts.add(f.getKey() + " " + (last.length() > 60 ? last.substring(0, 57) + "..." : last));
      }
    });
    return String.join(" · ", parts);
  }

  static void writeReports(List<Row> rows, Path dir) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("parity.md"), Reports.markdown(rows));
      Files.writeString(dir.resolve("parity.html"), Reports.html(rows));
      Files.writeString(dir.resolve("parity.json"), Json.pretty(Reports.json(rows)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path reportDir() {
    return Paths.get(System.getProperty("parity.reportDir", "target/parity"));
  }

  public static void main(String[] args) throws Exception {
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--python" -> System.setProperty("parity.python", args[++i]);
        case "--filter" -> System.setProperty("parity.filter", args[++i]);
        case "--scenarios" -> System.setProperty("parity.scenarios", args[++i]);
        case "--out" -> System.setProperty("parity.reportDir", args[++i]);
        case "--porter" -> {
          PorterMode.main(java.util.Arrays.copyOfRange(args, i + 1, args.length));
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + "; options: --python PATH[,PATH] --filter TEXT --scenarios DIR --out DIR,"
            + " or --porter ... (docs/parity.md)");
      }
    }
    if (Boolean.getBoolean("parity.skip")) {
      System.out.println("parity suite skipped (-Dparity.skip=true)");
      return;
    }
    List<Python> pythons = Python.resolve(List.of("path"));
    List<Scenario> scenarios = scenarios();
    PrintStream out = System.out;
    out.println("Parity: " + scenarios.size() + " scenario files against "
        + pythons.stream().map(p -> "CPython " + p.version() + " (" + p.executable() + ")").toList());
    long start = System.nanoTime();
    List<Row> rows = new ParityRunner().runAll(scenarios, pythons, out);
    Path dir = reportDir();
    writeReports(rows, dir);
    out.println();
    out.print(Reports.text(rows));
    Map<Status, Integer> n = counts(rows);
    out.printf("Reports: %s, %s (%.0f s)%n", dir.resolve("parity.md"), dir.resolve("parity.html"),
        (System.nanoTime() - start) / 1e9);
    if (n.get(Status.UNAVAILABLE) > 0) {
      out.println(n.get(Status.UNAVAILABLE) + " runs not yet available (listed in the table)");
    }
    out.println(summary(rows));
    out.flush();
    if (n.get(Status.MISMATCH) > 0) {
      throw new IllegalStateException(n.get(Status.MISMATCH) + " undocumented mismatches; see "
          + dir.resolve("parity.md"));
    }
  }
}
