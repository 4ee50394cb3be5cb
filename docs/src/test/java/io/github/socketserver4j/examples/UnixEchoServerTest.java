package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.UnixStreamServer;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixPaths;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs {@link UnixEchoServer} twice on the same path, over every transport: the socket file
 * outlives the first server (as in CPython), a plain second bind fails with {@code EADDRINUSE}, and
 * the example's {@code os.unlink} idiom makes the restart work.
 */
class UnixEchoServerTest {

  static List<String> transports() {
    return Transports.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName(
      "UnixStreamServer: echoes lines; the file survives close; unlink before bind restarts it")
  void restartsOnTheSamePathAfterUnlink(String transport) throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      Path path = paths.next().getPath();
      Transports.with(
          transport,
          () -> {
            try (UnixStreamServer server = UnixEchoServer.newServer(path)) {
              assertEquals(UnixDomainSocketAddress.of(path), server.serverAddress());
              serveAndEcho(server, "first run\n");
            }
            // CPython: server_close() leaves the file, and binding the path again fails.
            assertTrue(Files.exists(path), "the socket file was removed by serverClose()");
            assertThrows(
                BindException.class,
                () ->
                    new UnixStreamServer(
                        UnixDomainSocketAddress.of(path), UnixEchoServer.Echo::new));
            try (UnixStreamServer again = UnixEchoServer.newServer(path)) {
              serveAndEcho(again, "second run\n");
            }
            return null;
          });
    }
  }

  private static void serveAndEcho(UnixStreamServer server, String line) throws Exception {
    Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
    serving.start();
    try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
        Selector selector = Selector.open()) {
      client.connect(server.serverAddress());
      client.configureBlocking(false);
      client.register(selector, SelectionKey.OP_READ);
      assertEquals(line, roundTrip(client, selector, line));
      assertEquals("and again\n", roundTrip(client, selector, "and again\n"));
    } finally {
      server.shutdown();
      serving.join(TestRules.waitBound().toMillis());
      assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
    }
  }

  /** Sends {@code line}, then reads through the next '\n', within {@link TestRules#waitBound()}. */
  private static String roundTrip(SocketChannel client, Selector selector, String line)
      throws IOException {
    ByteBuffer out = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
    while (out.hasRemaining()) {
      client.write(out);
    }
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    ByteBuffer one = ByteBuffer.allocate(1);
    StringBuilder reply = new StringBuilder();
    while (true) {
      int n = client.read(one.clear());
      if (n < 0) {
        return reply.toString();
      }
      if (n > 0) {
        reply.append((char) one.get(0));
        if (one.get(0) == '\n') {
          return reply.toString();
        }
        continue;
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new SocketTimeoutException("no reply in time; so far: " + reply);
      }
      selector.select(left);
      selector.selectedKeys().clear();
    }
  }
}
