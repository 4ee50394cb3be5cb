package io.github.socketserver4j.examples;

import io.github.socketserver4j.DrainOnSignal;
import io.github.socketserver4j.ForkingTCPServer;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.StreamRequestHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;

/**
 * A {@code ForkingTCPServer} port that keeps CPython's bound on concurrent requests, here lowered
 * from 40 to 2 with {@code maxChildren()}: while two requests run, the serving loop waits for one
 * to end before it accepts the next client, who waits in the listen backlog meanwhile.
 *
 * <p>A JVM cannot fork, so each request runs in a thread of this process: there is <b>no process
 * isolation</b>. A handler that exits the JVM, exhausts its memory or changes global state affects
 * every request (see {@code docs/differences.md}).
 *
 * <p>The Python it ports:
 *
 * <pre>
 * class BoundedForkingServer(socketserver.ForkingTCPServer):
 *     max_children = 2
 *
 * with BoundedForkingServer(("127.0.0.1", port), Echo) as server:
 *     server.serve_forever()
 * </pre>
 */
public class BoundedForkingServer extends ForkingTCPServer {

  /** Sends back one line. */
  static class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  /**
   * Creates, binds and activates the server.
   *
   * @param address where to listen
   * @param handlers makes one handler per request
   * @throws IOException if the server cannot bind
   */
  public BoundedForkingServer(SocketAddress address, RequestHandlerFactory handlers)
      throws IOException {
    super(address, handlers);
  }

  // tag::bounded[]
  @Override
  public int maxChildren() { // Python: max_children = 2 (ForkingMixIn's default is 40)
    return 2;
  }
  // end::bounded[]

  /**
   * Serves on 127.0.0.1, two clients at a time, until the process is killed.
   *
   * @param args an optional port; 0 lets the system choose one
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    try (var server =
        new BoundedForkingServer(new InetSocketAddress("127.0.0.1", port), EchoLine::new)) {
      InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
      System.out.println("Serving on " + bound.getHostString() + ":" + bound.getPort());
      DrainOnSignal.serveForever(server, Duration.ofSeconds(10)); // Ctrl-C, SIGTERM: drain, return
    }
  }
}
