package io.github.socketserver4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.TestRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CI smoke pass of the benchmark (issue 6): {@code bench/run --quick} once, through the real
 * launcher, real servers and the real load client. It checks that the harness works, never how fast
 * anything is: benchmarks are not timed tests.
 */
@ExtendWith(TestRules.class)
class BenchSmokeTest {

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  @DisplayName(
      "issue 6: --quick runs every server (eventloop-tcp too) on every workload and writes the"
          + " table")
  void quickPassRunsEveryServerOnEveryWorkload() throws Exception {
    Path out = Path.of("target", "bench-smoke");
    String classpath =
        Path.of("target", "classes").toAbsolutePath()
            + ":"
            + Files.readString(Path.of("target", "bench.classpath")).trim();
    BenchRunner runner =
        new BenchRunner(
            BenchRunner.Options.parse(
                new String[] {
                  "--quick",
                  "--out",
                  out.toString(),
                  "--bench-dir",
                  "bench",
                  "--classpath",
                  classpath
                }));
    runner.runAll();
    Path md = runner.writeReports();

    List<String> problems = new ArrayList<>();
    for (BenchRunner.Entry e : runner.plan) {
      for (ServerSpec s : e.servers()) {
        List<RunResult> runs =
            runner.results.stream()
                .filter(r -> r.workload.equals(e.workload()) && r.server.equals(s))
                .toList();
        String what = e.workload().name() + " / " + s.label();
        if (runs.size() != 1) {
          problems.add(what + ": " + runs.size() + " runs, expected 1");
          continue;
        }
        RunResult r = runs.get(0);
        if (!r.ok()) {
          problems.add(what + ": " + (r.error != null ? r.error : r.m.failure));
          continue;
        }
        // Every echo is compared with what was sent; a datagram may only be late (a cold server).
        if (r.m.errors - r.m.lost != 0) {
          problems.add(what + ": " + r.m.errors + " errors, first: " + r.m.failure);
        }
        if (e.workload().pattern() == Workload.Pattern.IDLE
            && r.m.completed != e.workload().connections()) {
          problems.add(
              what + ": " + r.m.completed + " of " + e.workload().connections() + " served");
        }
        if (r.serverCpuMicros < 0 || r.peakRssKib <= 0) {
          problems.add(what + ": no CPU time or RSS read from /proc");
        }
      }
    }
    assertEquals(List.of(), problems);

    List<String> workloads = runner.plan.stream().map(e -> e.workload().name()).toList();
    assertEquals(
        List.of(
            "rr-32",
            "rr-200",
            "connect-16",
            "udp-32",
            "unix-rr-32",
            "unix-connect-16",
            "unix-dgram-32",
            "idle-500"),
        workloads);
    String table = Files.readString(md);
    // eventloop-tcp runs next to raw Netty on both request-response workloads, and its target
    // is evaluated from the same run (the figure itself is not checked: --quick is no benchmark).
    String eventloop = "ss4j eventloop-tcp (JDK " + Runtime.version().feature() + ")";
    for (String w : List.of("rr-32", "rr-200")) {
      assertEquals(
          1,
          runner.plan.stream()
              .filter(e -> e.workload().name().equals(w))
              .flatMap(e -> e.servers().stream())
              .filter(s -> s.label().equals(eventloop))
              .count(),
          "no " + eventloop + " on " + w);
      String target = w + ", eventloop-tcp: throughput ≥ 0.95 × raw Netty";
      List<String[]> rows =
          new Report(runner).targets().stream().filter(t -> t[0].equals(target)).toList();
      assertEquals(1, rows.size(), "no target row " + target);
      assertTrue(rows.get(0)[1].endsWith("×"), target + " not evaluated: " + rows.get(0)[1]);
    }
    assertFalse(table.contains("not available yet"), table);
    for (String w : workloads) {
      assertTrue(table.contains("| " + w + " | raw Netty "), "no raw Netty row for " + w);
      assertTrue(table.contains("| " + w + " | CPython "), "no CPython row for " + w);
    }
    assertFalse(new Report(runner).targets().isEmpty());
    // The chart is well-formed XML.
    DocumentBuilderFactory.newInstance()
        .newDocumentBuilder()
        .parse(out.resolve("results.svg").toFile());
  }
}
