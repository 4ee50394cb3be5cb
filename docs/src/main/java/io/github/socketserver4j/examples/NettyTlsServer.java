package io.github.socketserver4j.examples;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.spi.SocketProvider;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;

/**
 * An echo server over TLS: Netty's {@code SslHandler} in front of an unchanged {@code
 * StreamRequestHandler}, the analogue of CPython 3.14's {@code HTTPSServer}.
 *
 * <p>The Python it ports:
 *
 * <pre>
 * class TlsEchoServer(socketserver.ThreadingTCPServer):
 *     def __init__(self, address, context):
 *         self.context = context
 *         super().__init__(address, Echo)
 *     def server_activate(self):
 *         super().server_activate()
 *         self.socket = self.context.wrap_socket(self.socket, server_side=True)
 * </pre>
 */
public final class NettyTlsServer {
  private NettyTlsServer() {}

  // tag::handler[]
  static class Echo extends StreamRequestHandler { // the plaintext handler, unchanged
    @Override public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
    }
  }
  // end::handler[]

  /**
   * Creates, binds and activates a threading echo server that speaks TLS.
   *
   * @param address where to listen
   * @param keys the server's key and certificate
   * @return the server
   * @throws IOException if it cannot bind
   */
  // tag::server[]
  public static TCPServer create(SocketAddress address, KeyManagerFactory keys)
      throws IOException {
    SslContext tls = SslContextBuilder.forServer(keys).build();
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(ch -> ch.pipeline().addLast(tls.newHandler(ch.alloc()))) // per connection
            .build();
    return new ThreadingTCPServer(address, Echo::new) {
      @Override protected SocketProvider socketProvider() { // read by the constructor
        return netty;
      }
    };
  }
  // end::server[]

  /**
   * Like {@link #create(SocketAddress, KeyManagerFactory)}, with a bound on the connections that
   * may handshake at once and a shorter handshake timeout.
   *
   * @param address where to listen
   * @param keys the server's key and certificate
   * @param maxPending how many connections may handshake at once; 1 takes them one at a time, as
   *     CPython's TLS {@code accept()} does
   * @return the server
   * @throws IOException if it cannot bind
   */
  // tag::handshakes[]
  public static TCPServer create(SocketAddress address, KeyManagerFactory keys, int maxPending)
      throws IOException {
    SslContext tls = SslContextBuilder.forServer(keys).build();
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(ch -> ch.pipeline().addLast(tls.newHandler(ch.alloc())))
            .maxPendingHandshakes(maxPending) // default 64; 1 = handshakesInOrder(), as CPython
            .handshakeTimeout(Duration.ofSeconds(5)) // a client that stalls is closed after 5 s
            .build();
    return new ThreadingTCPServer(address, Echo::new) {
      @Override protected SocketProvider socketProvider() {
        return netty;
      }
    };
  }
  // end::handshakes[]
}
