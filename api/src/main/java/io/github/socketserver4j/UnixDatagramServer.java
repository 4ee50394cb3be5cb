package io.github.socketserver4j;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * A server on a Unix domain datagram socket: CPython's {@code socketserver.UnixDatagramServer}.
 *
 * <p>The address is a {@link java.net.UnixDomainSocketAddress}; the path must fit the system's
 * limit (107 bytes on Linux) or the constructor throws {@link IllegalArgumentException} before any
 * socket is made. Binding a path that exists fails with a {@link java.net.BindException} naming it.
 * As in CPython, {@link #serverClose()} leaves the socket file in place (remove it yourself, as
 * Python programs do with {@code os.unlink}), and {@link #allowReusePort()} is ignored
 * (gh-128916).
 *
 * <p>The socket file's mode is left to the process's umask, as in CPython; override {@link
 * #socketFileMode()} to set it.
 *
 * <p>Unix datagram sockets exist only on Netty's native transports: on Linux with epoll. Where it is
 * missing, the constructor throws {@link UnsupportedOperationException} saying so. A client must
 * bind its own socket to a path to get a reply; a datagram from an unbound socket has a {@code
 * null} client address (CPython's {@code None}) and the reply fails in {@code finish()}.
 *
 */
public class UnixDatagramServer extends UDPServer {

  /**
   * Creates, binds and activates the server.
   *
   * @param serverAddress the socket's path, a {@link java.net.UnixDomainSocketAddress}
   * @param requestHandlerFactory makes one handler per request
   * @throws IOException if the socket cannot be created or bound
   * @throws IllegalArgumentException if the address is not a Unix path or the path is too long
   */
  public UnixDatagramServer(SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory)
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
  public UnixDatagramServer(
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

  /**
   * The permissions to give the socket file right after binding: a socketserver4j addition.
   * CPython leaves the mode to the umask ({@code 0777 & ~umask}, for example {@code rwxr-xr-x});
   * so does the default. Connecting to a Unix stream or datagram socket needs write permission on
   * its file, so {@code PosixFilePermissions.fromString("rw-------")} admits only the owner.
   *
   * <p>{@link #serverBind()} applies it with {@link java.nio.file.Files#setPosixFilePermissions}
   * once the socket is bound. Between the bind and that call the umask's mode applies, so a client
   * allowed by the umask can connect in that moment; where that matters, bind inside a directory
   * that only the intended users may enter, or run with a stricter umask.
   *
   * @implSpec Returns empty: the umask decides, as in CPython. May be overridden.
   * @return the permissions, or empty to keep what the umask gave
   */
  public Optional<Set<PosixFilePermission>> socketFileMode() {
    return Optional.empty();
  }

  /**
   * Binds the socket, then applies {@link #socketFileMode()} to its file if one is given.
   *
   * @throws java.net.BindException naming the path, if it exists
   * @throws IOException if binding fails, or the mode cannot be set (the message names the path
   *     and the mode)
   */
  @Override
  public void serverBind() throws IOException {
    super.serverBind();
    Addresses.applySocketFileMode(serverAddress(), socketFileMode());
  }
}
