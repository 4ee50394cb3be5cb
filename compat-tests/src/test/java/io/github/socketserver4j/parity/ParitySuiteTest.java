package io.github.socketserver4j.parity;

import static org.junit.jupiter.api.Assertions.fail;

import io.github.socketserver4j.parity.Comparison.Status;
import io.github.socketserver4j.parity.ParityRunner.Row;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The parity suite under {@code mvn verify}: every scenario file, against every server class it
 * names, on CPython 3.13 and 3.8 when pyenv has them (else {@code python3} from the PATH; or the
 * interpreters named by {@code -Dparity.python}). A run fails on any mismatch that the scenario
 * (or {@code class-deviations.json}) does not declare as a deviation, with both sides' results
 * side by side; a declared deviation passes and is listed in target/parity/parity.md. A server
 * class the CPython version lacks (ForkingUnixStreamServer before 3.12) is reported as skipped,
 * with the reason.
 */
class ParitySuiteTest {
  private static final List<Row> ROWS = Collections.synchronizedList(new ArrayList<>());

  static List<Python> pythons() {
    if (!System.getProperty("parity.python", "").isBlank()) {
      return Python.resolve(List.of());
    }
    List<Python> found = new ArrayList<>();
    Python.pyenv("3.13").ifPresent(found::add);
    Python.pyenv("3.8").ifPresent(found::add);
    if (found.isEmpty()) {
      Optional<Python> path = Python.onPath();
      path.ifPresent(found::add);
    }
    if (found.isEmpty()) {
      throw new IllegalStateException(Python.MISSING);
    }
    return found;
  }

  @TestFactory
  @DisplayName("Parity with CPython socketserver (docs/parity.md)")
  Stream<DynamicNode> parity() {
    Assumptions.assumeFalse(Boolean.getBoolean("parity.skip"),
        "parity suite skipped explicitly with -Dparity.skip=true");
    List<Python> pythons = pythons();
    List<Scenario> scenarios = ParityRunner.scenarios();
    if (scenarios.isEmpty()) {
      fail("no scenario files under " + ParityRunner.scenariosDir());
    }
    ParityRunner runner = new ParityRunner();
    // One container per scenario; in it one test per server class and CPython version. The
    // versions of one class run at the same time (ParityRunner.group): the first test of a
    // class runs them all, the others take their rows.
    return scenarios.stream().map(sc -> DynamicContainer.dynamicContainer(
        sc.id() + (sc.covers().isEmpty() ? "" : " (" + String.join(", ", sc.covers()) + ")"),
        sc.file().toUri(),
        sc.servers().stream().flatMap(cls -> pythons.stream().map(py -> DynamicTest.dynamicTest(
            sc.id() + " · " + cls + " · CPython " + py.version(),
            sc.file().toUri(),
            () -> check(runner.run(sc, cls, py, pythons)))))));
  }

  private static void check(Row row) {
    ROWS.add(row);
    Comparison c = row.comparison();
    if (c.status() == Status.UNAVAILABLE) {
      Assumptions.abort("not yet available: " + c.detail());
    }
    if (c.status() == Status.MISMATCH) {
      fail(row.scenario().id() + " on " + row.serverClass() + ", CPython " + row.python().version()
          + ": " + row.scenario().title() + "\n" + c.detail());
    }
    if (c.status() == Status.DEVIATION) {
      System.out.println("documented deviation: " + row.scenario().id() + " " + row.serverClass()
          + ": " + c.detail());
    }
  }

  @AfterAll
  static void writeReports() {
    if (ROWS.isEmpty()) {
      return;
    }
    List<Row> rows = new ArrayList<>(ROWS);
    ParityRunner.writeReports(rows, ParityRunner.reportDir());
    System.out.println(Reports.text(rows));
    System.out.println(ParityRunner.summary(rows));
  }
}
