package io.github.socketserver4j;

import static io.github.socketserver4j.memory.MemoryNetwork.anyPort;
import static io.github.socketserver4j.testing.ApiTestRules.awaitEnded;
import static io.github.socketserver4j.testing.ApiTestRules.waitBound;
import static io.github.socketserver4j.testing.ApiTestRules.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.memory.MemoryClient;
import io.github.socketserver4j.memory.MemoryDatagramClient;
import io.github.socketserver4j.memory.MemoryNetwork;
import io.github.socketserver4j.memory.MemorySocket;
import io.github.socketserver4j.memory.MemorySocketProvider;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Gate;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link BaseServer#drain} as issue 10 defines it: stop accepting, await, cut, grace, close. */
class DrainProtocolTest {

  /** Waits outside socket I/O until released: the drain's cut cannot end it. */
  static final class StuckOutsideIo extends StreamRequestHandler {
    private final Gate gate;

    StuckOutsideIo(Gate gate) {
      this.gate = gate;
    }

    @Override
    public void handle() throws InterruptedException {
      gate.pass();
    }
  }

  static TCPServer server(String kind, RequestHandlerFactory factory) throws IOException {
    switch (kind) {
      case "sync":
        return new TCPServer(anyPort(), factory);
      case "threading":
        return new ThreadingTCPServer(anyPort(), factory);
      case "forking":
        return new ForkingTCPServer(anyPort(), factory);
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"threading", "forking"})
  @DisplayName(
      "issue 10 item 9: close() after a drain that left a stuck thread returns; the drain gave"
          + " up on that thread")
  void closeAfterDrainWithStuckThreadDoesNotWait(String kind) throws Exception {
    Gate gate = new Gate(1);
    TCPServer server = server(kind, () -> new StuckOutsideIo(gate));
    try (MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      server.handleRequest();
      gate.awaitEntered();
      // The handler is stuck until released, so it is cut and still running whatever the load.
      DrainResult result = server.drain(Duration.ofMillis(20));
      assertEquals(new DrainResult(0, 1, 1), result);
      Thread closer = new Thread(server::close, "closer");
      closer.start();
      awaitEnded(closer, "close() after the drain waited for the stuck request");
    } finally {
      gate.release();
    }
  }

  /** "fin" replies once the drain has begun; "stuck" reads until the drain cuts it. */
  static final class FinOrStuck extends StreamRequestHandler {
    private final Gate entered;

    FinOrStuck(Gate entered) {
      this.entered = entered;
    }

    @Override
    public void handle() throws IOException {
      String line = new String(rfile().readLine());
      entered.enter();
      if (line.equals("fin\n")) {
        awaitTrue(() -> !server().accepting(), "the drain to begin");
        wfile().write("done\n".getBytes());
      } else {
        rfile().readLine(); // never sent: throws when the drain cuts the connection
      }
    }
  }

