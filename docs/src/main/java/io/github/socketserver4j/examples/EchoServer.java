package io.github.socketserver4j.examples;

import io.github.socketserver4j.DrainOnSignal;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The README's echo server: each client gets back every line it sends, until it closes its side.
 *
 * <p>The Python it ports:
 *
 * <pre>
 * class Echo(socketserver.StreamRequestHandler):
 *     def handle(self):
 *         for line in self.rfile:
 *             self.wfile.write(line)
 *
 * with socketserver.ThreadingTCPServer(("127.0.0.1", port), Echo) as server:
 *     server.serve_forever()
 * </pre>
 *
 * <p>Run it with {@code mvn -B -q -pl docs -am -DskipTests package exec:java} from the repository
 * root, or pass a port: {@code -Dexec.args=8000}. It prints the address it serves on and serves
 * until it is killed.
 */
public final class EchoServer {

  /** The port used when none is given, as in the Python documentation's examples. */
  public static final int DEFAULT_PORT = 9999;

  private EchoServer() {}

  // tag::echo[]
  static class Echo extends StreamRequestHandler {
    @Override public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) { // for line in self.rfile:
        wfile().write(line);                                        //     self.wfile.write(line)
      }
    }
  }
  // end::echo[]

  /**
   * Serves on 127.0.0.1 until the process is killed.
   *
   * @param args an optional port; 0 lets the system choose one
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
    // tag::echo[]
    try (var server = new ThreadingTCPServer(new InetSocketAddress("127.0.0.1", port), Echo::new)) {
      // end::echo[]
      InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
      System.out.println("Serving on " + bound.getHostString() + ":" + bound.getPort());
      // tag::echo[]
      DrainOnSignal.serveForever(server, Duration.ofSeconds(10)); // Ctrl-C, SIGTERM: drain, return
    }
    // end::echo[]
  }
}
