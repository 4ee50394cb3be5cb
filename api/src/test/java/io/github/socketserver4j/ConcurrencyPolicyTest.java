package io.github.socketserver4j;

import static io.github.socketserver4j.memory.MemoryNetwork.anyPort;
import static io.github.socketserver4j.testing.ApiTestRules.awaitEnded;
import static io.github.socketserver4j.testing.ApiTestRules.awaitTrue;
import static io.github.socketserver4j.testing.ApiTestRules.waitBound;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.memory.MemoryClient;
import io.github.socketserver4j.memory.MemoryNetwork;
import io.github.socketserver4j.memory.MemorySocketProvider;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Gate;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The concurrency policy each server class gets (issue 10: one policy object, chosen once). */
class ConcurrencyPolicyTest {

  static TCPServer server(String kind, MemorySocketProvider provider) throws IOException {
    RequestHandlerFactory factory = StreamRequestHandler::new;
    switch (kind) {
      case "TCPServer":
        return new TCPServer(anyPort(), factory) {
          @Override
          protected SocketProvider socketProvider() {
            return provider;
          }
        };
      case "ThreadingTCPServer":
        return new ThreadingTCPServer(anyPort(), factory) {
          @Override
          protected SocketProvider socketProvider() {
            return provider;
          }
        };
      case "ForkingTCPServer":
        return new ForkingTCPServer(anyPort(), factory) {
          @Override
          protected SocketProvider socketProvider() {
            return provider;
          }
        };
      case "ForkingUDPServer":
        return new ForkingUDPServer(anyPort(), DatagramRequestHandler::new) {
          @Override
          protected SocketProvider socketProvider() {
            return provider;
          }
        };
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "TCPServer, false",
    "ThreadingTCPServer, true",
    "ForkingTCPServer, true",
    "ForkingUDPServer, true"
  })
  @DisplayName(
      "issue 10 item 9: a ForkingMixIn server asks its transport for concurrent I/O, as a"
          + " ThreadingMixIn server does (it had one I/O thread)")
  void forkingServersAreConcurrent(String kind, boolean concurrent) throws Exception {
    MemorySocketProvider provider = new MemorySocketProvider();
    try (TCPServer server = server(kind, provider)) {
      assertEquals(1, provider.opened().size());
      assertEquals(concurrent, provider.opened().get(0).spec().concurrent());
    }
  }

  /** Counts itself in, then waits at the gate. */
  static final class Held extends StreamRequestHandler {
    private final Gate gate;
    private final AtomicInteger started;

    Held(Gate gate, AtomicInteger started) {
      this.gate = gate;
      this.started = started;
    }

    @Override
    public void handle() throws InterruptedException {
      started.incrementAndGet();
      gate.pass();
    }
  }

  @Test
  @DisplayName(
      "spec 1.8 max_children: with maxChildren() running, the loop waits in collectChildren and"
          + " takes no request; activeChildren() counts them; serverClose waits (bpo-31151)")
  void forkingMaxChildren() throws Exception {
    Gate gate = new Gate(2);
    AtomicInteger started = new AtomicInteger();
    ForkingTCPServer server =
        new ForkingTCPServer(anyPort(), () -> new Held(gate, started)) {
          @Override
          public int maxChildren() {
            return 2;
          }
        };
    List<MemoryClient> clients = new ArrayList<>();
    Thread loop = new Thread(() -> server.serveForever(Duration.ofMillis(500)), "serving");
    try {
      for (int i = 0; i < 3; i++) {
        clients.add(MemoryNetwork.connect(server.serverAddress()));
      }
      loop.start();
      gate.awaitEntered();
      awaitTrue(
          () ->
              loop.getState() == Thread.State.WAITING
                  && Arrays.stream(loop.getStackTrace())
                      .anyMatch(f -> f.getMethodName().equals("collectChildren")),
          "the loop to wait in collectChildren");
      assertEquals(2, server.activeChildren());
      assertEquals(2, started.get(), "a third request started while two were running");
      assertEquals(0, clients.get(2).serverEnd().closeCount());
      gate.release();
      for (MemoryClient c : clients) {
        assertTrue(c.seesEnd(waitBound()), "a request was not served");
      }
      server.shutdown();
      awaitEnded(loop, "serveForever");
      server.serverClose();
      assertEquals(0, server.activeChildren());
      assertEquals(3, started.get());
    } finally {
      gate.release();
      server.serverClose();
      clients.forEach(MemoryClient::close);
    }
  }

  @Test
  @DisplayName(
      "test_threads_reaped (bpo-37193): each ended thread is reaped when the next is recorded")
  void threadsReaped() throws Exception {
    List<Thread> handlers = new java.util.concurrent.CopyOnWriteArrayList<>();
    RequestHandlerFactory f =
        () ->
            new StreamRequestHandler() {
              @Override
              public void handle() {
                handlers.add(Thread.currentThread());
              }
            };
    try (ThreadingTCPServer server = new ThreadingTCPServer(anyPort(), f)) {
      for (int n = 0; n < 10; n++) {
        try (MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
          server.handleRequest();
          assertTrue(client.seesEnd(waitBound()));
        }
        int last = n;
        awaitTrue(() -> handlers.size() == last + 1, "request thread " + n);
        awaitEnded(handlers.get(n), "request thread " + n);
      }
      assertEquals(1, server.recordedThreads());
    }
  }
}
