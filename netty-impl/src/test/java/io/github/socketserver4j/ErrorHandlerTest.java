package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code ErrorHandlerTest} (bpo-23430), spec section 2.2 tests 17 to 20, plus the default
 * {@code handle_error} output (spec 2.3 case 1).
 *
 * <p>CPython's test server appends {@code "Handler called"} and {@code "Error handled"} to a file
 * and compares its content afterwards; here the lines go to an in-memory list. Python's {@code
 * ValueError} becomes {@link IllegalArgumentException} (an {@code Exception}: handled) and {@code
 * SystemExit} becomes {@link ServerExit} (an {@code Error}: not handled).
 *
 * <p>Unlike CPython's test, the client stays connected until the request is done, so the tests can
 * also see that {@code shutdownRequest} closed the connection.
 */
class ErrorHandlerTest {
  static final String HANDLER_CALLED = "Handler called";
  static final String ERROR_HANDLED = "Error handled";

  /** A thrown {@code Error} that is not {@link ServerExit}: Python's {@code KeyboardInterrupt}. */
  static final class FatalError extends Error {
    private static final long serialVersionUID = 1L;

    FatalError(String message) {
      super(message);
    }
  }

  /**
   * CPython's {@code BaseErrorTestServer}: records handled errors, and here also what {@code
   * shutdownRequest} and {@code handleError} saw.
   */
  static class ErrorTestServer extends TCPServer {
    final Function<String, Throwable> exception;
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<Throwable> thrown = new CopyOnWriteArrayList<>();
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicInteger shutdownCalls = new AtomicInteger();
    volatile Thread handlerThread;
    volatile Thread errorThread;
    volatile Thread shutdownThread;
    volatile Optional<Throwable> exceptionInHandleError;
    volatile Optional<Throwable> exceptionInShutdownRequest;
    volatile List<String> logAtShutdown;

    ErrorTestServer(Function<String, Throwable> exception) throws IOException {
      super(anyLoopbackPort(), BadHandler::new);
      this.exception = exception;
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      errorThread = Thread.currentThread();
      exceptionInHandleError = currentException();
      log.add(ERROR_HANDLED);
    }

    @Override
    public void shutdownRequest(Request request) {
      shutdownThread = Thread.currentThread();
      exceptionInShutdownRequest = currentException();
      logAtShutdown = List.copyOf(log);
      shutdownCalls.incrementAndGet();
      super.shutdownRequest(request);
      done.countDown();
    }

