package io.github.socketserver4j.examples;

import io.github.socketserver4j.BaseRequestHandler;
import io.github.socketserver4j.DatagramRequest;
import io.github.socketserver4j.DatagramRequestHandler;
import io.github.socketserver4j.DrainOnSignal;
import io.github.socketserver4j.UDPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Two UDP handlers: {@link Echo}, a {@code DatagramRequestHandler} that sends each datagram back,
 * and {@link Shout}, a plain {@code BaseRequestHandler} that unpacks the request, CPython's {@code
 * (data, socket)} pair, and replies in capitals with {@code sendto}.
 *
 * <p>The Python it ports:
 *
 * <pre>
 * class Echo(socketserver.DatagramRequestHandler):
 *     def handle(self):
 *         self.wfile.write(self.rfile.read())   # finish() sends it back
 *
 * class Shout(socketserver.BaseRequestHandler):
 *     def handle(self):
 *         data, sock = self.request
 *         sock.sendto(data.decode().upper().encode(), self.client_address)
 *
 * with socketserver.UDPServer(("127.0.0.1", port), Echo) as server:
 *     server.serve_forever()
 * </pre>
 */
public final class UdpEchoServer {

  private UdpEchoServer() {}

  // tag::echo[]
  /** Sends every datagram back to its sender. */
  static class Echo extends DatagramRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readAllBytes()); // self.wfile.write(self.rfile.read())
    } // finish() sends what wfile holds as one datagram, even if that is nothing
  }
  // end::echo[]

  // tag::shout[]
  /** Answers every datagram with its text in capitals. */
  static class Shout extends BaseRequestHandler {
    @Override
    public void handle() throws IOException {
      DatagramRequest request = (DatagramRequest) request(); // data, sock = self.request
      String upper = new String(request.packet(), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
      // sock.sendto(data.decode().upper().encode(), self.client_address)
      request.socket().sendTo(upper.getBytes(StandardCharsets.UTF_8), clientAddress());
    }
  }
  // end::shout[]

  /**
   * Echoes datagrams on 127.0.0.1 until the process is killed.
   *
   * @param args an optional port; 0 lets the system choose one
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    // tag::echo[]
    try (var server = new UDPServer(new InetSocketAddress("127.0.0.1", port), Echo::new)) {
      // end::echo[]
      InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
      System.out.println("Serving UDP on " + bound.getHostString() + ":" + bound.getPort());
      // tag::echo[]
      DrainOnSignal.serveForever(server, Duration.ofSeconds(10)); // Ctrl-C, SIGTERM: drain, return
    }
    // end::echo[]
  }
}
