package io.github.socketserver4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
  private final Map<String, SideResult> javaResults = new HashMap<>();

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

  static JsonNode address(Scenario sc) {
    JsonNode a = sc.json().get("address");
    if (a != null) {
      return a;
    }
    return Json.array().add("127.0.0.1").add(0);
  }

  /** socketserver4j's result does not depend on the CPython version: computed once. */
  SideResult java(Scenario sc, String serverClass) {
    return javaResults.computeIfAbsent(sc.id() + "/" + serverClass,
        k -> SideResult.run(sc, serverClass, new JavaDriver(sc, serverClass, address(sc))));
  }

  Row run(Scenario sc, String serverClass, Python python) {
    long start = System.nanoTime();
    SideResult py = SideResult.run(sc, serverClass,
        new PythonServerSide(python, driver, sc.file(), serverClass, address(sc)));
    SideResult java = java(sc, serverClass);
    Comparison c = Comparison.compare(sc, serverClass, py, java, python.version());
    return new Row(sc, serverClass, python, py, java, c, (System.nanoTime() - start) / 1e9);
  }

  /** Every run of the suite, printing progress to {@code out}. */
  List<Row> runAll(List<Scenario> scenarios, List<Python> pythons, PrintStream out) {
    int total = 0;
    for (Scenario sc : scenarios) {
      total += sc.servers().size() * pythons.size();
    }
    List<Row> rows = new ArrayList<>();
    int i = 0;
    for (Python python : pythons) {
      for (Scenario sc : scenarios) {
        for (String cls : sc.servers()) {
          Row row = run(sc, cls, python);
          rows.add(row);
          i++;
          out.printf("[%3d/%d] %-44s %-20s CPython %-8s %-22s %5.1f s%n", i, total, sc.id(), cls,
              python.version(), row.comparison().status().label, row.seconds());
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
