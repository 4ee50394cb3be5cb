package io.github.socketserver4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Porter mode through the command line, as docs/parity.md tells porters to run it: {@code java
 * ... ParityRunner --porter ...} in a JVM of its own, judged by its exit status and its output.
 * {@link PorterModeTest} checks the comparison itself, in this JVM.
 */
class PorterCliTest {
  private static final Path EXAMPLE = Paths.get("src/test/porter-example");

  private Python python;

  @BeforeEach
  void python() {
    Assumptions.assumeFalse(Boolean.getBoolean("parity.skip"), "parity skipped with -Dparity.skip=true");
    python = ParitySuiteTest.pythons().get(0);
  }

  /** What a run of the command line printed and how it ended. */
  private record Run(int exit, String out, String err) {}

  private Run cli(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        ParityRunner.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    CompletableFuture<String> out = read(p.getInputStream());
    CompletableFuture<String> err = read(p.getErrorStream());
    // The programs and clients are bounded by the runner; this only bounds a broken one.
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("the porter command did not end within 120 s: " + command);
    }
    return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  private static CompletableFuture<String> read(java.io.InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    });
  }

  @Test
  @DisplayName("porter CLI: the example's Python server and its Java port agree; exit status 0")
  void matchingPortExitsZero() throws Exception {
    Run r = cli("--porter",
        "--python-script", EXAMPLE.resolve("upper_server.py").toString(),
        "--java-main", "io.github.socketserver4j.parity.example.UpperServer",
        "--scenario", EXAMPLE.resolve("upper_clients.json").toString(),
        "--python", python.executable().toString());
    assertEquals(0, r.exit(), "exit status; stdout:\n" + r.out() + "\nstderr:\n" + r.err());
    assertTrue(r.out().contains("The clients saw the same from both servers."), r.out());
    // What the clients saw is printed too, so an empty run cannot pass (CPython's upper-casing).
    assertTrue(r.out().contains("recv_until b'\\\\n': b'HELLO\\\\n'"), r.out());
    assertTrue(r.out().contains("read_to_end: b'bye\\\\n' then eof"), r.out());
  }

  @Test
  @DisplayName("porter CLI: a port that does not upper-case differs; the diff is printed, exit status not 0")
  void differingPortExitsNonZero() throws Exception {
    Run r = cli("--porter",
        "--python-script", EXAMPLE.resolve("upper_server.py").toString(),
        "--java-main", Unported.class.getName(),
        "--scenario", EXAMPLE.resolve("upper_clients.json").toString(),
        "--python", python.executable().toString());
    assertNotEquals(0, r.exit(), "exit status; stdout:\n" + r.out());
    // Side by side, Python on the left, the differing steps marked.
    assertTrue(r.out().contains("clients.c0:"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.contains("≠")
        && l.contains("b'HELLO\\n'") && l.contains("b'hello\\n'")), r.out());
    assertTrue(r.err().contains("the clients saw different things"), r.err());
  }

  @Test
  @DisplayName("porter CLI: a missing option prints the usage; exit status not 0")
  void missingOptionPrintsUsage() throws Exception {
    Run r = cli("--porter", "--python-script", EXAMPLE.resolve("upper_server.py").toString());
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("porter mode needs --python-script, --java-main and --scenario"),
        r.err());
    assertTrue(r.err().contains("porter mode: --porter --python-script server.py --java-main"), r.err());
  }

  @Test
  @DisplayName("porter CLI (the false pass): a UDP server's datagram steps run as datagrams; exit 0")
  void udpServerIsCompared() throws Exception {
    // Before: the clients of both sides failed with "datagram step on a stream server" and the
    // runner printed "The clients saw the same from both servers." with exit status 0.
    Run r = cli("porter",
        "--python-script", EXAMPLE.resolve("udp_upper_server.py").toString(),
        "--java-main", "io.github.socketserver4j.parity.example.UdpUpperServer",
        "--scenario", EXAMPLE.resolve("udp_upper_clients.json").toString(),
        "--python", python.executable().toString());
    assertEquals(0, r.exit(), "exit status; stdout:\n" + r.out() + "\nstderr:\n" + r.err());
    assertTrue(r.out().contains("recv_datagram: b'HELLO'"), r.out());
    assertFalse(r.out().contains("client error"), r.out());
  }

  @Test
  @DisplayName("porter CLI (the false pass): clients that fail on both sides; exit status not 0")
  void clientsFailingOnBothSidesExitNonZero() throws Exception {
    // Stream steps against UDP servers: every client fails the same way on both sides, which
    // used to print "The clients saw the same from both servers." and exit 0.
    Run r = cli("--porter",
        "--python-script", EXAMPLE.resolve("udp_upper_server.py").toString(),
        "--java-main", "io.github.socketserver4j.parity.example.UdpUpperServer",
        "--scenario", EXAMPLE.resolve("upper_clients.json").toString(),
        "--python", python.executable().toString());
    assertNotEquals(0, r.exit(), "exit status; stdout:\n" + r.out());
    assertFalse(r.out().contains("The clients saw the same from both servers."), r.out());
    assertTrue(r.out().contains("The clients failed against the Python server"), r.out());
    assertTrue(r.out().contains("The clients failed against the Java server"), r.out());
  }

  @Test
  @DisplayName("porter CLI: --python-args, --java-args and --env reach the programs; {tmp} per side")
  void argumentsAndEnvironment() throws Exception {
    Run r = cli("porter",
        "--python-script", EXAMPLE.resolve("unix_upper_server.py").toString(),
        "--java-main", "io.github.socketserver4j.parity.example.UnixUpperServer",
        "--scenario", EXAMPLE.resolve("stream_upper_clients.json").toString(),
        "--python-args", "{tmp}/s.sock", "--java-args", "{tmp}/s.sock",
        "--env", "PORTER_TEST=1", "--python", python.executable().toString());
    assertEquals(0, r.exit(), "exit status; stdout:\n" + r.out() + "\nstderr:\n" + r.err());
    assertTrue(r.out().contains("b'HELLO"), r.out());
  }

  @Test
  @DisplayName("runner CLI: --help lists the commands; an unknown command fails with the usage")
  void helpListsTheCommands() throws Exception {
    Run help = cli("--help");
    assertEquals(0, help.exit(), help.err());
    for (String command : List.of("suite", "porter", "report")) {
      assertTrue(help.out().contains("  " + command + " "), help.out());
    }
    Run porterHelp = cli("porter", "--help");
    assertEquals(0, porterHelp.exit(), porterHelp.err());
    assertTrue(porterHelp.out().contains("--compare-output"), porterHelp.out());
    Run unknown = cli("frobnicate");
    assertEquals(2, unknown.exit());
    assertTrue(unknown.err().contains("unknown command frobnicate"), unknown.err());
  }

  /** A wrong "port" of upper_server.py: it echoes lines unchanged. */
  static final class Unported {
    private Unported() {}

    static final class Echo extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        while (true) {
          byte[] line = rfile().readLine();
          if (line.length == 0) {
            return;
          }
          if (new String(line, StandardCharsets.ISO_8859_1).strip().equals("quit")) {
            wfile().write("bye\n".getBytes(StandardCharsets.ISO_8859_1));
            return;
          }
          wfile().write(line);
        }
      }
    }

    public static void main(String[] args) throws IOException {
      try (ThreadingTCPServer server =
          new ThreadingTCPServer(new InetSocketAddress("127.0.0.1", 0), Echo::new)) {
        System.out.println(server.serverAddress());
        server.serveForever();
      }
    }
  }
}
