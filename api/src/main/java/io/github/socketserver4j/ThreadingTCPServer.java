package io.github.socketserver4j;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A {@link TCPServer} that handles each connection in its own thread: CPython's {@code
 * ThreadingTCPServer(ThreadingMixIn, TCPServer)}.
 *
 * <p>Threads are virtual threads on Java 21 and later. {@link #serverClose()} closes the socket,
 * then waits for the running handlers unless {@link #blockOnClose()} is false or {@link
 * #daemonThreads()} is true, as in CPython 3.7 and later.
 */
public class ThreadingTCPServer extends TCPServer implements ThreadingMixIn {

  /**
   * Creates, binds and activates the server; see {@link TCPServer#TCPServer(SocketAddress,
   * RequestHandlerFactory)}.
   *
   * @param serverAddress where to listen
   * @param requestHandlerFactory makes one handler per request
   * @throws IOException if the socket cannot be created or bound
   */
  public ThreadingTCPServer(SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory)
      throws IOException {
    super(serverAddress, requestHandlerFactory);
  }

  /**
   * Creates the server; see {@link TCPServer#TCPServer(SocketAddress, RequestHandlerFactory,
   * boolean)}.
   *
   * @param serverAddress where to listen
   * @param requestHandlerFactory makes one handler per request
   * @param bindAndActivate whether to bind and listen now
   * @throws IOException if the socket cannot be created or bound
   */
  public ThreadingTCPServer(
      SocketAddress serverAddress,
      RequestHandlerFactory requestHandlerFactory,
      boolean bindAndActivate)
      throws IOException {
    super(serverAddress, requestHandlerFactory, bindAndActivate);
  }
}
