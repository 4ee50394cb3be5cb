package io.github.socketserver4j.spi;

import io.github.socketserver4j.AddressFamily;
import io.github.socketserver4j.SocketType;
import java.util.Objects;

/**
 * What a server asks its transport for when it creates its socket.
 *
 * @param family the address family, from the server's {@code addressFamily()}
 * @param type the socket type, from the server's {@code socketType()}
 * @param ownerName a short name for the transport's threads, such as {@code "TCPServer"}
 * @param concurrent whether the server handles requests on several threads at once (a {@code
 *     ThreadingMixIn} server), so the transport may size its I/O threads for it
 * @param tls TLS for every accepted connection of a stream socket, or null for none; a provider
 *     that cannot do TLS throws {@link UnsupportedOperationException} from {@link
 *     SocketProvider#openSocket} when it is set
 */
public record SocketSpec(
    AddressFamily family, SocketType type, String ownerName, boolean concurrent, ServerTls tls) {
  /**
   * Checks that no part is missing.
   *
   * @param family the address family
   * @param type the socket type
   * @param ownerName a short name for the transport's threads
   * @param concurrent whether requests run on several threads at once
   * @param tls TLS for accepted connections, or null
   */
  public SocketSpec {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(ownerName, "ownerName");
  }

  /**
   * A socket without TLS.
   *
   * @param family the address family
   * @param type the socket type
   * @param ownerName a short name for the transport's threads
   * @param concurrent whether requests are handled on several threads at once
   */
  public SocketSpec(AddressFamily family, SocketType type, String ownerName, boolean concurrent) {
    this(family, type, ownerName, concurrent, null);
  }

  /**
   * Returns this spec with TLS on every accepted connection.
   *
   * @param tls the TLS request
   * @return a new spec
   */
  public SocketSpec withTls(ServerTls tls) {
    return new SocketSpec(family, type, ownerName, concurrent, Objects.requireNonNull(tls, "tls"));
  }
}
