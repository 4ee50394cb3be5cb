package io.github.socketserver4j.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.TestRules;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code python -m http.server} command in its own JVM: the startup line, serving {@code -d},
 * {@code -p HTTP/1.1}, and Ctrl-C (SIGINT) printing CPython's goodbye and exiting 0; usage errors
 * exit 2.
 */
class HttpServerCommandTest {
  @TempDir Path dir;

  private Process start(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    // With SIGINT at its default disposition: a shell without job control starts its background
    // commands (`mvn verify &` in a script) with SIGINT ignored, the child inherits that, and a
    // JVM, like CPython, then leaves Ctrl-C ignored and installs no handler.
    command.addAll(List.of("env", "--default-signal=INT"));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        HttpServerCommand.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(dir.resolve("stderr.txt").toFile()).start();
  }

  @Test
  @DisplayName("startup line, a GET on -d with -p HTTP/1.1, then Ctrl-C: goodbye line, exit 0")
  void serveThenCtrlC() throws Exception {
    Path root = Files.createDirectory(dir.resolve("root"));
    Files.writeString(root.resolve("a.txt"), "served\n");
    Process p = start("-b", "127.0.0.1", "-d", root.toString(), "-p", "HTTP/1.1", "0");
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      Matcher m =
          Pattern.compile("Serving HTTP on 127\\.0\\.0\\.1 port (\\d+) "
                  + "\\(http://127\\.0\\.0\\.1:(\\d+)/\\) \\.\\.\\.")
              .matcher(line);
      assertTrue(m.matches(), line);
      int port = Integer.parseInt(m.group(1));
      try (HttpClient c = new HttpClient(new InetSocketAddress("127.0.0.1", port))) {
        HttpClient.Response r = c.request("GET", "/a.txt");
        assertEquals("HTTP/1.1", r.version);
        assertEquals("served\n", r.text());
        assertEquals(200, c.request("GET", "/a.txt").status); // kept alive
      }
      new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
      assertTrue(p.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      assertEquals(0, p.exitValue());
      assertEquals("", out.readLine());
      assertEquals("Keyboard interrupt received, exiting.", out.readLine());
      String err = Files.readString(dir.resolve("stderr.txt"));
      assertTrue(err.contains("\"GET /a.txt HTTP/1.1\" 200 -"), err);
    } finally {
      p.destroyForcibly().waitFor();
    }
  }

  @Test
  @DisplayName("SIGTERM with a client connected mid-request: the goodbye line, exit 0")
  void sigtermExitsZero() throws Exception {
    Path root = Files.createDirectory(dir.resolve("root"));
    Process p = start("-b", "127.0.0.1", "-d", root.toString(), "0");
    try (java.net.Socket idle = new java.net.Socket()) {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      Matcher m =
          Pattern.compile("Serving HTTP on 127\\.0\\.0\\.1 port (\\d+) .*").matcher(out.readLine());
      assertTrue(m.matches());
      // A request line without its end: the handler blocks reading it, as a slow client's would.
      idle.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1))));
      idle.getOutputStream().write("GET / HTTP/1.0".getBytes(StandardCharsets.US_ASCII));
      idle.getOutputStream().flush();
      int port = Integer.parseInt(m.group(1));
      try (HttpClient c = new HttpClient(new InetSocketAddress("127.0.0.1", port))) {
        assertEquals(200, c.request("GET", "/").status); // served: the blocked request is running
      }
      new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).start().waitFor();
      assertTrue(p.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      assertEquals(0, p.exitValue());
      assertEquals("", out.readLine());
      assertEquals("Keyboard interrupt received, exiting.", out.readLine());
      // Cut, not left hanging: end of stream or a reset, as when CPython's process ends.
      idle.setSoTimeout((int) TestRules.waitBound().toMillis());
      try {
        assertEquals(-1, idle.getInputStream().read());
      } catch (java.net.SocketException reset) {
        assertTrue(String.valueOf(reset.getMessage()).contains("reset"), reset.toString());
      }
    } finally {
      p.destroyForcibly().waitFor();
    }
  }

  @Test
  @DisplayName("a usage error prints the usage and exits 2, as argparse")
  void usageError() throws Exception {
    Process p = start("--tls-key", "k.pem");
    try {
      assertTrue(p.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      assertEquals(2, p.exitValue());
      String err = Files.readString(dir.resolve("stderr.txt"));
      assertTrue(err.startsWith("usage: http-server "), err);
      assertTrue(err.endsWith("http-server: error: --tls-key requires --tls-cert to be set\n"), err);
    } finally {
      p.destroyForcibly().waitFor();
    }
  }
}
