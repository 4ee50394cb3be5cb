package io.github.socketserver4j.examples;

import io.github.socketserver4j.DatagramRequestHandler;
import io.github.socketserver4j.DrainOnSignal;
import io.github.socketserver4j.UDPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The quickstart's UDP port (docs/parity.md): {@code docs/src/test/parity/udp_shout_server.py}. */
public final class UdpShoutServer {
  private UdpShoutServer() {}

  // tag::port[]
  static class Shout extends DatagramRequestHandler {
    @Override
    public void handle() throws IOException {
      byte[] data = rfile().readAllBytes(); // self.rfile.read()
      for (int i = 0; i < data.length; i++) {
        if (data[i] >= 'a' && data[i] <= 'z') {
          data[i] -= 'a' - 'A'; // bytes.upper(): ASCII letters only
        }
      }
      wfile().write(data);
    }
  }

  public static void main(String[] args) throws IOException {
    try (var server = new UDPServer(new InetSocketAddress("127.0.0.1", 0), Shout::new)) {
      System.out.println(server.serverAddress());
      DrainOnSignal.serveForever(server, Duration.ofSeconds(10));
    }
  }
  // end::port[]
}
