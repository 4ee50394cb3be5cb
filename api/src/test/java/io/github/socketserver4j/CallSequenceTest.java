package io.github.socketserver4j;

import static io.github.socketserver4j.memory.MemoryNetwork.anyPort;
import static io.github.socketserver4j.testing.ApiTestRules.awaitTrue;
import static io.github.socketserver4j.testing.ApiTestRules.waitBound;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.spy;

import io.github.socketserver4j.memory.MemoryClient;
import io.github.socketserver4j.memory.MemoryNetwork;
import io.github.socketserver4j.testing.ApiTestRules;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.InOrder;

/**
 * The hook call sequences of spec section 1.11 (verified on CPython 3.11 and 3.13), on every
 * concurrency policy, on the in-memory transport: a tracing server and handler append each hook's
 * CPython name to a list, which is compared with CPython's sequence.
 */
class CallSequenceTest {

  /** What the traced handler does in {@code handle()}. */
  enum Fault {
    NONE,
    EXCEPTION,
    SERVER_EXIT
  }

  static final List<String> NORMAL =
      List.of(
          "get_request", "verify_request", "process_request", "finish_request", "setup", "handle",
          "finish", "shutdown_request", "close_request");

  static final List<String> HANDLED =
      List.of(
          "get_request", "verify_request", "process_request", "finish_request", "setup", "handle",
          "finish", "handle_error", "shutdown_request", "close_request");

  static final List<String> NOT_HANDLED =
      List.of(
          "get_request", "verify_request", "process_request", "finish_request", "setup", "handle",
          "finish", "shutdown_request", "close_request");

  static class TracingHandler extends StreamRequestHandler {
    private final List<String> trace;
    private final Fault fault;

    TracingHandler(List<String> trace, Fault fault) {
      this.trace = trace;
      this.fault = fault;
    }

    @Override
    public void setup() throws Exception {
      trace.add("setup");
      super.setup();
    }

    @Override
    public void handle() {
      trace.add("handle");
      if (fault == Fault.EXCEPTION) {
        throw new IllegalArgumentException("boom");
      }
      if (fault == Fault.SERVER_EXIT) {
        throw new ServerExit("exit");
      }
    }

    @Override
    public void finish() throws Exception {
      trace.add("finish");
      super.finish();
    }
  }

  /** A TCPServer whose request hooks append their CPython names to {@code trace}. */
  static class Tracing extends TCPServer {
    final List<String> trace;
    volatile boolean verify = true;
    volatile boolean failGetRequest;
    volatile RuntimeException verifyThrows;

    Tracing(List<String> trace, Fault fault) throws IOException {
      super(anyPort(), () -> new TracingHandler(trace, fault));
      this.trace = trace;
    }

    @Override
    public ClientRequest getRequest() throws IOException {
      trace.add("get_request");
      if (failGetRequest) {
        throw new IOException("accept failed");
      }
      return super.getRequest();
    }

    @Override
    public boolean verifyRequest(Request request, SocketAddress clientAddress) {
      trace.add("verify_request");
      if (verifyThrows != null) {
        throw verifyThrows;
      }
      return verify;
    }

    @Override
    public void processRequest(Request request, SocketAddress clientAddress) throws Exception {
      trace.add("process_request");
      super.processRequest(request, clientAddress);
    }

    @Override
    public void finishRequest(Request request, SocketAddress clientAddress) throws Exception {
      trace.add("finish_request");
      super.finishRequest(request, clientAddress);
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      trace.add("handle_error");
    }

    @Override
    public void shutdownRequest(Request request) {
      trace.add("shutdown_request");
      super.shutdownRequest(request);
    }

    @Override
    public void closeRequest(Request request) {
      trace.add("close_request");
      super.closeRequest(request);
    }
  }

  static final class TracingThreading extends Tracing implements ThreadingMixIn {
    TracingThreading(List<String> trace, Fault fault) throws IOException {
      super(trace, fault);
    }
  }

  static final class TracingForking extends Tracing implements ForkingMixIn {
    TracingForking(List<String> trace, Fault fault) throws IOException {
      super(trace, fault);
    }
  }

