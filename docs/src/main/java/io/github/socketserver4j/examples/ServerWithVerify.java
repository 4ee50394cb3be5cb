package io.github.socketserver4j.examples;

import io.github.socketserver4j.DrainOnSignal;
import io.github.socketserver4j.Request;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * A server that serves only clients from an allowed set of IP addresses, by overriding {@link
 * #verifyRequest}. A rejected connection is closed without a byte: the server calls {@code
 * shutdownRequest} for it and goes on to the next client (CPython bpo-26309).
 *
 * <p>The Python it ports:
 *
 * <pre>
 * class ServerWithVerify(socketserver.TCPServer):
 *     def verify_request(self, request, client_address):
 *         return client_address[0] in self.allowed
 * </pre>
 */
public class ServerWithVerify extends TCPServer {

  /** Greets the client with its own address: {@code hello 127.0.0.1}. */
  static class Greeter extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      String host = ((InetSocketAddress) clientAddress()).getAddress().getHostAddress();
      wfile().write(("hello " + host + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  private final Set<InetAddress> allowed;

  /**
   * Creates, binds and activates the server.
   *
   * @param address where to listen
   * @param allowed the client addresses to serve
   * @throws IOException if the server cannot bind
   */
  public ServerWithVerify(SocketAddress address, Set<InetAddress> allowed) throws IOException {
    super(address, Greeter::new);
    this.allowed = Set.copyOf(allowed);
  }

  // tag::verify[]
  @Override
  public boolean verifyRequest(Request request, SocketAddress clientAddress) {
    InetAddress client = ((InetSocketAddress) clientAddress).getAddress(); // client_address[0]
    return allowed.contains(client); // false: the server closes the connection unanswered
  }
  // end::verify[]

  /**
   * Serves clients from 127.0.0.1 only, on 0.0.0.0, until the process is killed.
   *
   * @param args an optional port; 0 lets the system choose one
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    Set<InetAddress> allowed = Set.of(InetAddress.getByName("127.0.0.1"));
    try (var server = new ServerWithVerify(new InetSocketAddress("0.0.0.0", port), allowed)) {
      InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
      System.out.println("Serving 127.0.0.1 only, on port " + bound.getPort());
      DrainOnSignal.serveForever(server, Duration.ofSeconds(10)); // Ctrl-C, SIGTERM: drain, return
    }
  }
}
