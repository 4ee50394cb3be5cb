package io.github.socketserver4j;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * CPython's {@code ForkingUnixStreamServer(ForkingMixIn, UnixStreamServer)} without forking: each connection runs in its own
 * thread, at most {@link #maxChildren()} at once, <b>with no process isolation</b>. See {@link
 * ForkingMixIn} for what is kept and what is not.
 */
public class ForkingUnixStreamServer extends UnixStreamServer implements ForkingMixIn {

  /**
   * Creates, binds and activates the server.
   *
   * @param serverAddress where to serve
   * @param requestHandlerFactory makes one handler per request
   * @throws IOException if the socket cannot be created or bound
   */
  public ForkingUnixStreamServer(SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory)
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
  public ForkingUnixStreamServer(
      SocketAddress serverAddress,
      RequestHandlerFactory requestHandlerFactory,
      boolean bindAndActivate)
      throws IOException {
    super(serverAddress, requestHandlerFactory, bindAndActivate);
  }
}
