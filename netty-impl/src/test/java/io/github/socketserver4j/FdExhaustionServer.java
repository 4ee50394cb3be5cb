package io.github.socketserver4j;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The server of {@link FdExhaustionTest}, run in a child JVM with a low file-descriptor limit: a
 * ThreadingTCPServer that echoes one line per connection. It prints {@code PORT <n>} when it
 * listens and stops when its standard input ends.
 */
public final class FdExhaustionServer {
  private FdExhaustionServer() {}

  /** An echo of one line. */
  static final class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  /**
   * Serves until standard input ends.
   *
   * @param args none
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    ThreadingTCPServer server =
        new ThreadingTCPServer(new InetSocketAddress("127.0.0.1", 0), EchoLine::new) {
          @Override
          public int requestQueueSize() {
            return 512; // every client of the test completes its connect; the rest is accept's
          }

          @Override
          public boolean daemonThreads() {
            return true;
          }
        };
    Thread stopper =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() >= 0) {
                  // wait for end of input
                }
              } catch (IOException e) {
                // the parent is gone: stop as well
              }
              server.shutdown();
            },
            "stdin-watch");
    stopper.setDaemon(true);
    stopper.start();
    System.out.println("PORT " + ((InetSocketAddress) server.serverAddress()).getPort());
    System.out.flush();
    try {
      server.serveForever(Duration.ofMillis(100));
    } finally {
      server.serverClose();
    }
  }
}
