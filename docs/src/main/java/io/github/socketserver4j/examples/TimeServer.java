package io.github.socketserver4j.examples;

import io.github.socketserver4j.Request;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A server driven by {@link #handleRequest()} instead of {@code serveForever()}: it tells each
 * client the time and stops after a number of timeouts in a row without a client.
 *
 * <p>The Python it ports:
 *
 * <pre>
 * class TimeServer(socketserver.TCPServer):
 *     timeout = 0.5                      # handle_request() waits at most this long
 *     def handle_timeout(self):
 *         self.idle_in_a_row += 1
 *
 * while server.idle_in_a_row &lt; idle_limit:
 *     server.handle_request()
 * </pre>
 */
public class TimeServer extends TCPServer {

  /** Writes the current time, ISO-8601 in UTC, as one line. */
  static class TimeHandler extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write((Instant.now() + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  private final Duration timeout;
  private final int idleLimit;
  // Only the thread in serveUntilIdle() touches these.
  private int idleInARow;
  private int timeouts;

  /**
   * Creates, binds and activates the server.
   *
   * @param address where to listen
   * @param timeout how long {@code handleRequest()} waits for a client
   * @param idleLimit how many timeouts in a row end {@link #serveUntilIdle()}
   * @throws IOException if the server cannot bind
   */
  public TimeServer(SocketAddress address, Duration timeout, int idleLimit) throws IOException {
    super(address, TimeHandler::new);
    this.timeout = timeout;
    this.idleLimit = idleLimit;
  }

  // tag::timeout[]
  @Override
  public Optional<Duration> timeout() { // Python: timeout = 0.5, or self.timeout = ... in __init__
    return Optional.of(timeout);
  }

  @Override
  public void handleTimeout() { // called by handleRequest() when no client came in time
    idleInARow++;
    timeouts++;
  }

  @Override
  public void processRequest(Request request, SocketAddress clientAddress) throws Exception {
    idleInARow = 0;
    super.processRequest(request, clientAddress);
  }

  /** Handles one client at a time until {@code idleLimit} timeouts in a row. */
  public void serveUntilIdle() {
    while (idleInARow < idleLimit) {
      handleRequest(); // waits at most timeout(), then calls handleTimeout()
    }
  }
  // end::timeout[]

  /**
   * Returns how many times {@link #handleTimeout()} has been called.
   *
   * @return the number of timeouts
   */
  public int timeouts() {
    return timeouts;
  }

  /**
   * Serves on 127.0.0.1 until no client has come for a minute.
   *
   * @param args an optional port; 0 lets the system choose one
   * @throws IOException if the server cannot bind
   */
  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9999;
    try (var server =
        new TimeServer(new InetSocketAddress("127.0.0.1", port), Duration.ofSeconds(5), 12)) {
      InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
      System.out.println("Serving the time on " + bound.getHostString() + ":" + bound.getPort());
      server.serveUntilIdle();
      System.out.println("No client for a minute; stopped.");
    }
  }
}