  static Tracing server(String kind, List<String> trace, Fault fault) throws IOException {
    switch (kind) {
      case "sync":
        return new Tracing(trace, fault);
      case "threading":
        return new TracingThreading(trace, fault);
      case "forking":
        return new TracingForking(trace, fault);
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  /** Runs one request and returns the trace once the request has been closed. */
  static List<String> oneRequest(String kind, Fault fault) throws Exception {
    List<String> trace = new CopyOnWriteArrayList<>();
    try (Tracing server = server(kind, trace, fault);
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      if (kind.equals("sync") && fault == Fault.SERVER_EXIT) {
        assertThrows(ServerExit.class, server::handleRequest);
      } else {
        server.handleRequest();
      }
      awaitTrue(() -> trace.contains("close_request"), "close_request");
      assertTrue(client.seesEnd(waitBound()));
    }
    return trace;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sync", "threading", "forking"})
  @DisplayName("spec 1.11: the normal sequence (a ForkingMixIn parent's close_request aside)")
  void normal(String kind) throws Exception {
    assertEquals(NORMAL, oneRequest(kind, Fault.NONE));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sync", "threading", "forking"})
  @DisplayName("spec 1.11: handle raises an Exception: finish, handle_error, shutdown_request")
  void handleRaises(String kind) throws Exception {
    assertEquals(HANDLED, oneRequest(kind, Fault.EXCEPTION));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sync", "threading", "forking"})
  @DisplayName(
      "spec 1.11: handle raises SystemExit (ServerExit): no handle_error; sync propagates it, a"
          + " thread hands it to its uncaught-exception handler, a forking child drops it")
  void handleExits(String kind) throws Exception {
    assertEquals(NOT_HANDLED, oneRequest(kind, Fault.SERVER_EXIT));
    if (kind.equals("threading")) {
      assertEquals(1, ApiTestRules.takeUncaught(ServerExit.class).size());
    }
  }

  @Test
  @DisplayName("spec 1.11 / bpo-26309: verify_request false: shutdown_request once, nothing else")
  void verifyFalse() throws Exception {
    List<String> trace = new CopyOnWriteArrayList<>();
    try (Tracing server = new Tracing(trace, Fault.NONE);
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      server.verify = false;
      server.handleRequest();
      assertEquals(List.of("get_request", "verify_request", "shutdown_request", "close_request"),
          trace);
      assertTrue(client.seesEnd(waitBound()));
    }
  }

  @Test
  @DisplayName(
      "spec 1.11: verify_request raises: it propagates and no hook shuts the request down; the"
          + " transport closes the connection (CPython's garbage collector does)")
  void verifyRaises() throws Exception {
    List<String> trace = new CopyOnWriteArrayList<>();
    try (Tracing server = new Tracing(trace, Fault.NONE);
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      server.verifyThrows = new IllegalStateException("verify failed");
      assertThrows(IllegalStateException.class, server::handleRequest);
      assertEquals(List.of("get_request", "verify_request"), trace);
      assertTrue(client.seesEnd(waitBound()), "the connection leaked");
    }
  }

  @Test
  @DisplayName("spec 1.11: get_request raises OSError (IOException): a silent return")
  void getRequestFails() throws Exception {
    List<String> trace = new CopyOnWriteArrayList<>();
    try (Tracing server = new Tracing(trace, Fault.NONE);
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      server.failGetRequest = true;
      server.handleRequest();
      assertEquals(List.of("get_request"), trace);
    }
  }

  @Test
  @DisplayName(
      "spec 1.10 with Mockito: StreamRequestHandler's setup, handle, finish run in order on the"
          + " handler the factory made, inside finishRequest")
  void handlerOrderWithMockito() throws Exception {
    List<String> trace = new CopyOnWriteArrayList<>();
    TracingHandler handler = spy(new TracingHandler(trace, Fault.NONE));
    Tracing server =
        new Tracing(trace, Fault.NONE) {
          @Override
          public void finishRequest(Request request, SocketAddress clientAddress)
              throws Exception {
            handler.run(request, clientAddress, this);
          }
        };
    try (server;
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      server.handleRequest();
      InOrder order = inOrder(handler);
      order.verify(handler).setup();
      order.verify(handler).handle();
      order.verify(handler).finish();
      order.verifyNoMoreInteractions();
      assertEquals(client.address(), handler.clientAddress());
    }
  }
}
