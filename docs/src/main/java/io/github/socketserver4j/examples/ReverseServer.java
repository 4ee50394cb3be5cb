package io.github.socketserver4j.examples;

import io.github.socketserver4j.DrainOnSignal;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The quickstart's TCP port (docs/parity.md): {@code docs/src/test/parity/reverse_server.py}. */
public final class ReverseServer {
  private ReverseServer() {}

  // tag::port[]
  static class Reverse extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) { // for line in self.rfile:
        int n = line[line.length - 1] == '\n' ? line.length - 1 : line.length; // rstrip(b"\n")
        byte[] reply = new byte[n + 1];
        for (int i = 0; i < n; i++) {
          reply[i] = line[n - 1 - i]; // [::-1]
        }
        reply[n] = '\n';
        wfile().write(reply);
      }
    }
  }

  public static void main(String[] args) throws IOException {
    try (var server = new ThreadingTCPServer(new InetSocketAddress("127.0.0.1", 0), Reverse::new)) {
      System.out.println(server.serverAddress()); // the runner reads the address here
      DrainOnSignal.serveForever(server, Duration.ofSeconds(10)); // Ctrl-C, SIGTERM: drain, return
    }
  }
  // end::port[]
}
