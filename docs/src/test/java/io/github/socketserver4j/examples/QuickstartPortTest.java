package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.parity.PortCheck;
import io.github.socketserver4j.parity.PortResult;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The quickstart of docs/parity.md: a Python TCP server and a Python UDP server, their Java
 * ports, each checked with the JUnit entry point ({@link PortCheck}) and with the runner's
 * executable jar, as a porter's own build would.
 */
class QuickstartPortTest {
  private static final Path JAR = Path.of("../compat-tests/target/socketserver4j-parity.jar");

  @Test
  @DisplayName("quickstart, JUnit: the TCP port behaves as reverse_server.py")
  // tag::junit[]
  void reverseServerPortBehavesAsThePythonServer() throws Exception {
    PortCheck.python("src/test/parity/reverse_server.py")
        .java(ReverseServer.class)
        .scenario("src/test/parity/reverse.json")
        .assertSame(); // throws AssertionError with the side-by-side difference
  }
  // end::junit[]

  @Test
  @DisplayName("quickstart, JUnit: the UDP port behaves as udp_shout_server.py")
  void udpShoutPortBehavesAsThePythonServer() throws Exception {
    PortResult r = PortCheck.python("src/test/parity/udp_shout_server.py")
        .java(UdpShoutServer.class)
        .scenario("src/test/parity/udp_shout.json")
        .run();
    assertTrue(r.matches(), r.report());
    assertTrue(r.pythonSide().contains("recv_datagram: b'HELLO'"), r.pythonSide());
    assertTrue(r.pythonSide().contains("recv_datagram: b''"), r.pythonSide());
    assertTrue(r.pythonSide().contains("recv_datagram: b'SECOND CLIENT'"), r.pythonSide());
  }

  @Test
  @DisplayName("quickstart, JUnit: a port that differs fails with the side-by-side difference")
  void wrongPortFails() throws Exception {
    AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
        () -> PortCheck.python("src/test/parity/reverse_server.py")
            .java(EchoServer.class).javaArgs("0")
            .scenario("src/test/parity/reverse.json")
            .assertSame());
    // EchoServer prints "Serving on 127.0.0.1:PORT": understood; it echoes instead of reversing.
    assertTrue(e.getMessage().contains("b'olleh\\n'") && e.getMessage().contains("b'hello\\n'"),
        e.getMessage());
  }

  @Test
  @DisplayName("quickstart, jar: java -jar socketserver4j-parity.jar porter, for both ports")
  void jarChecksBothPorts() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(JAR), "the executable jar is built by compat-tests'"
        + " package phase; run through the reactor (mvn verify)");
    for (String[] port : List.of(
        new String[] {"reverse_server.py", ReverseServer.class.getName(), "reverse.json"},
        new String[] {"udp_shout_server.py", UdpShoutServer.class.getName(), "udp_shout.json"})) {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
          "porter", "--python-script", "src/test/parity/" + port[0],
          "--java-main", port[1], "--java-classpath", System.getProperty("java.class.path"),
          "--scenario", "src/test/parity/" + port[2]));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
        try {
          return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          return e.toString();
        }
      });
      assertTrue(p.waitFor(TestRules.waitBound().toSeconds() * 6, TimeUnit.SECONDS), "the jar hung");
      String text = out.get(10, TimeUnit.SECONDS);
      assertEquals(0, p.exitValue(), text);
      assertTrue(text.contains("The clients saw the same from both servers."), text);
    }
  }
}
