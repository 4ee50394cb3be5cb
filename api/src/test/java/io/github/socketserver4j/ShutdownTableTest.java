package io.github.socketserver4j;

import static io.github.socketserver4j.memory.MemoryNetwork.anyPort;
import static io.github.socketserver4j.testing.ApiTestRules.awaitEnded;
import static io.github.socketserver4j.testing.ApiTestRules.awaitTrue;
import static io.github.socketserver4j.testing.ApiTestRules.waitBound;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.memory.MemoryClient;
import io.github.socketserver4j.memory.MemoryNetwork;
import io.github.socketserver4j.testing.Echo;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code BaseServer}'s shutdown state machine, spec section 1.4's table (checked there against
 * CPython 3.6 to 3.13), on the in-memory transport: {@code serveForever}, {@code shutdown}, {@code
 * requestShutdown} and {@code serverClose} and how they interact.
 */
class ShutdownTableTest {

  /** A TCPServer that counts the requests it finished. */
  static final class Counting extends TCPServer {
    final AtomicInteger finished = new AtomicInteger();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    Counting(RequestHandlerFactory factory) throws IOException {
      super(anyPort(), factory);
    }

    @Override
    public void finishRequest(Request request, SocketAddress clientAddress) throws Exception {
      super.finishRequest(request, clientAddress);
      finished.incrementAndGet();
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      errors.add(currentException().orElseThrow());
    }
  }

  private static Thread serving(BaseServer server, Duration pollInterval) {
    Thread t = new Thread(() -> server.serveForever(pollInterval), "serving");
    t.start();
    return t;
  }

  private static void echoed(SocketAddress address) throws IOException {
    try (MemoryClient client = MemoryNetwork.connect(address)) {
      client.send("hello world\n");
      assertEquals("hello world\n", client.readLine(waitBound()));
    }
  }

  /** Runs {@code action} on a helper thread and fails if it does not return within the bound. */
  private static void returnsPromptly(Runnable action, String what) throws InterruptedException {
    Thread t = new Thread(action, what);
    t.start();
    awaitEnded(t, what);
  }

  @Test
  @DisplayName(
      "test_shutdown (Issue #2302): 20 servers, each shut down right after its loop starts; every"
          + " loop stops")
  void shutdownRightAfterStart() throws Exception {
    for (int i = 0; i < 20; i++) {
      try (TCPServer server = new TCPServer(anyPort(), Echo::new)) {
        Thread loop = serving(server, Duration.ofMillis(10));
        server.shutdown();
        awaitEnded(loop, "serveForever of server " + i);
      }
    }
  }

  @Test
  @DisplayName(
      "spec 1.4 (gh-88932 differs): shutdown() from another thread stops the loop at once, not"
          + " after its poll interval (1 hour here)")
  void shutdownWakesTheLoop() throws Exception {
    try (TCPServer server = new TCPServer(anyPort(), Echo::new)) {
      Thread loop = serving(server, Duration.ofHours(1));
      echoed(server.serverAddress());
      returnsPromptly(server::shutdown, "shutdown()");
      awaitEnded(loop, "serveForever");
    }
  }

  @Test
  @DisplayName(
      "spec 2.3 #7: shutdown() before any serveForever() blocks until a loop runs; that loop"
          + " returns at once without taking the request that is waiting")
  void shutdownBeforeServing() throws Exception {
    try (Counting server = new Counting(Echo::new);
        MemoryClient waiting = MemoryNetwork.connect(server.serverAddress())) {
      Thread stopper = new Thread(server::shutdown, "stopper");
      stopper.start();
      awaitTrue(() -> stopper.getState() == Thread.State.WAITING, "shutdown() to wait");
      assertTrue(stopper.isAlive(), "shutdown() returned before any loop ran");
      returnsPromptly(server::serveForever, "serveForever()");
      awaitEnded(stopper, "shutdown() once the loop ran");
      assertEquals(0, server.finished.get());
      assertEquals(0, waiting.serverEnd().closeCount(), "the waiting request was taken");
    }
  }

  @Test
  @DisplayName(
      "spec 2.3 #6: a second shutdown() after the loop ended returns at once but leaves the"
          + " request set: the next serveForever() returns at once; a third cycle serves")
  void strayShutdownPoisonsOneServe() throws Exception {
    try (Counting server = new Counting(Echo::new)) {
      Thread loop = serving(server, Duration.ofMillis(500));
      echoed(server.serverAddress());
      server.shutdown();
      awaitEnded(loop, "first loop");
      returnsPromptly(server::shutdown, "second shutdown()");
      try (MemoryClient waiting = MemoryNetwork.connect(server.serverAddress())) {
        returnsPromptly(server::serveForever, "the poisoned serveForever()");
        assertEquals(1, server.finished.get(), "the poisoned loop served a request");
        waiting.send("again\n");
        Thread third = serving(server, Duration.ofMillis(500));
        assertEquals("again\n", waiting.readLine(waitBound()));
        server.shutdown();
        awaitEnded(third, "third loop");
      }
      assertEquals(2, server.finished.get());
    }
  }

