package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code SocketServerTest} (Lib/test/test_socketserver.py), for the stream servers:
 * spec section 2.2, tests 1, 2 and 13 to 16. The echo round trip is CPython's {@code
 * stream_examine}: connect, send {@code TEST_STR}, read until a newline.
 */
class SocketServerTest {
  static final String TEST_STR = "hello world\n";

  /** CPython's {@code MyHandler}: echo one line. */
  static final class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  /** CPython's {@code run_server}: serve in a thread, 3 round trips, shutdown, join, close. */
  static void runServer(TCPServer server) throws Exception {
    assertEquals(server.serverAddress(), server.socket().localAddress().orElseThrow());
    Thread t = new Thread(() -> server.serveForever(java.time.Duration.ofMillis(10)), "serve_forever");
    t.setDaemon(true);
    t.start();
    try {
      for (int i = 0; i < 3; i++) {
        streamExamine(server.serverAddress());
      }
    } finally {
      server.shutdown();
      t.join(TestRules.waitBound().toMillis());
      assertFalse(t.isAlive(), "serve_forever did not return after shutdown()");
      server.serverClose();
    }
    assertEquals(-1, server.fileno());
  }

  static void streamExamine(SocketAddress address) throws IOException {
    try (Client c = Client.connect(address)) {
      c.send(TEST_STR);
      assertEquals(TEST_STR, c.readLine());
    }
  }

  @Test
  @DisplayName("test_TCPServer")
  void tcpServer() throws Exception {
    runServer(new TCPServer(anyLoopbackPort(), EchoLine::new));
  }

  @Test
  @DisplayName("test_ThreadingTCPServer")
  void threadingTcpServer() throws Exception {
    runServer(new ThreadingTCPServer(anyLoopbackPort(), EchoLine::new));
  }

  @Test
  @DisplayName("test_shutdown (Issue #2302): 20 servers, shutdown right after serve_forever starts")
  void shutdown() throws Exception {
    List<TCPServer> servers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        TCPServer s = new TCPServer(anyLoopbackPort(), StreamRequestHandler::new);
        servers.add(s);
        Thread t = new Thread(() -> s.serveForever(java.time.Duration.ofMillis(10)), "server" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        s.shutdown();
      }
      for (Thread t : threads) {
        t.join(TestRules.waitBound().toMillis());
        assertFalse(t.isAlive(), t.getName() + " still serving");
      }
    } finally {
      servers.forEach(TCPServer::serverClose);
    }
  }

  @Test
  @DisplayName("test_close_immediately: a ThreadingMixIn server closed without serving")
  void closeImmediately() throws Exception {
    ThreadingTCPServer server = new ThreadingTCPServer(anyLoopbackPort(), BaseRequestHandler::new);
    server.serverClose();
    assertEquals(-1, server.fileno());
  }

  @Test
  @DisplayName("test_tcpserver_bind_leak (Issue #22435): 1000 failed binds leak no fd, no thread")
  void tcpserverBindLeak() throws Exception {
    try (TCPServer holder = new TCPServer(anyLoopbackPort(), StreamRequestHandler::new)) {
      SocketAddress taken = holder.serverAddress();
      // Warm up class loading and the first event loop, then measure.
      assertThrows(BindException.class, () -> new TCPServer(taken, StreamRequestHandler::new));
      java.util.Set<String> holderThreads = TestRules.serverThreads();
      long fdsBefore = openFds();
      for (int i = 0; i < 1000; i++) {
        BindException e =
            assertThrows(BindException.class, () -> new TCPServer(taken, StreamRequestHandler::new));
        int port = ((InetSocketAddress) taken).getPort();
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
      }
      TestRules.assertServerThreadsWithin(holderThreads);
      assertEquals(fdsBefore, openFds(), "file descriptors leaked by failed binds");
    }
  }

  @Test
  @DisplayName("test_tcpserver_bind_leak, the port: -1 and 70000 are refused before any socket")
  void invalidPorts() {
    assertThrows(IllegalArgumentException.class, () -> new InetSocketAddress("127.0.0.1", -1));
    assertThrows(IllegalArgumentException.class, () -> new InetSocketAddress("127.0.0.1", 70000));
  }

  @Test
  @DisplayName("test_context_manager: try-with-resources closes the server")
  void contextManager() throws Exception {
    TCPServer server;
    try (TCPServer s = new TCPServer(anyLoopbackPort(), StreamRequestHandler::new)) {
      server = s;
      assertTrue(server.fileno() != -1 || !"epoll".equals(io.github.socketserver4j.netty.NettySocketProvider.transportName()));
    }
    assertEquals(-1, server.fileno());
    assertFalse(server.socket().isOpen());
  }

  static long openFds() throws IOException {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  static void await(java.util.concurrent.CountDownLatch latch) throws InterruptedException {
    assertTrue(latch.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS), "timed out");
  }
}
