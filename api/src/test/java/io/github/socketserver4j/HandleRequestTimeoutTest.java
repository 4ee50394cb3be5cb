package io.github.socketserver4j;

import static io.github.socketserver4j.memory.MemoryNetwork.anyPort;
import static io.github.socketserver4j.testing.ApiTestRules.awaitEnded;
import static io.github.socketserver4j.testing.ApiTestRules.awaitTrue;
import static io.github.socketserver4j.testing.ApiTestRules.waitBound;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.socketserver4j.memory.MemoryClient;
import io.github.socketserver4j.memory.MemoryNetwork;
import io.github.socketserver4j.testing.Echo;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code handleRequest()} and its timeout, spec section 1.4 and 2.3 #4-#5. */
class HandleRequestTimeoutTest {

  /** A TCPServer with a timeout() of its own that counts handleTimeout and handled requests. */
  static class Timed extends TCPServer {
    final Optional<Duration> timeout;
    final AtomicInteger timeouts = new AtomicInteger();
    final AtomicInteger finished = new AtomicInteger();

    Timed(Optional<Duration> timeout) throws IOException {
      super(anyPort(), Echo::new);
      this.timeout = timeout;
    }

    @Override
    public Optional<Duration> timeout() {
      return timeout;
    }

    @Override
    public void handleTimeout() {
      timeouts.incrementAndGet();
    }

    @Override
    public void finishRequest(Request request, java.net.SocketAddress clientAddress)
        throws Exception {
      super.finishRequest(request, clientAddress);
      finished.incrementAndGet();
    }
  }

  @Test
  @DisplayName("spec 2.3 #4: no request within timeout(): handleTimeout() runs once, nothing else")
  void timeoutCallsHandleTimeout() throws Exception {
    try (Timed server = new Timed(Optional.of(Duration.ofMillis(20)))) {
      server.handleRequest();
      assertEquals(1, server.timeouts.get());
      assertEquals(0, server.finished.get());
    }
  }

  @Test
  @DisplayName(
      "spec 2.3 #4: the smaller of socket().timeout() and timeout() applies: 20 ms against an hour")
  void socketTimeoutIsTheMinimum() throws Exception {
    try (Timed server = new Timed(Optional.of(Duration.ofHours(1)))) {
      server.socket().setTimeout(Duration.ofMillis(20));
      Thread t = new Thread(server::handleRequest, "handleRequest");
      t.start();
      awaitEnded(t, "handleRequest() with a 20 ms socket timeout");
      assertEquals(1, server.timeouts.get());
    }
    try (Timed server = new Timed(Optional.empty())) {
      server.socket().setTimeout(Duration.ofMillis(20));
      server.handleRequest();
      assertEquals(1, server.timeouts.get(), "the socket's timeout alone");
    }
  }

  @Test
  @DisplayName("spec 1.4: timeout 0 checks once: a waiting request is handled, else handleTimeout")
  void zeroTimeoutPollsOnce() throws Exception {
    try (Timed server = new Timed(Optional.of(Duration.ZERO))) {
      server.handleRequest();
      assertEquals(1, server.timeouts.get());
      try (MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
        client.send("x\n");
        server.handleRequest();
        assertEquals("x\n", client.readLine(waitBound()));
      }
      assertEquals(1, server.timeouts.get());
      assertEquals(1, server.finished.get());
    }
  }

  @Test
  @DisplayName("spec 2.3 #5: timeout() is 300 s on a ForkingMixIn server, none on the others")
  void forkingTimeoutIs300Seconds() throws Exception {
    try (ForkingTCPServer forking = new ForkingTCPServer(anyPort(), Echo::new);
        ForkingUDPServer forkingUdp = new ForkingUDPServer(anyPort(), DatagramRequestHandler::new);
        ThreadingTCPServer threading = new ThreadingTCPServer(anyPort(), Echo::new);
        TCPServer sync = new TCPServer(anyPort(), Echo::new)) {
      assertEquals(Optional.of(Duration.ofSeconds(300)), forking.timeout());
      assertEquals(Optional.of(Duration.ofSeconds(300)), forkingUdp.timeout());
      assertEquals(Optional.empty(), threading.timeout());
      assertEquals(Optional.empty(), sync.timeout());
    }
  }

  @Test
  @DisplayName("spec 1.8: ForkingMixIn.handle_timeout reaps: handleTimeout() calls collectChildren")
  void forkingHandleTimeoutCollects() throws Exception {
    AtomicInteger collected = new AtomicInteger();
    ForkingTCPServer server =
        new ForkingTCPServer(anyPort(), Echo::new) {
          @Override
          public Optional<Duration> timeout() {
            return Optional.of(Duration.ZERO);
          }

          @Override
          public void collectChildren(boolean blocking) {
            if (!blocking) {
              collected.incrementAndGet();
            }
            super.collectChildren(blocking);
          }
        };
    try (server) {
      server.handleRequest();
      assertEquals(1, collected.get());
    }
  }

  @Test
  @DisplayName(
      "drain() while handleRequest() waits: it returns without handleTimeout; a later call throws")
  void drainEndsAWaitingHandleRequest() throws Exception {
    try (Timed server = new Timed(Optional.of(Duration.ofHours(1)))) {
      Thread t = new Thread(server::handleRequest, "handleRequest");
      t.start();
      awaitTrue(() -> t.getState() == Thread.State.TIMED_WAITING, "handleRequest() to wait");
      assertEquals(new DrainResult(0, 0, 0), server.drain(Duration.ZERO));
      awaitEnded(t, "handleRequest() after drain()");
      assertEquals(0, server.timeouts.get());
      assertThrows(IllegalStateException.class, server::handleRequest);
    }
  }
}
