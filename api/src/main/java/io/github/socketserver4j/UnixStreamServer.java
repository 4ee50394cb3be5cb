package io.github.socketserver4j;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A server on a Unix domain stream socket: CPython's {@code socketserver.UnixStreamServer}.
 *
 * <p>The address is a {@link java.net.UnixDomainSocketAddress}; the path must fit the system's
 * limit (107 bytes on Linux) or the constructor throws {@link IllegalArgumentException} before any
 * socket is made. Binding a path that exists fails with a {@link java.net.BindException} naming it.
 * As in CPython, {@link #serverClose()} leaves the socket file in place (remove it yourself, as
 * Python programs do with {@code os.unlink}), and {@link #allowReusePort()} is ignored
 * (gh-128916).
 *
 * <p>Uses Netty's epoll domain channels where epoll is available. On the NIO transport (JDK 16+
 * domain sockets) a client's half-close is not supported: Netty 4.2.18 closes the connection
 * instead, so a handler cannot reply after reading to end of stream there.
 *
 */
public class UnixStreamServer extends TCPServer {

  /**
   * Creates, binds and activates the server.
   *
   * @param serverAddress the socket's path, a {@link java.net.UnixDomainSocketAddress}
   * @param requestHandlerFactory makes one handler per request
   * @throws IOException if the socket cannot be created or bound
   * @throws IllegalArgumentException if the address is not a Unix path or the path is too long
   */
  public UnixStreamServer(SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory)
      throws IOException {
    super(serverAddress, requestHandlerFactory);
  }

  /**
   * Creates the server, binding and activating it only if {@code bindAndActivate}.
   *
   * @param serverAddress the socket's path, a {@link java.net.UnixDomainSocketAddress}
   * @param requestHandlerFactory makes one handler per request
   * @param bindAndActivate whether to bind now
   * @throws IOException if the socket cannot be created or bound
   */
  public UnixStreamServer(
      SocketAddress serverAddress,
      RequestHandlerFactory requestHandlerFactory,
      boolean bindAndActivate)
      throws IOException {
    super(serverAddress, requestHandlerFactory, bindAndActivate);
  }

  /**
   * {@inheritDoc}
   *
   * @implSpec Returns {@link AddressFamily#AF_UNIX}.
   */
  @Override
  public AddressFamily addressFamily() {
    return AddressFamily.AF_UNIX;
  }
}
