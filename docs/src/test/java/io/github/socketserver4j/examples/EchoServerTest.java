package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link EchoServer#main} as the README does, in its own JVM, and talks to it as a user would.
 * The echo itself is CPython's {@code stream_examine} round trip, kept up until the client closes.
 */
class EchoServerTest {
  private static final Pattern SERVING = Pattern.compile("Serving on (127\\.0\\.0\\.1):(\\d+)");

  @Test
  @DisplayName("README echo server: main prints its address, echoes every line until EOF, serves clients at once")
  void mainPrintsItsAddressAndEchoesLinesUntilEndOfStream() throws Exception {
    Process process = startMain("0");
    try {
      List<String> output = new ArrayList<>();
      InetSocketAddress address = awaitAddress(process, output);
      try (Client first = Client.connect(address); Client second = Client.connect(address)) {
        // Both connections are served at once (ThreadingTCPServer): the second is answered while
        // the first is still open.
        first.send("hello world\n");
        assertEquals("hello world\n", first.readLine());
        second.send("second client\n");
        assertEquals("second client\n", second.readLine());
        first.send("two\nlines\n");
        assertEquals("two\n", first.readLine());
        assertEquals("lines\n", first.readLine());
        // for line in self.rfile ends at EOF; a last line without '\n' is echoed as it is.
        first.send("no newline").shutdownOutput();
        assertEquals("no newline", first.readAllText());
        second.shutdownOutput();
        assertEquals("", second.readAllText());
      }
      assertTrue(process.isAlive(), "the server must keep serving until it is killed: " + output);
    } finally {
      process.destroy();
      if (!process.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** Starts {@code EchoServer.main(args)} in a new JVM with this test's class path. */
  static Process startMain(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED"); // see docs/differences.md
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(EchoServer.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** Reads the process's output until the "Serving on" line, within {@link TestRules#waitBound()}. */
  static InetSocketAddress awaitAddress(Process process, List<String> seen) throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                // The process was killed; the test has what it needs or fails below.
              }
            },
            "echo server output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (true) {
      String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertNotNull(line, "no 'Serving on' line in time; output so far: " + seen);
      seen.add(line);
      Matcher m = SERVING.matcher(line);
      if (m.matches()) {
        int port = Integer.parseInt(m.group(2));
        assertTrue(port > 0, line);
        return new InetSocketAddress(m.group(1), port);
      }
    }
  }
}
