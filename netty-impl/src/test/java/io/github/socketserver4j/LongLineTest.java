package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10, item 10: one very long line. It used to cost quadratic CPU (the receive buffer
 * re-copied the whole line every 64 reads), failed at 2 GiB with {@code capacity would overflow},
 * and with {@code -Xmx256m} a 128 MiB line ended in a direct-memory {@code OutOfMemoryError}. Now
 * a line the bridge cannot hold fails with a {@link LineTooLongException} that reaches {@code
 * handleError}, and the server serves on. CPython has no limit: its {@code readline()} grows the
 * line until {@code MemoryError}, which {@code handle_error} reports the same way.
 */
class LongLineTest {
  static final long LINE = 256L * 1024 * 1024;

  static List<String> transports() {
    return Transports.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 10: a 256 MiB line in a JVM with a 64 MiB heap and 16 MiB of direct memory fails with LineTooLongException, never an OutOfMemoryError; the next client is served")
  void lineLargerThanMemoryFailsCleanly(String transport) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The default collector (G1), whose large arrays take whole regions, as in production.
    command.addAll(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=16m"));
    if (Runtime.version().feature() >= 24) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.add("-D" + Transports.TRANSPORT_PROPERTY + "=" + transport);
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), LongLineServer.class.getName()));
    Process child = new ProcessBuilder(command).start();
    List<String> stderr = new CopyOnWriteArrayList<>();
    BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    pump(child.getErrorStream(), stderr::add, "child-stderr");
    pump(child.getInputStream(), stdout::add, "child-stdout");
    List<String> output = new ArrayList<>();
    try {
      String first = stdout.poll(3 * TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(first != null && first.startsWith("PORT "), "child said " + first + "; stderr: " + stderr);
      output.add(first);
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", Integer.parseInt(first.substring(5)));
      long sent = sendLongLine(address);
      String error = stdout.poll(3 * TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      output.add(error);
      System.out.printf("%s: sent %d MiB before the server gave up: %s%n", transport, sent >> 20, error);
      try (Client next = Client.connect(address)) {
        assertEquals("6\n", next.send("short\n").readLine(), "the next client; stderr: " + stderr);
      }
    } finally {
      child.getOutputStream().close(); // end of input: the child shuts down
      if (!child.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS)) {
        child.destroyForcibly();
        child.waitFor(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    stdout.drainTo(output);
    assertEquals(0, child.exitValue(), "child exit; stdout: " + output + "; stderr: " + stderr);
    String all = String.join("\n", output) + "\n" + String.join("\n", stderr);
    assertTrue(!all.contains("OutOfMemoryError"), "an OutOfMemoryError: " + all);
    assertTrue(
        output.get(1) != null
            && output.get(1).startsWith("ERROR " + LineTooLongException.class.getName() + ": "),
        "handleError saw: " + output.get(1) + "; stderr: " + stderr);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 10: NettyOptions.maxLineLength(65536): a longer line throws LineTooLongException and consumes nothing; readLine(limit) within it returns a partial line, as CPython")
  void maxLineLength(String transport) throws Exception {
    NettyOptions netty = NettyOptions.builder().transport(transport).maxLineLength(65536).build();
    List<Object> seen = new CopyOnWriteArrayList<>();
    class Lines extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        seen.add(rfile().readLine().length); // 65,536 bytes with the newline: the most allowed
        seen.add(rfile().readLine(100).length); // CPython's partial line
        try {
          rfile().readLine();
          seen.add("no exception");
        } catch (LineTooLongException e) {
          seen.add(e.getMessage());
          seen.add(e.length());
        }
        seen.add(rfile().readNBytes(69_901).length); // the rest: nothing was consumed
        wfile().write("done\n".getBytes(StandardCharsets.US_ASCII));
      }
    }
    byte[] first = new byte[65536];
    Arrays.fill(first, (byte) 'a');
    first[first.length - 1] = '\n';
    byte[] second = new byte[70_001];
    Arrays.fill(second, (byte) 'b');
    second[second.length - 1] = '\n';
    try (TCPServer server =
            new TCPServer(Client.anyLoopbackPort(), Lines::new) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }
            };
        Client c = Client.connect(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      c.send(first).send(second);
      assertEquals("done\n", c.readLine());
      call.join();
    }
    assertEquals(
        List.of(
            65536,
            100,
            "line longer than the maximum of 65536 bytes (NettyOptions maxLineLength): 65536 bytes"
                + " read without a newline",
            65536L,
            69_901),
        seen);
  }

  /** Sends {@link #LINE} bytes without a newline until the server stops taking them. */
  private static long sendLongLine(InetSocketAddress address) throws IOException {
    byte[] chunk = new byte[1024 * 1024];
    Arrays.fill(chunk, (byte) 'y');
    long sent = 0;
    try (Socket s = new Socket()) {
      s.connect(address, (int) TestRules.waitBound().toMillis());
      s.setSoTimeout((int) TestRules.waitBound().toMillis());
      OutputStream out = s.getOutputStream();
      try {
        while (sent < LINE) {
          out.write(chunk);
          sent += chunk.length;
        }
        s.shutdownOutput();
      } catch (IOException e) {
        // The server gave up on the line and closed the connection: expected.
      }
      try {
        s.getInputStream().readAllBytes();
      } catch (IOException e) {
        // A reset, for the bytes it never read.
      }
    }
    return sent;
  }

  private static void pump(java.io.InputStream in, java.util.function.Consumer<String> sink, String name) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  sink.accept(line);
                }
              } catch (IOException e) {
                // the child ended
              }
            },
            name);
    t.setDaemon(true);
    t.start();
  }
}
