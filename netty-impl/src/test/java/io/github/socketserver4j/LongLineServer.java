package io.github.socketserver4j;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The server of {@link LongLineTest}, run in a child JVM with a small heap and little direct
 * memory: a {@code TCPServer} whose handler reads one line with {@code readLine()} and answers its
 * length. {@code handleError} prints {@code ERROR <exception class>: <message>} on standard
 * output. It prints {@code PORT <n>} when it listens and stops when its standard input ends.
 */
public final class LongLineServer {
  private LongLineServer() {}

  /** Answers the length of one line. */
  static final class LineLength extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      byte[] line = rfile().readLine();
      wfile().write((line.length + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  /**
   * Serves until standard input ends.
   *
   * @param args none
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    TCPServer server =
        new TCPServer(new InetSocketAddress("127.0.0.1", 0), LineLength::new) {
          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            Throwable e = currentException().orElseThrow();
            System.out.println("ERROR " + e.getClass().getName() + ": " + e.getMessage());
            System.out.flush();
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
