package io.github.socketserver4j.examples;

import io.github.socketserver4j.DrainResult;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A threading echo server closed gracefully, with a deadline: {@link
 * io.github.socketserver4j.BaseServer#drain(Duration)}, a socketserver4j addition.
 *
 * <p>CPython's {@code server_close()} either waits for every handler without limit ({@code
 * block_on_close = True}) or not at all. {@code drain} stops accepting, lets the running requests
 * finish until the deadline, then closes the connections of the rest and says how many finished
 * and how many were cut.
 */
public final class GracefulDrain {

  private GracefulDrain() {}

  /** Echoes lines until the client closes its side. */
  static class Echo extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
    }
  }

  /**
   * Creates, binds and activates the server.
   *
   * @param address where to listen
   * @return the server, not serving yet
   * @throws IOException if the server cannot bind
   */
  public static ThreadingTCPServer newServer(SocketAddress address) throws IOException {
    return new ThreadingTCPServer(address, Echo::new);
  }

  /**
   * Serves in a background thread, then drains with a deadline, as a service does on SIGTERM.
   *
   * @param server a server made by {@link #newServer}
   * @param stop counted down when it is time to stop (a shutdown hook, a signal, an admin call)
   * @param deadline how long running requests may take to finish
   * @return what the drain did
   * @throws InterruptedException if interrupted while waiting for {@code stop}
   */
  public static DrainResult serveThenDrain(
      ThreadingTCPServer server, CountDownLatch stop, Duration deadline)
      throws InterruptedException {
    // tag::drain[]
    Thread loop = new Thread(server::serveForever, "serve_forever");
    loop.start();
    stop.await(); // serve until it is time to stop, then:
    DrainResult result = server.drain(deadline); // stops the loop, closes the socket
    System.out.printf(
        "%d requests finished, %d were cut at the deadline%n", result.finished(), result.cut());
    // end::drain[]
    return result;
  }

  /**
   * Serves on 127.0.0.1 for the given seconds, then drains with a 5 s deadline.
   *
   * @param args an optional port, then an optional number of seconds to serve
   * @throws Exception if the server cannot bind or is interrupted
   */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 10;
    ThreadingTCPServer server = newServer(new InetSocketAddress("127.0.0.1", port));
    Thread loop = new Thread(server::serveForever, "serve_forever");
    loop.start();
    System.out.println("Serving on " + server.serverAddress() + " for " + seconds + " s");
    loop.join(Duration.ofSeconds(seconds).toMillis());
    DrainResult result = server.drain(Duration.ofSeconds(5));
    System.out.println(result);
  }
}
