package io.github.socketserver4j.examples;

import io.github.socketserver4j.Request;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.spi.SocketProvider;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A server behind a load balancer that speaks the PROXY protocol (HAProxy, AWS NLB, ...): with
 * Netty's {@code HAProxyMessageDecoder} in the pipeline, the client address that {@code
 * verifyRequest} and the handler see is the real client's, not the balancer's.
 */
// tag::server[]
public class NettyProxyProtocol extends ThreadingTCPServer {
  static final NettyOptions PROXY =
      NettyOptions.builder()
          .pipeline(ch -> ch.pipeline().addLast(new HAProxyMessageDecoder()))
          .build();

  private final Set<InetAddress> allowed;

  public NettyProxyProtocol(SocketAddress address, Set<InetAddress> allowed) throws IOException {
    super(address, Greeter::new);
    this.allowed = Set.copyOf(allowed);
  }

  @Override protected SocketProvider socketProvider() {
    return PROXY; // a constant: the constructor reads it before this class's fields are set
  }

  @Override public boolean verifyRequest(Request request, SocketAddress clientAddress) {
    return allowed.contains(((InetSocketAddress) clientAddress).getAddress()); // the real client
  }
  // end::server[]

  /** Greets the client with its address, as the PROXY header gave it. */
  static class Greeter extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      String host = ((InetSocketAddress) clientAddress()).getAddress().getHostAddress();
      wfile().write(("hello " + host + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }
  // tag::server[]
}
// end::server[]
