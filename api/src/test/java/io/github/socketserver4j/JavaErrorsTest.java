package io.github.socketserver4j;

import static io.github.socketserver4j.memory.MemoryNetwork.anyPort;
import static io.github.socketserver4j.testing.ApiTestRules.waitBound;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.memory.MemoryClient;
import io.github.socketserver4j.memory.MemoryNetwork;
import io.github.socketserver4j.testing.ApiTestRules;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decision 2 (issue 10 item 9): which Java {@link Error}s take the {@code handleError} path. In
 * Python {@code AssertionError} and {@code RecursionError} are {@code Exception}s that {@code
 * handle_error} reports; Java's {@link AssertionError} and {@link StackOverflowError} are treated
 * the same. Every other {@code Error} propagates as {@code SystemExit} does (ErrorHandlerTest's
 * {@code test_*_not_handled}).
 */
class JavaErrorsTest {

  /** Throws what the test gives it from {@code handle()}. */
  static final class Throwing extends StreamRequestHandler {
    private final Supplier<Throwable> what;

    Throwing(Supplier<Throwable> what) {
      this.what = what;
    }

    @Override
    public void handle() throws Exception {
      Throwable t = what.get();
      if (t instanceof Error) {
        throw (Error) t;
      }
      throw (Exception) t;
    }
  }

  /** Records handleError and counts shutdownRequest, on any server class. */
  static final class Recorder {
    final List<Throwable> handled = new CopyOnWriteArrayList<>();
    final CountDownLatch shut = new CountDownLatch(1);
  }

  static TCPServer server(String kind, Recorder rec, Supplier<Throwable> what)
      throws IOException {
    RequestHandlerFactory factory = () -> new Throwing(what);
    switch (kind) {
      case "sync":
        return new TCPServer(anyPort(), factory) {
          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            rec.handled.add(currentException().orElseThrow());
          }

          @Override
          public void shutdownRequest(Request request) {
            super.shutdownRequest(request);
            rec.shut.countDown();
          }
        };
      case "threading":
        return new ThreadingTCPServer(anyPort(), factory) {
          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            rec.handled.add(currentException().orElseThrow());
          }

          @Override
          public void shutdownRequest(Request request) {
            super.shutdownRequest(request);
            rec.shut.countDown();
          }
        };
      case "forking":
        return new ForkingTCPServer(anyPort(), factory) {
          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            rec.handled.add(currentException().orElseThrow());
          }

          @Override
          public void shutdownRequest(Request request) {
            super.shutdownRequest(request);
            rec.shut.countDown();
          }
        };
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  private static void oneRequest(String kind, Recorder rec, Supplier<Throwable> what)
      throws Exception {
    try (TCPServer server = server(kind, rec, what);
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      server.handleRequest();
      assertTrue(
          rec.shut.await(waitBound().toMillis(), TimeUnit.MILLISECONDS),
          "shutdownRequest did not run");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sync", "threading", "forking"})
  @DisplayName(
      "decision 2: an AssertionError (a ported assert) goes to handleError; serving goes on")
  void assertionErrorIsHandled(String kind) throws Exception {
    AssertionError error = new AssertionError("assert failed");
    Recorder rec = new Recorder();
    oneRequest(kind, rec, () -> error);
    assertEquals(List.of(error), rec.handled);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sync", "threading", "forking"})
  @DisplayName("decision 2: a StackOverflowError (Python's RecursionError) goes to handleError")
  void stackOverflowIsHandled(String kind) throws Exception {
    Recorder rec = new Recorder();
    // Thrown, not provoked: the type decides, and a real overflow's 10,000 frames would only
    // flood the log.
    oneRequest(kind, rec, () -> new StackOverflowError("test: deep recursion"));
    assertEquals(1, rec.handled.size());
    assertTrue(rec.handled.get(0) instanceof StackOverflowError, rec.handled.toString());
  }

  @Test
  @DisplayName(
      "decision 2: another Error (OutOfMemoryError) skips handleError on a synchronous server:"
          + " shutdownRequest runs, then it propagates, as SystemExit in test_sync_not_handled")
  void otherErrorsPropagateFromSyncServer() throws Exception {
    OutOfMemoryError error = new OutOfMemoryError("test: not really out of memory");
    Recorder rec = new Recorder();
    try (TCPServer server = server("sync", rec, () -> error);
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      assertSame(error, assertThrows(OutOfMemoryError.class, server::handleRequest));
      assertEquals(0, rec.shut.getCount(), "shutdownRequest did not run");
      assertEquals(List.of(), rec.handled);
    }
  }

  @Test
  @DisplayName(
      "decision 2: another Error in a request thread skips handleError, runs shutdownRequest and"
          + " reaches the uncaught-exception handler, as test_threading_not_handled")
  void otherErrorsEndTheRequestThread() throws Exception {
    LinkageError error = new LinkageError("test: a missing class");
    Recorder rec = new Recorder();
    oneRequest("threading", rec, () -> error);
    assertEquals(List.of(error), ApiTestRules.takeUncaught(LinkageError.class));
    assertEquals(List.of(), rec.handled);
  }
}
