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
    return Resources.path(name);
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
    Resources.deleteTree(dir);
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

  static final String USAGE = """
      socketserver4j parity runner: compares CPython's socketserver with socketserver4j, and a
      Python server with its Java port (docs/parity.md).

      usage: java -jar socketserver4j-parity.jar COMMAND [OPTIONS]

      commands:
        suite     run the scenarios against live CPython and socketserver4j, print the table,
                  write parity.md, parity.html and parity.json; exit 1 on an undocumented
                  mismatch. Options:
                    --python PATH[,PATH]  the CPython interpreter(s); default python3 on the PATH
                    --filter TEXT         only scenarios whose file name contains TEXT
                    --scenarios DIR       another scenario directory (default: the bundled ones)
                    --out DIR             where the reports go (default target/parity)
        porter    compare your Python server with your Java port; `porter --help` for options
        report    print the table again and rewrite parity.md and parity.html from parity.json:
                    --from FILE           default target/parity/parity.json
                    --out DIR             default: the directory of --from
        help      this text

      Without a command the options are the suite's, and --porter starts porter mode, as
      before: ParityRunner --porter --python-script server.py --java-main Main --scenario c.json
      """;

  /**
   * The command line (see {@link #USAGE}). Exits with the command's status when run as a
   * program; {@link #run} returns it.
   *
   * @param args the command and its options
   * @throws Exception if a command fails to run
   */
  public static void main(String[] args) throws Exception {
    int status = run(args, System.out, System.err);
    System.out.flush();
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * The entry point of {@code mvn -Pparity}: the same commands, but a failure is thrown, not
   * {@code System.exit}, which would end Maven's own JVM under {@code exec:java}.
   */
  public static final class InMaven {
    private InMaven() {}

    public static void main(String[] args) throws Exception {
      int status = run(args, System.out, System.err);
      if (status != 0) {
        throw new IllegalStateException("the parity command failed (exit status " + status
            + "); see above");
      }
    }
  }

  /** Runs a command; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    String command = args.length == 0 || args[0].startsWith("-") ? "suite" : args[0];
    String[] rest = args.length > 0 && !args[0].startsWith("-")
        ? java.util.Arrays.copyOfRange(args, 1, args.length) : args;
    switch (command) {
      case "help":
        out.print(USAGE);
        return 0;
      case "porter":
        return PorterMode.run(rest, out, err);
      case "report":
        return Reports.command(rest, out, err);
      case "suite":
        break;
      default:
        err.println("unknown command " + command);
        err.print(USAGE);
        return 2;
    }
    for (int i = 0; i < rest.length; i++) {
      switch (rest[i]) {
        case "--help", "-h" -> {
          out.print(USAGE);
          return 0;
        }
        case "--porter" -> {
          return PorterMode.run(java.util.Arrays.copyOfRange(rest, i + 1, rest.length), out, err);
        }
        case "--python", "--filter", "--scenarios", "--out" -> {
          if (i + 1 >= rest.length) {
            err.println("option " + rest[i] + " needs a value");
            return 2;
          }
          String key = switch (rest[i]) {
            case "--python" -> "parity.python";
            case "--filter" -> "parity.filter";
            case "--scenarios" -> "parity.scenarios";
            default -> "parity.reportDir";
          };
          System.setProperty(key, rest[++i]);
        }
        default -> {
          err.println("unknown option " + rest[i]);
          err.print(USAGE);
          return 2;
        }
      }
    }
    if (Boolean.getBoolean("parity.skip")) {
      out.println("parity suite skipped (-Dparity.skip=true)");
      return 0;
    }
    List<Python> pythons = Python.resolve(List.of("path"));
    List<Scenario> scenarios = scenarios();
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
      err.println(n.get(Status.MISMATCH) + " undocumented mismatches; see " + dir.resolve("parity.md"));
      return 1;
    }
    return 0;
  }
}
