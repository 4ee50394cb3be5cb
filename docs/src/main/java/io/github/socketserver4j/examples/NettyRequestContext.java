package io.github.socketserver4j.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.netty.NettyRequests;
import io.github.socketserver4j.spi.SocketProvider;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * A handler that reads what the pipeline learnt about its connection, with no side map: the
 * client certificate of mutual TLS ({@code getpeercert()}), the PROXY header the load balancer
 * sent, and a channel attribute the pipeline initializer set.
 *
 * <p>The Python it ports (the PROXY header and the attribute have no Python equivalent):
 *
 * <pre>
 * class Whoami(socketserver.StreamRequestHandler):
 *     def handle(self):
 *         cert = self.request.getpeercert()
 *         subject = dict(rdn[0] for rdn in cert['subject'])
 *         self.wfile.write(f"hello {subject['commonName']}\n".encode())
 * </pre>
 */
public final class NettyRequestContext {
  /** A per-connection value set by the pipeline initializer. */
  static final AttributeKey<String> TENANT = AttributeKey.valueOf("tenant");

  private NettyRequestContext() {}

  // tag::handler[]
  static class Whoami extends StreamRequestHandler {
    @Override public void handle() throws IOException {
      String name = connection().getpeercert() // self.request.getpeercert()
          .map(cert -> commonName(cert))
          .orElse("anonymous");
      String via = NettyRequests.proxyHeader(connection()) // the balancer's PROXY header
          .map(h -> h.destinationAddress() + ":" + h.destinationPort())
          .orElse("direct");
      String tenant = NettyRequests.channel(connection()).attr(TENANT).get();
      wfile().write(("hello " + name + " via " + via + " for " + tenant + "\n").getBytes(UTF_8));
    }
  }

  /** dict(rdn[0] for rdn in cert['subject'])['commonName'] */
  static String commonName(Map<String, Object> cert) {
    for (Object rdn : (List<?>) cert.get("subject")) {
      List<?> pair = (List<?>) ((List<?>) rdn).get(0); // ('commonName', 'client.example')
      if (pair.get(0).equals("commonName")) {
        return (String) pair.get(1);
      }
    }
    return "no common name";
  }
  // end::handler[]

  /**
   * Creates, binds and activates a threading server that reads a PROXY header, then does TLS with
   * {@code tls} (which should ask for client certificates).
   *
   * @param address where to listen
   * @param tls the server's TLS context
   * @return the server
   * @throws IOException if it cannot bind
   */
  // tag::server[]
  public static TCPServer create(SocketAddress address, SslContext tls) throws IOException {
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(ch -> {
              ch.attr(TENANT).set("tenant-7");
              ch.pipeline().addLast(new HAProxyMessageDecoder(), tls.newHandler(ch.alloc()));
            })
            .build();
    return new ThreadingTCPServer(address, Whoami::new) {
      @Override protected SocketProvider socketProvider() {
        return netty;
      }
    };
  }
  // end::server[]
}
