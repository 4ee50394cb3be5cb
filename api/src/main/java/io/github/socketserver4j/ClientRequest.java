package io.github.socketserver4j;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * What {@link BaseServer#getRequest()} returns: CPython's {@code (request, client_address)} pair.
 *
 * @param request the request, for example the accepted connection
 * @param clientAddress the peer's address; for a Unix stream client that did not bind, an empty
 *     path, as CPython's {@code ''}
 */
public record ClientRequest(Request request, SocketAddress clientAddress) {
  /** Checks that both parts are present. */
  public ClientRequest {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(clientAddress, "clientAddress");
  }
}
