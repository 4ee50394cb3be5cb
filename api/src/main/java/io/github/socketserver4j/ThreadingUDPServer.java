package io.github.socketserver4j;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A {@link UDPServer} that handles each datagram in its own thread: CPython's {@code
 * ThreadingUDPServer(ThreadingMixIn, UDPServer)}.
 *
 * <p>Threads are virtual threads on Java 21 and later; see {@link ThreadingMixIn}.
 */
public class ThreadingUDPServer extends UDPServer implements ThreadingMixIn {

  /**
   * Creates, binds and activates the server.
   *
   * @param serverAddress where to serve
   * @param requestHandlerFactory makes one handler per request
   * @throws IOException if the socket cannot be created or bound
   */
  public ThreadingUDPServer(SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory)
      throws IOException {
    super(serverAddress, requestHandlerFactory);
  }

  /**
   * Creates the server, binding and activating it only if {@code bindAndActivate}.
   *
   * @param serverAddress where to serve
   * @param requestHandlerFactory makes one handler per request
   * @param bindAndActivate whether to bind now
   * @throws IOException if the socket cannot be created or bound
   */
  public ThreadingUDPServer(
      SocketAddress serverAddress,
      RequestHandlerFactory requestHandlerFactory,
      boolean bindAndActivate)
      throws IOException {
    super(serverAddress, requestHandlerFactory, bindAndActivate);
  }
}
