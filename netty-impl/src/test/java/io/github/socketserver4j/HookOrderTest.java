package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.same;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

/**
 * The hook call orders of spec section 1.11 (2.3 case 11), as CPython 3.11 and 3.13 produce them,
 * and the handler rules of section 1.10: {@code setup} failing skips {@code finish}, {@code handle}
 * failing still runs {@code finish}, and a failing {@code finish} wins.
 *
 * <p>A tracing server and handler call a mocked {@link Hooks} from every hook before doing the
 * hook's work; the mock's stubs inject the failures. {@code handleError} is traced only, so the
 * default's log output stays out of the way.
 */
class HookOrderTest {

  /** One method per hook; the tracing classes call it first. */
  interface Hooks {
    void getRequest() throws IOException;

    boolean verifyRequest();

    void processRequest();

    void finishRequest();

    void setup() throws Exception;

    void handle() throws Exception;

    void finish() throws Exception;

    void handleError(Throwable current);

    void shutdownRequest();

    void closeRequest();
  }

  /** A TCPServer that traces every request hook, and the thread it runs on. */
  static class TracingServer extends TCPServer {
    final Hooks hooks;
    final Map<String, Thread> threadOf = new ConcurrentHashMap<>();
    volatile ClientRequest lastRequest;

    TracingServer(Hooks hooks) throws IOException {
      super(anyLoopbackPort(), () -> new TracingHandler(hooks));
      this.hooks = hooks;
    }

    private void on(String hook) {
      threadOf.put(hook, Thread.currentThread());
    }

    @Override
    public ClientRequest getRequest() throws IOException {
      on("getRequest");
      hooks.getRequest();
      lastRequest = super.getRequest();
      return lastRequest;
    }

    @Override
    public boolean verifyRequest(Request request, SocketAddress clientAddress) {
      on("verifyRequest");
      return hooks.verifyRequest();
    }

    @Override
    public void processRequest(Request request, SocketAddress clientAddress) throws Exception {
      on("processRequest");
      hooks.processRequest();
      super.processRequest(request, clientAddress);
    }

    @Override
    public void finishRequest(Request request, SocketAddress clientAddress) throws Exception {
      on("finishRequest");
      hooks.finishRequest();
      super.finishRequest(request, clientAddress);
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      on("handleError");
      hooks.handleError(currentException().orElse(null));
    }

    @Override
    public void shutdownRequest(Request request) {
      on("shutdownRequest");
      hooks.shutdownRequest();
      super.shutdownRequest(request);
    }

    @Override
    public void closeRequest(Request request) {
      on("closeRequest");
      hooks.closeRequest();
      super.closeRequest(request);
    }
  }

  /** CPython's {@code class MyServer(ThreadingMixIn, TCPServer)}, traced. */
  static final class TracingThreadingServer extends TracingServer implements ThreadingMixIn {
    TracingThreadingServer(Hooks hooks) throws IOException {
      super(hooks);
    }
  }

  static final class TracingHandler extends BaseRequestHandler {
    private final Hooks hooks;

    TracingHandler(Hooks hooks) {
      this.hooks = hooks;
    }

    @Override
    public void setup() throws Exception {
      hooks.setup();
    }

    @Override
    public void handle() throws Exception {
      hooks.handle();
    }

    @Override
    public void finish() throws Exception {
      hooks.finish();
    }
  }

  private Hooks hooks;

  @BeforeEach
  void mockHooks() {
    hooks = mock(Hooks.class);
    when(hooks.verifyRequest()).thenReturn(true);
  }

  /** getRequest, verifyRequest, processRequest, finishRequest, setup, handle, finish. */
  private static void verifyUpToFinish(InOrder order, Hooks hooks) throws Exception {
    order.verify(hooks).getRequest();
    order.verify(hooks).verifyRequest();
    order.verify(hooks).processRequest();
    order.verify(hooks).finishRequest();
    order.verify(hooks).setup();
    order.verify(hooks).handle();
    order.verify(hooks).finish();
  }

