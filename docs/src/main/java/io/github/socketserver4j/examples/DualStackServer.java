package io.github.socketserver4j.examples;

import io.github.socketserver4j.AddressFamily;
import io.github.socketserver4j.DrainOnSignal;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.SocketOptions;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An IPv6 server that IPv4 clients reach too: the recipe of {@code http.server}'s {@code
 * DualStackServer}, which sets {@code IPV6_V6ONLY} to 0 before binding, so that one socket bound to
 * {@code ::} accepts both families.
 *
 * <p>The Python it ports:
 *
 * <pre>
 * class DualStackServer(socketserver.ThreadingTCPServer):
 *     address_family = socket.AF_INET6
 *
 *     def server_bind(self):
 *         # suppress exception when protocol is IPv4
 *         with contextlib.suppress(Exception):
 *             self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
 *         return super().server_bind()
 *
 * with DualStackServer(("::", port), WhoAmI) as server:
 *     server.serve_forever()
 * </pre>
 */
public class DualStackServer extends ThreadingTCPServer {

  /** Answers each client with the address it came from, as the server sees it. */
  static class WhoAmI extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      String host = ((InetSocketAddress) clientAddress()).getAddress().getHostAddress();
      wfile().write(("you are " + host + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  /**
   * Creates, binds and activates the server.
   *
   * @param address where to listen; {@code ::} for every address of both families
   * @param handlers makes one handler per request
   * @throws IOException if the server cannot bind
   */
  public DualStackServer(SocketAddress address, RequestHandlerFactory handlers) throws IOException {
    super(address, handlers);
  }

  // tag::dualstack[]
  @Override
  public AddressFamily addressFamily() { // Python: address_family = socket.AF_INET6
    return AddressFamily.AF_INET6;
  }

  @Override
  public void serverBind() throws IOException {
    try { // with contextlib.suppress(Exception):
      // self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
      socket().setOption(SocketOptions.IPV6_V6ONLY, false);
    } catch (UnsupportedOperationException e) {
      // A transport that cannot set the option keeps its default.
    }
    super.serverBind(); // return super().server_bind()
  }
  // end::dualstack[]

  /**
   * Serves on {@code [::]}, for IPv6 and IPv4 clients, until the process is killed.
   *
   * @param args an optional port; 0 lets the system choose one
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    try (var server = new DualStackServer(new InetSocketAddress("::", port), WhoAmI::new)) {
      InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
      System.out.println("Serving IPv6 and IPv4 on port " + bound.getPort());
      DrainOnSignal.serveForever(server, Duration.ofSeconds(10)); // Ctrl-C, SIGTERM: drain, return
    }
  }
}
