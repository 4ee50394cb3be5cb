package io.github.socketserver4j;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * The base of request handlers: CPython's {@code socketserver.BaseRequestHandler}.
 *
 * <p>The server makes a new handler for every request through its {@link RequestHandlerFactory}
 * and calls {@link #run}, which stores the request, the client address and the server, then calls
 * {@link #setup()}, {@link #handle()} and {@link #finish()} with CPython's rules:
 *
 * <ul>
 *   <li>{@code finish()} runs when {@code handle()} throws, and then the exception propagates to
 *       the server, which passes an {@code Exception} to {@code handleError};
 *   <li>{@code finish()} does not run when {@code setup()} throws;
 *   <li>an exception from {@code finish()} replaces one from {@code handle()}, which is kept as a
 *       suppressed exception (Python chains it as {@code __context__}).
 * </ul>
 *
 * <p>Handlers need no constructor; do no work in one. Subclass {@link StreamRequestHandler} for
 * stream servers. Handler methods may throw any exception: checked exceptions such as {@link
 * java.io.IOException} are handled like Python's exceptions.
 */
public class BaseRequestHandler {

  private Request request;
  private SocketAddress clientAddress;
  private BaseServer server;

  /** Creates a handler that has not run yet. */
  public BaseRequestHandler() {}

  /**
   * Handles one request: what CPython's handler constructor {@code __init__(request,
   * client_address, server)} does. Called by {@link BaseServer#finishRequest}; call it yourself
   * only from an override of {@code finishRequest}.
   *
   * @param request the request
   * @param clientAddress the client's address
   * @param server the server
   * @throws Exception what {@code setup}, {@code handle} or {@code finish} throws
   * @throws IllegalStateException if this handler has already run; a handler serves one request
   */
  public final void run(Request request, SocketAddress clientAddress, BaseServer server)
      throws Exception {
    if (this.server != null) {
      throw new IllegalStateException(
          "this handler has already run; the factory must return a new handler per request");
    }
    this.request = Objects.requireNonNull(request, "request");
    this.clientAddress = clientAddress; // null only where CPython has None (unbound Unix datagram)
    this.server = Objects.requireNonNull(server, "server");
    setup();
    try {
      handle();
    } catch (Throwable handleFailure) {
      try {
        finish();
      } catch (Throwable finishFailure) {
        finishFailure.addSuppressed(handleFailure);
        throw finishFailure;
      }
      throw handleFailure;
    }
    finish();
  }

  /**
   * Prepares for {@link #handle()}, CPython's {@code setup()}.
   *
   * @implSpec Does nothing. May be overridden.
   * @throws Exception to abandon the request; {@code handle} and {@code finish} then do not run
   */
  public void setup() throws Exception {}

  /**
   * Serves the request, CPython's {@code handle()}.
   *
   * @implSpec Does nothing. Override it.
   * @throws Exception anything; an {@code Exception} goes to the server's {@code handleError}
   */
  public void handle() throws Exception {}

  /**
   * Cleans up after {@link #handle()}, CPython's {@code finish()}; runs even if {@code handle}
   * threw.
   *
   * @implSpec Does nothing. May be overridden.
   * @throws Exception anything; it replaces an exception from {@code handle}
   */
  public void finish() throws Exception {}

  /**
   * Returns the request, CPython's {@code self.request}.
   *
   * @return the request; for a stream server a {@link StreamRequest}
   * @throws IllegalStateException before {@link #run}
   */
  public final Request request() {
    checkRunning();
    return request;
  }

  /**
   * Returns the client's address, CPython's {@code self.client_address}.
   *
   * @return the address; {@code null} only for a datagram from an unbound Unix datagram socket,
   *     where CPython has {@code None}
   * @throws IllegalStateException before {@link #run}
   */
  public final SocketAddress clientAddress() {
    checkRunning();
    return clientAddress;
  }

  /**
   * Returns the server, CPython's {@code self.server}. Cast it to your server class to reach its
   * own state.
   *
   * @return the server
   * @throws IllegalStateException before {@link #run}
   */
  public final BaseServer server() {
    checkRunning();
    return server;
  }

  private void checkRunning() {
    if (server == null) {
      throw new IllegalStateException("the handler has not been run on a request yet");
    }
  }
}
