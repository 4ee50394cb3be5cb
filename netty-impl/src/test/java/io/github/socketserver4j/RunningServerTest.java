package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixPaths;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 14, "a lifecycle handle for non-blocking code": {@link TCPServer#start()} serves on a
 * thread the library owns and returns a {@link RunningServer} with the bound address, the
 * transport, a close future and {@code close(Duration)} built on {@code drain}. Real sockets on
 * every kind of server (TCP on each transport, UDP, Unix stream); every wait is bounded.
 */
class RunningServerTest {
  static final Duration DEADLINE = TestRules.timeout(Duration.ofSeconds(5));

  /** Echoes one line and records the thread it ran on. */
  static final class EchoLine extends StreamRequestHandler {
    static final AtomicReference<Thread> lastThread = new AtomicReference<>();

    @Override
    public void handle() throws IOException {
      lastThread.set(Thread.currentThread());
      wfile().write(rfile().readLine());
    }
  }

  static void awaitClosed(RunningServer running) throws Exception {
    running.closeFuture().get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
  }

  static Throwable awaitFailure(RunningServer running) throws Exception {
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () -> running.closeFuture().get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    return e.getCause();
  }

  static String echo(SocketAddress address, String line) throws IOException {
    try (Client c = Client.connect(address)) {
      return c.send(line).readLine();
    }
  }

  static java.util.List<String> transports() {
    return Transports.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("start() serves a TCPServer on its own non-daemon thread; close(Duration) drains it")
  void startServesAndCloseDrains(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          TCPServer server = new TCPServer(anyLoopbackPort(), EchoLine::new);
          RunningServer running = server.start();
          assertSame(server, running.server());
          assertEquals(server.serverAddress(), running.serverAddress());
          assertNotEquals(0, ((InetSocketAddress) running.serverAddress()).getPort());
          assertEquals(transport, running.transportName());

          assertEquals("hello\n", echo(running.serverAddress(), "hello\n"));
          Thread serving = EchoLine.lastThread.get();
          assertEquals(
              "socketserver4j TCPServer 127.0.0.1:"
                  + ((InetSocketAddress) running.serverAddress()).getPort()
                  + " serveForever",
              serving.getName());
          assertFalse(serving.isDaemon(), "the serving thread keeps the JVM alive");
          assertFalse(running.closeFuture().isDone());
          assertTrue(server.awaitRequests(0, TestRules.waitBound()), "the echo request ended");

          Optional<DrainResult> result = running.close(DEADLINE);
          assertEquals(Optional.of(new DrainResult(0, 0, 0)), result);
          assertTrue(running.closeFuture().isDone());
          assertFalse(running.closeFuture().isCompletedExceptionally());
          assertFalse(server.socket().isOpen());
          serving.join(TestRules.waitBound().toMillis());
          assertFalse(serving.isAlive(), "the serving thread ended");
          return null;
        });
  }

  @Test
  @DisplayName("close(Duration) lets a running request finish and reports it; again: same result")
  void closeLetsRunningRequestFinish() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    class Slow extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        byte[] line = rfile().readLine();
        entered.countDown();
        TestRules.awaitTrue(() -> !server().accepting(), "the drain began");
        wfile().write(line);
      }
    }
    ThreadingTCPServer server = new ThreadingTCPServer(anyLoopbackPort(), Slow::new);
    RunningServer running = server.start();
    try (Client c = Client.connect(running.serverAddress())) {
      c.send("late\n");
      assertTrue(entered.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      AtomicReference<Optional<DrainResult>> result = new AtomicReference<>();
      Background closing = Background.start("closer", () -> result.set(running.close(DEADLINE)));
      assertEquals("late\n", c.readLine(), "the running request's reply arrives whole");
      closing.join();
      assertEquals(Optional.of(new DrainResult(1, 0, 0)), result.get());
    }
    assertTrue(running.closeFuture().isDone());
    assertEquals(Optional.of(new DrainResult(1, 0, 0)), running.close(DEADLINE), "drained once");
  }

  @Test
  @DisplayName("start() on a UDPServer: datagrams are answered until close(Duration)")
  void udp() throws Exception {
    class Echo extends DatagramRequestHandler {
      @Override
      public void handle() throws IOException {
        wfile().write(packet());
      }
    }
    UDPServer server = new UDPServer(anyLoopbackPort(), Echo::new);
    RunningServer running = server.start();
    try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      client.setSoTimeout((int) TestRules.waitBound().toMillis());
      byte[] data = "ping".getBytes(US_ASCII);
      client.send(new DatagramPacket(data, data.length, running.serverAddress()));
      DatagramPacket reply = new DatagramPacket(new byte[16], 16);
      client.receive(reply);
      assertEquals("ping", new String(reply.getData(), 0, reply.getLength(), US_ASCII));
    }
    assertTrue(server.awaitRequests(0, TestRules.waitBound()), "the echo request ended");
    assertEquals(Optional.of(new DrainResult(0, 0, 0)), running.close(DEADLINE));
    assertFalse(server.socket().isOpen());
  }

  @Test
  @DisplayName("start() on a UnixStreamServer: its path is the handle's address")
  void unixStream() throws Exception {
    try (UnixPaths paths = new UnixPaths()) {
      UnixDomainSocketAddress path = paths.next();
      ThreadingUnixStreamServer server = new ThreadingUnixStreamServer(path, EchoLine::new);
      RunningServer running = server.start();
      assertEquals(path, running.serverAddress());
      try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        c.connect(running.serverAddress());
        c.write(ByteBuffer.wrap("unix\n".getBytes(US_ASCII)));
        ByteBuffer in = ByteBuffer.allocate(16);
        while (in.position() < 5 && c.read(in) >= 0) {
          // until the echoed line is in
        }
        assertEquals("unix\n", new String(in.array(), 0, in.position(), US_ASCII));
      }
      assertTrue(server.awaitRequests(0, TestRules.waitBound()), "the echo request ended");
      assertEquals(Optional.of(new DrainResult(0, 0, 0)), running.close(DEADLINE));
    }
  }

  @Test
  @DisplayName("start() refuses a started, serving, unbound, closed or drained server")
  void startRefusals() throws Exception {
    TCPServer server = new TCPServer(anyLoopbackPort(), EchoLine::new);
    RunningServer running = server.start();
    assertThrows(IllegalStateException.class, server::start, "started twice");
    assertThrows(IllegalStateException.class, server::serveForever, "serveForever after start");
    running.close(DEADLINE);
    assertThrows(IllegalStateException.class, server::start, "after close");

    try (TCPServer serving = new TCPServer(anyLoopbackPort(), EchoLine::new)) {
      Background loop = Background.start("socketserver4j test loop", serving::serveForever);
      TestRules.awaitTrue(() -> serving.servingThread() != null, "serveForever runs");
      assertThrows(IllegalStateException.class, serving::start, "serveForever is running");
      serving.shutdown();
      loop.join();
    }
    try (TCPServer unbound = new TCPServer(anyLoopbackPort(), EchoLine::new, false)) {
      assertThrows(IllegalStateException.class, unbound::start, "not bound");
    }
    TCPServer drained = new TCPServer(anyLoopbackPort(), EchoLine::new);
    drained.drain(Duration.ZERO);
    assertThrows(IllegalStateException.class, drained::start, "drained");
  }

  @Test
  @DisplayName("shutdown() ends a started server: its thread closes it; close() then returns empty")
  void shutdownCloses() throws Exception {
    ThreadingTCPServer server = new ThreadingTCPServer(anyLoopbackPort(), EchoLine::new);
    RunningServer running = server.start();
    assertEquals("x\n", echo(running.serverAddress(), "x\n"));
    server.shutdown();
    awaitClosed(running);
    assertFalse(server.socket().isOpen(), "the serving thread closed the server");
    assertEquals(Optional.empty(), running.close(DEADLINE));
  }

  @Test
  @DisplayName("serverClose() on a started server ends its loop (try-with-resources on the server)")
  void serverCloseEndsTheLoop() throws Exception {
    RunningServer running;
    try (ThreadingTCPServer server = new ThreadingTCPServer(anyLoopbackPort(), EchoLine::new)) {
      running = server.start();
      assertEquals("y\n", echo(running.serverAddress(), "y\n"));
    }
    awaitClosed(running);
    assertEquals(Optional.empty(), running.close(DEADLINE));
  }

  @Test
  @DisplayName("drain() called directly on a started server completes the close future")
  void directDrain() throws Exception {
    UDPServer server = new UDPServer(anyLoopbackPort(), DatagramRequestHandler::new);
    RunningServer running = server.start();
    assertEquals(new DrainResult(0, 0, 0), server.drain(DEADLINE));
    awaitClosed(running);
    assertEquals(Optional.empty(), running.close(DEADLINE));
  }

  @Test
  @DisplayName("a ServerExit from a synchronous handler closes the server; the future fails with it")
  void serverExitCompletesExceptionally() throws Exception {
    class Exit extends BaseRequestHandler {
      @Override
      public void handle() {
        throw new ServerExit("stop here");
      }
    }
    TCPServer server = new TCPServer(anyLoopbackPort(), Exit::new);
    RunningServer running = server.start();
    try (Client c = Client.connect(running.serverAddress())) {
      assertTrue(c.seesEndOfStream(TestRules.waitBound()), "shutdownRequest ran");
    }
    Throwable cause = awaitFailure(running);
    assertTrue(cause instanceof ServerExit, cause.toString());
    assertEquals("stop here", cause.getMessage());
    assertFalse(server.socket().isOpen());
    assertEquals(Optional.empty(), running.close(DEADLINE));
  }

  @Test
  @DisplayName("an exception from verifyRequest ends serveForever: the future fails with it")
  void verifyRequestExceptionCompletesExceptionally() throws Exception {
    IllegalArgumentException thrown = new IllegalArgumentException("bad verify");
    TCPServer server =
        new TCPServer(anyLoopbackPort(), EchoLine::new) {
          @Override
          public boolean verifyRequest(Request request, SocketAddress clientAddress) {
            throw thrown;
          }
        };
    RunningServer running = server.start();
    try (Client c = Client.connect(running.serverAddress())) {
      assertTrue(c.seesEndOfStream(TestRules.waitBound()), "the connection was discarded");
    }
    assertSame(thrown, awaitFailure(running));
    assertFalse(server.socket().isOpen());
  }

  @Test
  @DisplayName("close(Duration) from the serving thread is refused; requestShutdown() works there")
  void closeOnServingThreadRefused() throws Exception {
    AtomicReference<RunningServer> handle = new AtomicReference<>();
    CompletableFuture<Throwable> refused = new CompletableFuture<>();
    class CloseFromHandler extends BaseRequestHandler {
      @Override
      public void handle() {
        try {
          handle.get().close(DEADLINE);
          refused.complete(null);
        } catch (IllegalStateException e) {
          refused.complete(e);
        }
        server().requestShutdown();
      }
    }
    TCPServer server = new TCPServer(anyLoopbackPort(), CloseFromHandler::new);
    handle.set(server.start());
    try (Client c = Client.connect(handle.get().serverAddress())) {
      assertTrue(c.seesEndOfStream(TestRules.waitBound()));
    }
    assertTrue(
        refused.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS)
            instanceof IllegalStateException);
    awaitClosed(handle.get());
    assertFalse(server.socket().isOpen());
  }
}
