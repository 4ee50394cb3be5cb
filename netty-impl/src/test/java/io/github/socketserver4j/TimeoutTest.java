package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Timeouts: {@code handle_request()} with the server's {@code timeout} and the socket's own timeout
 * (spec 1.4, case 2.3 #4), and {@code StreamRequestHandler.timeout} on the connection (spec 1.10,
 * case 2.3 #12). Expected values were checked against CPython 3.11.7 and 3.13.0.
 */
class TimeoutTest {
  static final Duration PROMPT = TestRules.timeout(Duration.ofSeconds(5));

  /** Echoes one line and counts handled requests on the server. */
  static final class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      ((TimedServer) server()).handled.incrementAndGet();
      wfile().write(rfile().readLine());
    }
  }

  /** A TCPServer with a given {@code timeout} that counts timeouts and records handled errors. */
  static class TimedServer extends TCPServer {
    final Optional<Duration> timeout;
    final AtomicInteger timeouts = new AtomicInteger();
    final AtomicInteger handled = new AtomicInteger();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final CountDownLatch timedOut = new CountDownLatch(1);

    TimedServer(Optional<Duration> timeout, RequestHandlerFactory factory) throws IOException {
      super(anyLoopbackPort(), factory);
      this.timeout = timeout;
    }

    @Override
    public Optional<Duration> timeout() {
      return timeout;
    }

    @Override
    public void handleTimeout() {
      timeouts.incrementAndGet();
      timedOut.countDown();
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      errors.add(currentException().orElseThrow());
    }
  }

  static Background handleRequest(BaseServer server) {
    return Background.start("handle_request", server::handleRequest);
  }

  @Test
  @DisplayName("handle_request with timeout 0.3 s and no client (spec 2.3 #4): handle_timeout once")
  void handleRequestTimesOut() throws Exception {
    try (TimedServer server = new TimedServer(Optional.of(Duration.ofMillis(300)), EchoLine::new)) {
      long start = System.nanoTime();
      handleRequest(server).join(PROMPT);
      long waited = System.nanoTime() - start;
      assertEquals(1, server.timeouts.get());
      assertEquals(0, server.handled.get());
      // CPython calls handle_timeout only once the deadline has passed.
      assertTrue(waited >= Duration.ofMillis(300).toNanos(), "gave up early: " + waited + " ns");
    }
  }

  @Test
  @DisplayName("handle_request (spec 2.3 #4): socket timeout 0.1 s and timeout 5 s use the minimum")
  void handleRequestUsesSmallerOfSocketAndServerTimeout() throws Exception {
    try (TimedServer server = new TimedServer(Optional.of(Duration.ofSeconds(5)), EchoLine::new)) {
      server.socket().setTimeout(Duration.ofMillis(100)); // CPython: server.socket.settimeout(0.1)
      long start = System.nanoTime();
      try (Background call = handleRequest(server)) {
        // Long before the 5 s of timeout(): a fixed bound, not scaled, as 5 s is the alternative.
        assertTrue(
            server.timedOut.await(2500, TimeUnit.MILLISECONDS),
            "handle_timeout did not run before 2.5 s: the 0.1 s socket timeout was not used");
        call.join(PROMPT);
      }
      assertTrue(System.nanoTime() - start >= Duration.ofMillis(100).toNanos());
      assertEquals(1, server.timeouts.get());
      assertEquals(0, server.handled.get());
    }
  }

  @Test
  @DisplayName("handle_request (spec 1.4): timeout 0 polls once, then handle_timeout")
  void zeroTimeoutPollsOnce() throws Exception {
    try (TimedServer server = new TimedServer(Optional.of(Duration.ZERO), EchoLine::new)) {
      handleRequest(server).join(PROMPT);
      assertEquals(1, server.timeouts.get());
      assertEquals(0, server.handled.get());
    }
  }

  @Test
  @DisplayName("handle_request without timeout waits for a request and handles exactly one")
  void handleRequestHandlesExactlyOne() throws Exception {
    try (TimedServer server = new TimedServer(Optional.empty(), EchoLine::new)) {
      try (Background call = handleRequest(server)) {
        call.awaitParkedIn("BaseServer", "handleRequest"); // waiting, no request yet
        try (Client c = Client.connect(server.serverAddress())) {
          c.send("first\n");
          assertEquals("first\n", c.readLine());
        }
        call.join(PROMPT);
      }
      assertEquals(1, server.handled.get());

      // Two requests waiting: each call takes one.
      try (Client a = Client.connect(server.serverAddress());
          Client b = Client.connect(server.serverAddress())) {
        a.send("a\n");
        b.send("b\n");
        handleRequest(server).join(PROMPT);
        assertEquals(2, server.handled.get());
        handleRequest(server).join(PROMPT);
        assertEquals(3, server.handled.get());
        assertEquals("a\n", a.readLine());
        assertEquals("b\n", b.readLine());
      }
      assertEquals(0, server.timeouts.get());
    }
  }

  @Test
  @DisplayName(
      "StreamRequestHandler.timeout 0.2 s, client silent (spec 2.3 #12): the read times"
          + " out in handle() and goes to handle_error")
  void handlerTimeoutGoesToHandleError() throws Exception {
    class Slow extends StreamRequestHandler {
      @Override
      public Optional<Duration> timeout() {
        return Optional.of(Duration.ofMillis(200));
      }

      @Override
      public void handle() throws IOException {
        rfile().readLine();
      }
    }
    try (TimedServer server = new TimedServer(Optional.empty(), Slow::new);
        Client c = Client.connect(server.serverAddress())) {
      handleRequest(server).join(PROMPT);
      assertEquals(1, server.errors.size(), "handle_error calls: " + server.errors);
      // Python's TimeoutError (socket.timeout).
      assertInstanceOf(SocketTimeoutException.class, server.errors.get(0));
      assertTrue(c.seesEndOfStream(TestRules.waitBound()), "the request was not shut down");
    }
  }

  /**
   * After a timeout the connection stays usable and keeps the bytes that had arrived, but the
   * stream whose read timed out refuses further reads, as CPython's {@code SocketIO} does
   * ({@code OSError('cannot read from timed out object')}, issue 10 item 9): Python handlers go on
   * with {@code connection.recv} or a new {@code makefile}, here a new {@code openInputStream()}.
   * Writing is not affected. Checked with CPython 3.13.0: {@code rfile.readline()}, {@code read1()}
   * and {@code peek()} all raise it; {@code connection.recv} and a new {@code makefile('rb')} read.
   */
  @Test
  @DisplayName("issue 10 item 9: after a timeout rfile raises 'cannot read from timed out object'; a new stream and the writes still work")
  void timedOutStreamRefusesReads() throws Exception {
    CountDownLatch timedOut = new CountDownLatch(1);
    List<Throwable> timeouts = new CopyOnWriteArrayList<>();
    List<String> refusals = new CopyOnWriteArrayList<>();
    class Patient extends StreamRequestHandler {
      @Override
      public Optional<Duration> timeout() {
        return Optional.of(Duration.ofMillis(200));
      }

      @Override
      public void handle() throws IOException {
        try {
          rfile().readLine();
        } catch (SocketTimeoutException e) {
          timeouts.add(e);
          timedOut.countDown();
        }
        connection().setTimeout(TestRules.waitBound());
        for (IoCall read :
            List.<IoCall>of(() -> rfile().readLine(), () -> rfile().read(), () -> rfile().read(new byte[8]))) {
          try {
            read.call();
            refusals.add("read worked");
          } catch (IOException e) {
            refusals.add(e.getClass().getSimpleName() + ": " + e.getMessage());
          }
        }
        byte[] line = connection().openInputStream().readLine();
        wfile().write(line);
      }
    }
    try (TimedServer server = new TimedServer(Optional.empty(), Patient::new);
        Client c = Client.connect(server.serverAddress());
        Background call = handleRequest(server)) {
      c.send("part"); // no newline: readLine() times out with these bytes buffered
      assertTrue(timedOut.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      c.send("ial line\n");
      assertEquals("partial line\n", c.readLine());
      assertEquals("", c.readAllText());
      call.join(PROMPT);
      assertEquals(1, timeouts.size());
      assertEquals(List.of(), server.errors);
      String refused = "IOException: cannot read from timed out object";
      assertEquals(List.of(refused, refused, refused), refusals);
    }
  }

  /** A read that may throw. */
  interface IoCall {
    Object call() throws IOException;
  }
}
