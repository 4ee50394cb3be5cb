package io.github.socketserver4j.examples;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A synchronous server that a client stops by sending {@code quit}: the handler calls {@link
 * io.github.socketserver4j.BaseServer#requestShutdown()}, and {@code serveForever()} returns once
 * the handler has finished.
 *
 * <p>In CPython a handler of a synchronous server cannot call {@code server.shutdown()}: it runs on
 * the thread of {@code serve_forever()}, and {@code shutdown()} waits for that loop to end, so it
 * deadlocks (bpo-39797). Python code sets {@code server._BaseServer__shutdown_request = True}
 * instead; {@code requestShutdown()} is that, as a public method. Here {@code shutdown()} on the
 * serving thread throws {@link IllegalStateException} rather than hanging.
 */
public final class StopFromHandler {

  private StopFromHandler() {}

  // tag::stop[]
  /** Echoes lines until the client closes or sends {@code quit}, which stops the server. */
  static class Commands extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        if (new String(line, StandardCharsets.US_ASCII).strip().equals("quit")) {
          wfile().write("bye\n".getBytes(StandardCharsets.US_ASCII));
          server().requestShutdown(); // Python: self.server._BaseServer__shutdown_request = True
          return;
        }
        wfile().write(line);
      }
    }
  }
  // end::stop[]

  /**
   * Creates, binds and activates the server.
   *
   * @param address where to listen
   * @return the server, not serving yet
   * @throws IOException if the server cannot bind
   */
  public static TCPServer newServer(SocketAddress address) throws IOException {
    return new TCPServer(address, Commands::new);
  }

  /**
   * Serves on 127.0.0.1 until a client sends {@code quit}.
   *
   * @param args an optional port; 0 lets the system choose one
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    try (TCPServer server = newServer(new InetSocketAddress("127.0.0.1", port))) {
      InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
      System.out.println("Serving on " + bound.getHostString() + ":" + bound.getPort());
      server.serveForever(); // returns after a client sent quit
    }
    System.out.println("Stopped by a client.");
  }
}
