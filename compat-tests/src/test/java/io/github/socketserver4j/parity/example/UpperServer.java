package io.github.socketserver4j.parity.example;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Porter-mode example: the Java port of {@code src/test/porter-example/upper_server.py}. */
public final class UpperServer {
  private UpperServer() {}

  static final class Upper extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      while (true) {
        byte[] line = rfile().readLine();
        if (line.length == 0) {
          return;
        }
        String text = new String(line, StandardCharsets.ISO_8859_1);
        if (text.strip().equals("quit")) {
          wfile().write("bye\n".getBytes(StandardCharsets.ISO_8859_1));
          return;
        }
        wfile().write(text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1));
      }
    }
  }

  public static void main(String[] args) throws IOException {
    try (ThreadingTCPServer server =
        new ThreadingTCPServer(new InetSocketAddress("127.0.0.1", 0), Upper::new)) {
      System.out.println(server.serverAddress());
      server.serveForever();
    }
  }
}
