package io.github.socketserver4j.examples;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.spi.SocketProvider;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A server behind a load balancer that passes TLS through (TCP mode) and sends a PROXY protocol
 * header first: {@code NettyOptions}' {@code proxyProtocol()} and {@code tls(...)} (or {@code
 * sni(...)}) add the handlers, the server waits for the header and the handshake before {@code
 * getRequest()}, and the handler sees the real client's address over a decrypted stream.
 *
 * <p>The Python it ports (with the third-party PROXY parsing left out):
 *
 * <pre>
 * class Server(socketserver.ThreadingTCPServer):
 *     def server_activate(self):
 *         super().server_activate()
 *         self.socket = context.wrap_socket(self.socket, server_side=True)
 * </pre>
 */
public final class NettyTlsAndProxyOptions {
  private NettyTlsAndProxyOptions() {}

  /** Greets the client by the address the PROXY header gave, after its first line. */
  static class Greeter extends StreamRequestHandler {
    @Override public void handle() throws IOException {
      byte[] line = rfile().readLine();
      String host = ((InetSocketAddress) clientAddress()).getAddress().getHostAddress();
      String reply = "hello " + host + ", you said " + new String(line, StandardCharsets.UTF_8);
      wfile().write(reply.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The settings: the PROXY header (required), then TLS, then the application's own handlers.
   *
   * @param tls the server's context
   * @return the settings
   */
  // tag::options[]
  static NettyOptions options(SslContext tls) {
    return NettyOptions.builder()
        .proxyProtocol()          // PROXY v1 or v2, required; proxyProtocol(false): optional
        .tls(tls)                 // TLS 1.2/1.3 as the context allows; handshake before getRequest
        .pipeline(ch -> ch.pipeline().addLast(new ReadTimeoutHandler(30))) // behind both
        .build();
  }
  // end::options[]

  /**
   * Settings that pick the context by the name the client asks for (SNI).
   *
   * @param fallback the context for unknown names and for clients that send none
   * @param example the context for {@code example.com} and its subdomains
   * @return the settings
   */
  // tag::sni[]
  static NettyOptions sniOptions(SslContext fallback, SslContext example) {
    Mapping<String, SslContext> byName =
        new DomainWildcardMappingBuilder<>(fallback)
            .add("example.com", example)
            .add("*.example.com", example)
            .build();
    return NettyOptions.builder().proxyProtocol().sni(byName).build();
  }
  // end::sni[]

  /**
   * Creates, binds and activates the server with {@code netty}.
   *
   * @param address where to listen
   * @param netty the settings, from {@link #options} or {@link #sniOptions}
   * @return the server
   * @throws IOException if it cannot bind
   */
  // tag::server[]
  public static TCPServer create(SocketAddress address, NettyOptions netty) throws IOException {
    return new ThreadingTCPServer(address, Greeter::new) {
      @Override protected SocketProvider socketProvider() { // read by the constructor
        return netty;
      }
    };
  }
  // end::server[]
}
