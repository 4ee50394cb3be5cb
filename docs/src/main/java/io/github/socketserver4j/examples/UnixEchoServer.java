package io.github.socketserver4j.examples;

import io.github.socketserver4j.DrainOnSignal;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingUnixStreamServer;
import io.github.socketserver4j.UnixStreamServer;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An echo server on a Unix domain socket. As in CPython, closing the server leaves the socket file
 * on disk and binding a path that exists fails, so a program that is started again removes the old
 * file first: Python's {@code os.unlink} before the server is made.
 *
 * <p>The Python it ports:
 *
 * <pre>
 * class Echo(socketserver.StreamRequestHandler):
 *     def handle(self):
 *         for line in self.rfile:
 *             self.wfile.write(line)
 *
 * try:
 *     os.unlink(path)           # left behind by the last run
 * except FileNotFoundError:
 *     pass
 * with socketserver.ThreadingUnixStreamServer(path, Echo) as server:
 *     server.serve_forever()
 * </pre>
 */
public final class UnixEchoServer {

  /** The socket path used when none is given. */
  public static final String DEFAULT_PATH = "/tmp/socketserver4j-echo.sock";

  private UnixEchoServer() {}

  /** Sends back every line until the client closes its side. */
  static class Echo extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
    }
  }

  // tag::unlink[]
  /** Makes the server on {@code path}, removing the socket file a previous server left there. */
  static UnixStreamServer newServer(Path path) throws IOException {
    Files.deleteIfExists(path); // try: os.unlink(path) except FileNotFoundError: pass
    return new ThreadingUnixStreamServer(UnixDomainSocketAddress.of(path), Echo::new);
  }
  // end::unlink[]

  /**
   * Serves on a Unix socket until the process is killed.
   *
   * @param args an optional socket path
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    Path path = Path.of(args.length > 0 ? args[0] : DEFAULT_PATH);
    try (UnixStreamServer server = newServer(path)) {
      System.out.println("Serving on " + server.serverAddress());
      DrainOnSignal.serveForever(server, Duration.ofSeconds(10)); // Ctrl-C, SIGTERM: drain, return
    }
  }
}
