package io.github.socketserver4j;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * What {@link BaseServer#getRequest()} returns: CPython's {@code (request, client_address)} pair.
 *
 * @param request the request, for example the accepted connection
 * @param clientAddress the peer's address; for a Unix stream client that did not bind, an empty
 *     path, as CPython's {@code ''}; {@code null} only for a datagram from an unbound Unix datagram
 *     socket, where CPython gives {@code None}
 */
public record ClientRequest(Request request, SocketAddress clientAddress) {
  /**
   * Checks that the request is present.
   *
   * @param request the request
   * @param clientAddress the peer's address, or {@code null} as above
   */
  public ClientRequest {
    Objects.requireNonNull(request, "request");
  }
}