    /** CPython's {@code wait_done}; a synchronous server is done once handleRequest returned. */
    void waitDone() throws InterruptedException {
      assertTrue(
          done.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS),
          "shutdownRequest was not called");
    }
  }

  /** CPython's {@code ThreadingErrorTestServer(ThreadingMixIn, BaseErrorTestServer)}. */
  static final class ThreadingErrorTestServer extends ErrorTestServer implements ThreadingMixIn {
    ThreadingErrorTestServer(Function<String, Throwable> exception) throws IOException {
      super(exception);
    }
  }

  /** CPython's {@code BadHandler}: records the call, then throws the server's exception. */
  static final class BadHandler extends StreamRequestHandler {
    @Override
    public void handle() throws Exception {
      ErrorTestServer server = (ErrorTestServer) server();
      server.handlerThread = Thread.currentThread();
      server.log.add(HANDLER_CALLED);
      Throwable t = server.exception.apply("Test error");
      server.thrown.add(t);
      if (t instanceof Error) {
        throw (Error) t;
      }
      throw (Exception) t;
    }
  }

  /** CPython's server constructor body: one request, then {@code server_close} in a finally. */
  static void handleOneRequest(ErrorTestServer server) throws Exception {
    try {
      assertTrue(BaseServer.currentException().isEmpty(), "no exception is being handled yet");
      server.handleRequest();
    } finally {
      server.serverClose();
    }
  }

  @Test
  @DisplayName("test_sync_handled (bpo-23430): an Exception in a sync handler is handled once")
  void syncHandled() throws Exception {
    ErrorTestServer server = new ErrorTestServer(IllegalArgumentException::new);
    try (Client client = Client.connect(server.serverAddress())) {
      handleOneRequest(server);
      server.waitDone();
      assertEquals(List.of(HANDLER_CALLED, ERROR_HANDLED), server.log);
      // handle_error runs in the except block, before shutdown_request.
      assertEquals(List.of(HANDLER_CALLED, ERROR_HANDLED), server.logAtShutdown);
      assertEquals(1, server.shutdownCalls.get());
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
    assertEquals(-1, server.fileno());
  }

  @Test
  @DisplayName("test_sync_handled (bpo-23430): serve_forever keeps serving after handled errors")
  void syncHandledKeepsServing() throws Exception {
    ErrorTestServer server = new ErrorTestServer(IllegalArgumentException::new);
    Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
    serving.start();
    try {
      for (int i = 1; i <= 3; i++) {
        try (Client client = Client.connect(server.serverAddress())) {
          assertTrue(client.seesEndOfStream(TestRules.waitBound()), "request " + i + " not ended");
        }
        // shutdownRequest closes the connection before it returns; the log is complete by then.
        assertEquals(2 * i, server.log.size(), "after request " + i + ": " + server.log);
      }
    } finally {
      server.shutdown();
      serving.join(TestRules.waitBound().toMillis());
      server.serverClose();
    }
    assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
    assertEquals(
        List.of(
            HANDLER_CALLED,
            ERROR_HANDLED,
            HANDLER_CALLED,
            ERROR_HANDLED,
            HANDLER_CALLED,
            ERROR_HANDLED),
        server.log);
    assertEquals(3, server.shutdownCalls.get());
  }

  @Test
  @DisplayName(
      "test_sync_not_handled (bpo-23430): ServerExit propagates, no handleError, serverClose runs")
  void syncNotHandled() throws Exception {
    ErrorTestServer server = new ErrorTestServer(ServerExit::new);
    try (Client client = Client.connect(server.serverAddress())) {
      ServerExit e = assertThrows(ServerExit.class, () -> handleOneRequest(server));
      assertSame(server.thrown.get(0), e);
      assertEquals("Test error", e.getMessage());
      assertEquals(List.of(HANDLER_CALLED), server.log);
      // The request is still shut down before the exit propagates.
      assertEquals(1, server.shutdownCalls.get());
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
    // The finally of the test server's body (CPython: server_close in the constructor) ran.
    assertEquals(-1, server.fileno());
    assertFalse(server.socket().isOpen());
  }

  @Test
  @DisplayName(
      "test_threading_handled (bpo-23430): handleError runs in the worker, then shutdownRequest")
  void threadingHandled() throws Exception {
    ThreadingErrorTestServer server = new ThreadingErrorTestServer(IllegalArgumentException::new);
    try (Client client = Client.connect(server.serverAddress())) {
      handleOneRequest(server);
      server.waitDone();
      assertEquals(List.of(HANDLER_CALLED, ERROR_HANDLED), server.log);
      assertEquals(List.of(HANDLER_CALLED, ERROR_HANDLED), server.logAtShutdown);
      assertNotSame(Thread.currentThread(), server.handlerThread, "handled on the caller");
      assertSame(server.handlerThread, server.errorThread, "handleError not in the worker");
      assertSame(server.handlerThread, server.shutdownThread, "shutdownRequest not in the worker");
      assertEquals(1, server.shutdownCalls.get());
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
  }

  @Test
  @DisplayName(
      "test_threading_not_handled (bpo-23430): ServerExit in the worker reaches the uncaught"
          + " handler; shutdownRequest still runs")
  void threadingNotHandled() throws Exception {
    ThreadingErrorTestServer server = new ThreadingErrorTestServer(ServerExit::new);
    try (Client client = Client.connect(server.serverAddress())) {
      handleOneRequest(server); // processRequest returns at once: nothing propagates here
      server.waitDone();
      assertEquals(List.of(HANDLER_CALLED), server.log);
      assertEquals(List.of(HANDLER_CALLED), server.logAtShutdown);
      assertSame(server.handlerThread, server.shutdownThread, "shutdownRequest not in the worker");
      assertEquals(1, server.shutdownCalls.get());
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
    // CPython: threading.excepthook receives SystemExit (cm.exc_type is SystemExit).
    List<ServerExit> uncaught = TestRules.takeUncaught(ServerExit.class);
    assertEquals(1, uncaught.size(), "uncaught: " + uncaught);
    assertSame(server.thrown.get(0), uncaught.get(0));
  }

  @Test
  @DisplayName(
      "bpo-23430: an Error other than ServerExit (KeyboardInterrupt) propagates after"
          + " shutdownRequest")
  void syncOtherErrorPropagates() throws Exception {
    ErrorTestServer server = new ErrorTestServer(FatalError::new);
    try (Client client = Client.connect(server.serverAddress())) {
      FatalError e = assertThrows(FatalError.class, () -> handleOneRequest(server));
      assertSame(server.thrown.get(0), e);
      assertEquals(List.of(HANDLER_CALLED), server.log);
      // Counted before the Error left handleRequest, which ran on this thread.
      assertEquals(1, server.shutdownCalls.get());
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
  }

  @Test
  @DisplayName(
      "handle_error: currentException() is the handled exception inside, empty outside (exc_info)")
  void currentExceptionOnlyInsideHandleError() throws Exception {
    for (boolean threading : new boolean[] {false, true}) {
      ErrorTestServer server =
          threading
              ? new ThreadingErrorTestServer(IllegalArgumentException::new)
              : new ErrorTestServer(IllegalArgumentException::new);
      try (Client client = Client.connect(server.serverAddress())) {
        handleOneRequest(server);
        server.waitDone();
        assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
      }
      String where = threading ? "threading: " : "sync: ";
      assertEquals(Optional.of(server.thrown.get(0)), server.exceptionInHandleError, where);
      // shutdownRequest runs right after handleError on the same thread.
      assertEquals(Optional.empty(), server.exceptionInShutdownRequest, where);
      assertEquals(Optional.empty(), BaseServer.currentException(), where);
    }
  }

  /** A handler whose error goes to the default handleError. */
  static final class ThrowsBoom extends StreamRequestHandler {
    @Override
    public void handle() {
      throw new IllegalArgumentException("boom");
    }
  }

  @Test
  @DisplayName(
      "handle_error default (bpo-23430, spec 2.3 #1): CPython's sentence, the client address and"
          + " the stack trace, at ERROR")
  void defaultHandleErrorLogs() throws Exception {
    String output;
    int clientPort;
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    // slf4j-simple (the test binding) looks System.err up on every log call.
    System.setErr(new PrintStream(new Tee(captured, original), true, StandardCharsets.UTF_8));
    try (TCPServer server = new TCPServer(anyLoopbackPort(), ThrowsBoom::new);
        Client client = Client.connect(server.serverAddress())) {
      clientPort = client.socket().getLocalPort();
      server.handleRequest();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    } finally {
      System.setErr(original);
    }
    output = captured.toString(StandardCharsets.UTF_8);
    List<String> lines = Arrays.asList(output.split("\\R"));
    String sentence =
        "Exception occurred during processing of request from ('127.0.0.1', " + clientPort + ")";
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(sentence)) {
        at.add(i);
      }
    }
    assertEquals(1, at.size(), "expected the sentence once in:\n" + output);
    int i = at.get(0);
    assertTrue(
        lines.get(i).endsWith(" ERROR io.github.socketserver4j.BaseServer - " + sentence),
        "not at ERROR by the BaseServer logger: " + lines.get(i));
    assertEquals("java.lang.IllegalArgumentException: boom", lines.get(i + 1));
    assertTrue(
        lines.get(i + 2).trim().startsWith("at " + ThrowsBoom.class.getName() + ".handle("),
        "the stack trace does not start in the handler: " + lines.get(i + 2));
    assertTrue(
        lines.stream().anyMatch(l -> l.trim().startsWith("at " + BaseServer.class.getName())),
        "the stack trace does not go through BaseServer:\n" + output);
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }
  }
}
