package io.github.socketserver4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Porter mode on the example in src/test/porter-example: a Python server and its Java port. */
class PorterModeTest {
  private static final Path EXAMPLE = Paths.get("src/test/porter-example");

  @Test
  @DisplayName("porter mode: the example's Python server and Java port give the clients the same bytes")
  void exampleMatches() throws Exception {
    Assumptions.assumeFalse(Boolean.getBoolean("parity.skip"), "parity skipped with -Dparity.skip=true");
    Python python = ParitySuiteTest.pythons().get(0);
    Scenario sc = Scenario.load(EXAMPLE.resolve("upper_clients.json"));
    ObjectNode py = PorterMode.run(sc, List.of(python.executable().toString(), "-u",
        EXAMPLE.resolve("upper_server.py").toString()));
    ObjectNode java = PorterMode.run(sc, List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "io.github.socketserver4j.parity.example.UpperServer"));
    // What CPython's side must show, so an empty run on both sides cannot pass.
    assertEquals(List.of("connect: ok", "send 12 bytes", "recv_until b'\\n': b'HELLO\\n'",
            "recv_until b'\\n': b'WORLD\\n'", "send 5 bytes", "read_to_end: b'bye\\n' then eof"),
        Json.MAPPER.convertValue(py.get("clients").get("c0"), List.class));
    assertEquals(py, java, "the clients saw different things:\n"
        + String.join("\n", Comparison.diff(py, java, "")));
  }
}
