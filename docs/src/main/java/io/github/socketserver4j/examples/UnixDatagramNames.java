package io.github.socketserver4j.examples;

import io.github.socketserver4j.DatagramRequestHandler;
import io.github.socketserver4j.UnixBytesAddress;
import io.github.socketserver4j.UnixDatagramServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.TCPServer;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A Unix datagram server that tells each client the name it sent from. A client bound to a path
 * has a {@code UnixDomainSocketAddress}; one bound to a Linux abstract name, or autobound by the
 * kernel, has a {@link UnixBytesAddress}, as CPython gives it {@code bytes}; the reply reaches
 * both.
 *
 * <p>The Python it ports:
 *
 * <pre>
 * class WhoAmI(socketserver.DatagramRequestHandler):
 *     def handle(self):
 *         self.wfile.write(repr(self.client_address).encode())
 *
 * with socketserver.UnixDatagramServer(path, WhoAmI) as server:
 *     server.serve_forever()
 * </pre>
 *
 * <p>Linux with the epoll transport only (the JDK has no Unix datagram socket).
 */
public final class UnixDatagramNames {
  private UnixDatagramNames() {}

  // tag::names[]
  /** Answers each datagram with its sender's name, as Python's repr(self.client_address). */
  static class WhoAmI extends DatagramRequestHandler {
    @Override
    public void handle() throws IOException {
      SocketAddress client = clientAddress(); // never null here: finish() could not reply
      String name =
          client instanceof UnixBytesAddress
              ? client.toString() // b'\x00name': abstract or autobound, as CPython prints it
              : "'" + ((UnixDomainSocketAddress) client).getPath() + "'"; // a path
      wfile().write(name.getBytes(StandardCharsets.UTF_8));
    }
  }
  // end::names[]

  /**
   * Makes the server on {@code path}.
   *
   * @param path where to bind; the file must not exist
   * @param directIo false to send and receive every datagram through Netty's event loop
   * @return the server, bound
   * @throws IOException if it cannot bind
   */
  public static UnixDatagramServer create(UnixDomainSocketAddress path, boolean directIo)
      throws IOException {
    // tag::switch[]
    NettyOptions netty = NettyOptions.builder().directDatagramIo(directIo).build();
    return TCPServer.withSocketProvider(netty, () -> new UnixDatagramServer(path, WhoAmI::new));
    // end::switch[]
  }
}
