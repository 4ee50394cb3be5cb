package io.github.socketserver4j.spi;

import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A request that a stream server socket speak TLS as the server: what CPython's {@code
 * context.wrap_socket(sock, server_side=True)} does to a listening socket. Carried by {@link
 * SocketSpec#tls()}; {@code io.github.socketserver4j.http.HTTPSServer} makes one.
 *
 * <p>The transport does the handshake of every accepted connection before {@code getRequest()}
 * returns it (CPython does it in {@code accept()}); a connection whose handshake fails is closed
 * and never reaches the server. {@code shutdownRequest} sends {@code close_notify} before the FIN.
 */
public interface ServerTls {

  /**
   * Returns the context to make each connection's engine from. Called by the transport when a
   * connection is accepted (so after {@code serverActivate()}, which may create the context), on
   * one of its I/O threads; it should return the same context each time.
   *
   * @return the server context
   * @throws IllegalStateException if the context is not ready; the connection is then closed
   */
  SSLContext context();

  /**
   * Returns the ALPN protocols to offer, most preferred first, CPython's {@code
   * set_alpn_protocols}; empty for no ALPN.
   *
   * @return the protocol names, for example {@code ["http/1.1"]}
   */
  List<String> applicationProtocols();
}
