package io.github.socketserver4j.parity.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every HTTP parity scenario against live CPython 3.13 ({@code -Dparity.python313=PATH} or pyenv
 * or the PATH; the test fails, naming what to install, when there is none): 0 mismatches, and
 * each declared deviation really differs (so a stale declaration is noticed).
 */
class HttpParityTest {
  @TempDir Path work;

  @Test
  @DisplayName("issue 12: HTTP scenarios match CPython 3.13 byte for byte (Date, Server normalised)")
  void allScenariosMatch() throws Exception {
    Path python = HttpParity.findPython(System.getProperty("parity.python313"));
    List<HttpParity.Outcome> outcomes = HttpParity.run(python, work);
    assertTrue(outcomes.size() >= 100, "scenarios: " + outcomes.size());
    String mismatches =
        outcomes.stream()
            .filter(o -> !o.matches() && o.scenario().deviation() == null)
            .map(o -> o.scenario().name() + "\n  python: " + HttpParity.abbreviate(o.python())
                + "\n  java:   " + HttpParity.abbreviate(o.java()))
            .collect(Collectors.joining("\n"));
    assertEquals("", mismatches);
    String staleDeviations =
        outcomes.stream()
            .filter(o -> o.matches() && o.scenario().deviation() != null)
            .map(o -> o.scenario().name())
            .collect(Collectors.joining(", "));
    assertEquals("", staleDeviations, "declared deviations that no longer differ");
  }
}