  @Test
  @DisplayName("call order (spec 1.11): normal request")
  void normal() throws Exception {
    try (TracingServer server = new TracingServer(hooks);
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
    InOrder order = inOrder(hooks);
    verifyUpToFinish(order, hooks);
    order.verify(hooks).shutdownRequest();
    order.verify(hooks).closeRequest();
    verifyNoMoreInteractions(hooks);
  }

  @Test
  @DisplayName(
      "call order (spec 1.11): handle throws an Exception -> finish, handleError, shutdown")
  void handleThrowsException() throws Exception {
    IllegalArgumentException boom = new IllegalArgumentException("boom");
    doThrow(boom).when(hooks).handle();
    try (TracingServer server = new TracingServer(hooks);
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest(); // handled: nothing propagates
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
    InOrder order = inOrder(hooks);
    verifyUpToFinish(order, hooks);
    order.verify(hooks).handleError(same(boom));
    order.verify(hooks).shutdownRequest();
    order.verify(hooks).closeRequest();
    verifyNoMoreInteractions(hooks);
  }

  @Test
  @DisplayName(
      "call order (spec 1.11): handle throws ServerExit -> finish, shutdown, close, then it"
          + " propagates")
  void handleThrowsServerExit() throws Exception {
    ServerExit exit = new ServerExit("exit");
    doThrow(exit).when(hooks).handle();
    try (TracingServer server = new TracingServer(hooks);
        Client client = Client.connect(server.serverAddress())) {
      assertSame(exit, assertThrows(ServerExit.class, server::handleRequest));
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
    InOrder order = inOrder(hooks);
    verifyUpToFinish(order, hooks);
    order.verify(hooks).shutdownRequest();
    order.verify(hooks).closeRequest();
    verifyNoMoreInteractions(hooks);
  }

  @Test
  @DisplayName("call order (spec 1.11, bpo-26309): verifyRequest false -> shutdown, close")
  void verifyRequestFalse() throws Exception {
    when(hooks.verifyRequest()).thenReturn(false);
    try (TracingServer server = new TracingServer(hooks);
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
    InOrder order = inOrder(hooks);
    order.verify(hooks).getRequest();
    order.verify(hooks).verifyRequest();
    order.verify(hooks).shutdownRequest();
    order.verify(hooks).closeRequest();
    verifyNoMoreInteractions(hooks);
  }

  @Test
  @DisplayName(
      "call order (spec 1.11, 2.3 #2): verifyRequest throws -> it propagates, no shutdownRequest")
  @SuppressWarnings("try") // the client only has to be connected
  void verifyRequestThrows() throws Exception {
    IllegalStateException refused = new IllegalStateException("refused");
    when(hooks.verifyRequest()).thenThrow(refused);
    TracingServer server = new TracingServer(hooks);
    try (Client client = Client.connect(server.serverAddress())) {
      assertSame(refused, assertThrows(IllegalStateException.class, server::handleRequest));
      // No hook shuts it down, as in CPython; CPython's garbage collector closes the socket
      // later, and the transport closes it at once here (docs/differences.md), so it is not leaked.
      StreamRequest connection = (StreamRequest) server.lastRequest.request();
      assertFalse(connection.isOpen(), "the connection leaked");
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the client never saw EOF");
      InOrder order = inOrder(hooks);
      order.verify(hooks).getRequest();
      order.verify(hooks).verifyRequest();
      verifyNoMoreInteractions(hooks);
    } finally {
      // The test closes what the server leaked.
      if (server.lastRequest != null) {
        ((StreamRequest) server.lastRequest.request()).close();
      }
      server.serverClose();
    }
  }

  @Test
  @DisplayName(
      "call order (spec 1.11, 2.3 #3): getRequest throws IOException -> silent return, and the"
          + " connection is served next time")
  void getRequestThrowsIoException() throws Exception {
    doThrow(new IOException("accept failed")).doNothing().when(hooks).getRequest();
    try (TracingServer server = new TracingServer(hooks);
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest(); // silent: nothing propagates
      verify(hooks).getRequest();
      verifyNoMoreInteractions(hooks);

      // The connection was never taken, so it is still waiting; CPython's next accept gets it.
      clearInvocations(hooks);
      server.handleRequest();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
      InOrder order = inOrder(hooks);
      verifyUpToFinish(order, hooks);
      order.verify(hooks).shutdownRequest();
      order.verify(hooks).closeRequest();
      verifyNoMoreInteractions(hooks);
    }
  }

  @Test
  @DisplayName(
      "call order (spec 1.11): threading -> processRequest returns at once; the thread runs"
          + " finishRequest to closeRequest")
  void threading() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    doAnswer(
            invocation -> {
              entered.countDown();
              assertTrue(
                  release.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS),
                  "not released");
              return null;
            })
        .when(hooks)
        .handle();
    TracingThreadingServer server = new TracingThreadingServer(hooks);
    try (Client client = Client.connect(server.serverAddress())) {
      server.handleRequest(); // returns while the handler is still blocked in handle()
      assertTrue(entered.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      assertEquals(1, release.getCount(), "handleRequest waited for the handler");
      release.countDown();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    } finally {
      release.countDown();
      server.serverClose(); // joins the request thread: every hook has run
    }
    InOrder order = inOrder(hooks);
    verifyUpToFinish(order, hooks);
    order.verify(hooks).shutdownRequest();
    order.verify(hooks).closeRequest();
    verifyNoMoreInteractions(hooks);
    assertThreads(server, List.of("finishRequest", "shutdownRequest", "closeRequest"));
  }

  @Test
  @DisplayName(
      "call order (spec 1.11): threading, handle throws -> handleError then shutdownRequest in"
          + " the thread")
  void threadingHandleThrows() throws Exception {
    IllegalArgumentException boom = new IllegalArgumentException("boom");
    doThrow(boom).when(hooks).handle();
    TracingThreadingServer server = new TracingThreadingServer(hooks);
    try (Client client = Client.connect(server.serverAddress())) {
      server.handleRequest();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    } finally {
      server.serverClose();
    }
    InOrder order = inOrder(hooks);
    verifyUpToFinish(order, hooks);
    order.verify(hooks).handleError(same(boom));
    order.verify(hooks).shutdownRequest();
    order.verify(hooks).closeRequest();
    verifyNoMoreInteractions(hooks);
    assertThreads(server, List.of("finishRequest", "handleError", "shutdownRequest"));
  }

  @Test
  @DisplayName(
      "call order (spec 1.11): threading, handle throws ServerExit -> no handleError,"
          + " shutdownRequest, then the thread's uncaught handler")
  void threadingHandleThrowsServerExit() throws Exception {
    ServerExit exit = new ServerExit("exit");
    doThrow(exit).when(hooks).handle();
    TracingThreadingServer server = new TracingThreadingServer(hooks);
    try (Client client = Client.connect(server.serverAddress())) {
      server.handleRequest(); // the exit stays in the request thread
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    } finally {
      server.serverClose();
    }
    assertEquals(List.of(exit), TestRules.takeUncaught(ServerExit.class));
    InOrder order = inOrder(hooks);
    verifyUpToFinish(order, hooks);
    order.verify(hooks).shutdownRequest();
    order.verify(hooks).closeRequest();
    verifyNoMoreInteractions(hooks);
    assertThreads(server, List.of("finishRequest", "shutdownRequest", "closeRequest"));
  }

  /** The hooks ran on one request thread, and getRequest to processRequest on this thread. */
  private static void assertThreads(TracingServer server, List<String> inRequestThread) {
    Thread caller = Thread.currentThread();
    for (String hook : List.of("getRequest", "verifyRequest", "processRequest")) {
      assertSame(caller, server.threadOf.get(hook), hook + " not on the serving thread");
    }
    Thread worker = server.threadOf.get(inRequestThread.get(0));
    assertNotSame(caller, worker, "the request ran on the serving thread");
    for (String hook : inRequestThread) {
      assertSame(worker, server.threadOf.get(hook), hook + " not on the request thread");
    }
  }

  @Test
  @DisplayName("handler (spec 1.10): setup throws -> no handle, no finish; handleError gets it")
  void setupThrows() throws Exception {
    IllegalStateException broken = new IllegalStateException("setup");
    doThrow(broken).when(hooks).setup();
    try (TracingServer server = new TracingServer(hooks);
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
    InOrder order = inOrder(hooks);
    order.verify(hooks).getRequest();
    order.verify(hooks).verifyRequest();
    order.verify(hooks).processRequest();
    order.verify(hooks).finishRequest();
    order.verify(hooks).setup();
    order.verify(hooks).handleError(same(broken));
    order.verify(hooks).shutdownRequest();
    order.verify(hooks).closeRequest();
    verify(hooks, never()).handle();
    verify(hooks, never()).finish();
    verifyNoMoreInteractions(hooks);
  }

  @Test
  @DisplayName(
      "handler (spec 1.10): finish throws after handle threw -> finish's exception wins, handle's"
          + " is suppressed (Python: __context__)")
  void finishThrowsAfterHandleThrew() throws Exception {
    IllegalArgumentException fromHandle = new IllegalArgumentException("handle");
    IllegalStateException fromFinish = new IllegalStateException("finish");
    doThrow(fromHandle).when(hooks).handle();
    doThrow(fromFinish).when(hooks).finish();
    try (TracingServer server = new TracingServer(hooks);
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
    ArgumentCaptor<Throwable> handled = ArgumentCaptor.forClass(Throwable.class);
    InOrder order = inOrder(hooks);
    verifyUpToFinish(order, hooks);
    order.verify(hooks).handleError(handled.capture());
    order.verify(hooks).shutdownRequest();
    order.verify(hooks).closeRequest();
    verifyNoMoreInteractions(hooks);
    assertSame(fromFinish, handled.getValue());
    assertEquals(List.of(fromHandle), List.of(fromFinish.getSuppressed()));
  }

  @Test
  @DisplayName(
      "handler (spec 1.10): finish throws alone -> handleError gets it, nothing suppressed")
  void finishThrows() throws Exception {
    IllegalStateException fromFinish = new IllegalStateException("finish");
    doThrow(fromFinish).when(hooks).finish();
    try (TracingServer server = new TracingServer(hooks);
        Client client = Client.connect(server.serverAddress())) {
      server.handleRequest();
      assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the connection was not closed");
    }
    InOrder order = inOrder(hooks);
    verifyUpToFinish(order, hooks);
    order.verify(hooks).handleError(same(fromFinish));
    order.verify(hooks).shutdownRequest();
    order.verify(hooks).closeRequest();
    verifyNoMoreInteractions(hooks);
    assertEquals(0, fromFinish.getSuppressed().length);
  }
}