  /** A server of {@code kind} on its own in-memory provider, recording handleError. */
  static TCPServer recording(
      String kind, MemorySocketProvider provider, List<Throwable> errors, RequestHandlerFactory f)
      throws IOException {
    switch (kind) {
      case "sync":
        return new TCPServer(anyPort(), f) {
          @Override
          protected SocketProvider socketProvider() {
            return provider;
          }

          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            errors.add(currentException().orElseThrow());
          }
        };
      case "threading":
        return new ThreadingTCPServer(anyPort(), f) {
          @Override
          protected SocketProvider socketProvider() {
            return provider;
          }

          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            errors.add(currentException().orElseThrow());
          }
        };
      case "forking":
        return new ForkingTCPServer(anyPort(), f) {
          @Override
          protected SocketProvider socketProvider() {
            return provider;
          }

          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            errors.add(currentException().orElseThrow());
          }
        };
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"threading", "forking"})
  @DisplayName(
      "issue 10 drain protocol: stop accepting (the SPI's stopAccepting, once; the backlog is"
          + " reset), await the running request until the deadline, cut the stuck one")
  void drainConcurrentServer(String kind) throws Exception {
    MemorySocketProvider provider = new MemorySocketProvider();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Gate entered = new Gate(2);
    TCPServer server = recording(kind, provider, errors, () -> new FinOrStuck(entered));
    MemorySocket socket = provider.opened().get(0);
    try (server;
        MemoryClient fin = MemoryNetwork.connect(server.serverAddress());
        MemoryClient stuck = MemoryNetwork.connect(server.serverAddress());
        MemoryClient waiting = MemoryNetwork.connect(server.serverAddress())) {
      fin.send("fin\n");
      stuck.send("stuck\n");
      server.handleRequest();
      server.handleRequest();
      entered.awaitEntered();
      DrainResult result = server.drain(Duration.ofMillis(300));
      assertEquals(new DrainResult(1, 1, 0), result);
      assertEquals(1, socket.stopAcceptingCalls());
      assertEquals("done\n", fin.readLine(waitBound()));
      assertTrue(fin.seesEnd(waitBound()));
      assertTrue(stuck.wasReset(waitBound()), "the stuck request was not cut");
      assertTrue(waiting.wasReset(waitBound()), "the connection in the backlog was not reset");
      assertEquals(1, errors.size(), "the cut read reaches handleError: " + errors);
      assertFalse(server.socket().isOpen());
      assertEquals(0, server.activeRequests());
      assertThrows(IllegalStateException.class, server::handleRequest);
      assertThrows(
          java.net.ConnectException.class, () -> MemoryNetwork.connect(server.serverAddress()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"threading", "forking"})
  @DisplayName(
      "DrainOnSignal (issue 13): a request that ends once the drain says it has"
          + " begun counts as finished")
  void requestEndingAfterTheDrainBeganIsFinished(String kind) throws Exception {
    MemorySocketProvider provider = new MemorySocketProvider();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Gate entered = new Gate(1);
    TCPServer server = recording(kind, provider, errors, () -> new FinOrStuck(entered));
    try (server;
        MemoryClient fin = MemoryNetwork.connect(server.serverAddress())) {
      fin.send("fin\n");
      server.handleRequest();
      entered.awaitEntered();
      // What DrainOnSignal does at "draining": here the request ends, before the drain waits.
      DrainResult result =
          server.drain(
              Duration.ofSeconds(30),
              () -> {
                assertEquals("done\n", assertDoesNotThrow(() -> fin.readLine(waitBound())));
                awaitTrue(() -> server.activeRequests() == 0, "the request to end");
              });
      assertEquals(new DrainResult(1, 0, 0), result);
      assertEquals(List.of(), errors);
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName(
      "issue 10 drain protocol on a synchronous server: the request on the serving thread is cut"
          + " at the deadline")
  void drainSyncServer() throws Exception {
    MemorySocketProvider provider = new MemorySocketProvider();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Gate entered = new Gate(1);
    TCPServer server = recording("sync", provider, errors, () -> new FinOrStuck(entered));
    try (server;
        MemoryClient stuck = MemoryNetwork.connect(server.serverAddress())) {
      stuck.send("stuck\n");
      Thread serving = new Thread(server::handleRequest, "serving");
      serving.start();
      entered.awaitEntered();
      assertEquals(1, server.activeRequests());
      assertEquals(new DrainResult(0, 1, 0), server.drain(Duration.ofMillis(20)));
      awaitEnded(serving, "handleRequest after the cut");
      assertTrue(stuck.wasReset(waitBound()));
      assertEquals(1, errors.size());
      assertEquals(1, provider.opened().get(0).stopAcceptingCalls());
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName("drain() on the thread running serveForever throws: it would wait for itself")
  void drainOnServingThreadThrows() throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    RequestHandlerFactory drainer =
        () ->
            new StreamRequestHandler() {
              @Override
              public void handle() {
                server().drain(Duration.ZERO);
              }
            };
    TCPServer server = recording("sync", new MemorySocketProvider(), errors, drainer);
    try (server;
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      Thread loop = new Thread(() -> server.serveForever(Duration.ofMillis(500)), "serving");
      loop.start();
      assertTrue(client.seesEnd(waitBound()));
      awaitTrue(() -> errors.size() == 1, "handleError");
      assertTrue(errors.get(0) instanceof IllegalStateException, errors.toString());
      server.shutdown();
      awaitEnded(loop, "serveForever");
    }
  }

  /** Datagram side: "fin" replies once the drain has begun; "stuck" replies after the cut. */
  static final class DatagramFinOrStuck extends DatagramRequestHandler {
    private final Gate entered;

    DatagramFinOrStuck(Gate entered) {
      this.entered = entered;
    }

    @Override
    public void handle() throws IOException {
      String text = new String(packet());
      entered.enter();
      if (text.equals("fin")) {
        awaitTrue(() -> !server().accepting(), "the drain to begin");
        wfile().write("done".getBytes());
      } else {
        awaitTrue(() -> !socket().isOpen(), "the drain to close the socket");
        wfile().write("late".getBytes()); // finish() fails: the socket is closed
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ThreadingUDPServer", "ForkingUDPServer"})
  @DisplayName(
      "issue 10 drain protocol on a datagram server: it stops receiving but keeps the socket for"
          + " the running reply; at the deadline the socket closes and the late reply fails")
  void drainDatagramServer(String kind) throws Exception {
    MemorySocketProvider provider = new MemorySocketProvider();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Gate entered = new Gate(2);
    RequestHandlerFactory f = () -> new DatagramFinOrStuck(entered);
    UDPServer server =
        kind.equals("ThreadingUDPServer")
            ? new ThreadingUDPServer(anyPort(), f) {
              @Override
              protected SocketProvider socketProvider() {
                return provider;
              }

              @Override
              public void handleError(Request request, SocketAddress clientAddress) {
                errors.add(currentException().orElseThrow());
              }
            }
            : new ForkingUDPServer(anyPort(), f) {
              @Override
              protected SocketProvider socketProvider() {
                return provider;
              }

              @Override
              public void handleError(Request request, SocketAddress clientAddress) {
                errors.add(currentException().orElseThrow());
              }
            };
    MemorySocket socket = provider.opened().get(0);
    try (server;
        MemoryDatagramClient fin = MemoryNetwork.datagramClient();
        MemoryDatagramClient stuck = MemoryNetwork.datagramClient()) {
      assertTrue(fin.send(server.serverAddress(), "fin"));
      assertTrue(stuck.send(server.serverAddress(), "stuck"));
      server.handleRequest();
      server.handleRequest();
      entered.awaitEntered();
      DrainResult result = server.drain(Duration.ofMillis(300));
      assertEquals(new DrainResult(1, 1, 0), result);
      assertEquals(1, socket.stopAcceptingCalls());
      assertEquals("done", fin.receive(waitBound()), "the running reply was lost");
      assertNull(stuck.receive(Duration.ofMillis(50)), "the late reply was sent");
      assertEquals(1, errors.size(), "the late reply's failure reaches handleError: " + errors);
      assertFalse(server.socket().isOpen());
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName(
      "issue 10 drain protocol: after stopAccepting a datagram socket takes nothing more but"
          + " stays open until the drain ends")
  void datagramSocketStaysOpenWhileAwaiting() throws Exception {
    MemorySocketProvider provider = new MemorySocketProvider();
    Gate held = new Gate(1);
    List<Boolean> openWhileHeld = new CopyOnWriteArrayList<>();
    RequestHandlerFactory f =
        () ->
            new DatagramRequestHandler() {
              @Override
              public void handle() throws Exception {
                held.pass();
                openWhileHeld.add(socket().isOpen());
                wfile().write(packet());
              }
            };
    ThreadingUDPServer server =
        new ThreadingUDPServer(anyPort(), f) {
          @Override
          protected SocketProvider socketProvider() {
            return provider;
          }
        };
    MemorySocket socket = provider.opened().get(0);
    try (server;
        MemoryDatagramClient client = MemoryNetwork.datagramClient()) {
      assertTrue(client.send(server.serverAddress(), "one"));
      server.handleRequest();
      held.awaitEntered();
      Thread drainer = new Thread(() -> server.drain(waitBound()), "drainer");
      drainer.start();
      awaitTrue(() -> !socket.isAccepting(), "stopAccepting");
      assertFalse(client.send(server.serverAddress(), "two"), "a datagram was taken after stop");
      assertTrue(socket.isOpen(), "the socket closed while a request was running");
      held.release();
      awaitEnded(drainer, "drain()");
      assertEquals(List.of(true), openWhileHeld);
      assertEquals("one", client.receive(waitBound()));
      assertFalse(socket.isOpen());
    }
  }
}