  /** Calls shutdown() from inside handle(): CPython deadlocks there (bpo-39797). */
  static final class ShutdownFromHandler extends StreamRequestHandler {
    @Override
    public void handle() {
      server().shutdown();
    }
  }

  @Test
  @DisplayName(
      "spec 3 #1 differs (bpo-39797): shutdown() on the serving thread throws"
          + " IllegalStateException, which handleError reports, instead of deadlocking")
  void shutdownOnServingThreadThrows() throws Exception {
    try (Counting server = new Counting(ShutdownFromHandler::new);
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      Thread loop = serving(server, Duration.ofMillis(500));
      assertTrue(client.seesEnd(waitBound()), "the request was not shut down");
      awaitTrue(() -> server.errors.size() == 1, "handleError");
      assertTrue(server.errors.get(0) instanceof IllegalStateException, server.errors.toString());
      assertTrue(loop.isAlive(), "the loop stopped");
      server.shutdown();
      awaitEnded(loop, "serveForever");
    }
  }

  /** Asks the loop to stop from inside handle(), then replies. */
  static final class RequestShutdown extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      server().requestShutdown();
      wfile().write(rfile().readLine());
    }
  }

  @Test
  @DisplayName(
      "requestShutdown() from a synchronous handler: the loop stops after this request (bpo-35017:"
          + " the next one is not taken) and the next serve takes it")
  void requestShutdownFromHandler() throws Exception {
    try (Counting server = new Counting(RequestShutdown::new);
        MemoryClient first = MemoryNetwork.connect(server.serverAddress());
        MemoryClient second = MemoryNetwork.connect(server.serverAddress())) {
      first.send("one\n");
      second.send("two\n");
      returnsPromptly(server::serveForever, "serveForever()");
      assertEquals("one\n", first.readLine(waitBound()));
      assertEquals(1, server.finished.get());
      assertEquals(0, second.serverEnd().closeCount(), "the second request was taken");
      returnsPromptly(server::handleRequest, "handleRequest()");
      assertEquals("two\n", second.readLine(waitBound()));
    }
  }

  @Test
  @DisplayName(
      "spec 1.4: an Error escaping the loop ends it with the request cleared and the event set;"
          + " serveForever() can run again")
  void loopEndsByException() throws Exception {
    AtomicBoolean exit = new AtomicBoolean(true);
    RequestHandlerFactory factory =
        () ->
            new Echo() {
              @Override
              public void handle() throws IOException {
                if (exit.getAndSet(false)) {
                  throw new ServerExit("stop");
                }
                super.handle();
              }
            };
    try (Counting server = new Counting(factory);
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      assertThrows(ServerExit.class, () -> server.serveForever(Duration.ofMillis(500)));
      assertTrue(client.seesEnd(waitBound()), "shutdownRequest did not run");
      Thread loop = serving(server, Duration.ofMillis(500));
      echoed(server.serverAddress());
      server.shutdown();
      awaitEnded(loop, "serveForever after the exception");
    }
  }

  @Test
  @DisplayName(
      "interrupting the serving thread ends the loop as a shutdown does; the interrupt status is"
          + " kept")
  void interruptEndsTheLoop() throws Exception {
    try (TCPServer server = new TCPServer(anyPort(), Echo::new)) {
      AtomicBoolean interrupted = new AtomicBoolean();
      Thread loop =
          new Thread(
              () -> {
                server.serveForever(Duration.ofHours(1));
                interrupted.set(Thread.currentThread().isInterrupted());
              },
              "serving");
      loop.start();
      awaitTrue(() -> loop.getState() == Thread.State.TIMED_WAITING, "the loop to wait");
      loop.interrupt();
      awaitEnded(loop, "serveForever after the interrupt");
      assertTrue(interrupted.get(), "the interrupt status was lost");
      returnsPromptly(server::shutdown, "shutdown() after the loop ended");
    }
  }

  @Test
  @DisplayName(
      "spec 2.3 #8 differs: serveForever() or handleRequest() after serverClose() throws"
          + " IllegalStateException (CPython spins on the closed socket)")
  void servingAfterServerCloseThrows() throws Exception {
    TCPServer server = new TCPServer(anyPort(), Echo::new);
    server.serverClose();
    assertFalse(server.socket().isOpen());
    assertThrows(IllegalStateException.class, server::serveForever);
    assertThrows(IllegalStateException.class, server::handleRequest);
    server.serverClose(); // twice is harmless
  }

  @Test
  @DisplayName("test_close_immediately: serverClose() on a ThreadingMixIn server that never served")
  void closeImmediately() throws Exception {
    ThreadingTCPServer server = new ThreadingTCPServer(anyPort(), Echo::new);
    returnsPromptly(server::serverClose, "serverClose()");
    assertFalse(server.socket().isOpen());
  }

  @Test
  @DisplayName("test_context_manager: try-with-resources closes the socket, as with closes it")
  void contextManager() throws Exception {
    TCPServer outer;
    try (TCPServer server = new TCPServer(anyPort(), Echo::new)) {
      outer = server;
      assertTrue(server.socket().isOpen());
    }
    assertFalse(outer.socket().isOpen());
  }
}
