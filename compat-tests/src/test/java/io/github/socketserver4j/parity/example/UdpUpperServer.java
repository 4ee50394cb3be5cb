package io.github.socketserver4j.parity.example;

import io.github.socketserver4j.BaseRequestHandler;
import io.github.socketserver4j.DatagramRequest;
import io.github.socketserver4j.UDPServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Porter-mode example: the Java port of {@code src/test/porter-example/udp_upper_server.py}. */
public final class UdpUpperServer {
  private UdpUpperServer() {}

  static final class Upper extends BaseRequestHandler {
    @Override
    public void handle() throws IOException {
      DatagramRequest request = (DatagramRequest) request(); // data, sock = self.request
      String text = new String(request.packet(), StandardCharsets.ISO_8859_1);
      // sock.sendto(data.upper(), self.client_address): bytes.upper() changes ASCII letters only
      request.sendto(asciiUpper(text).getBytes(StandardCharsets.ISO_8859_1), clientAddress());
    }
  }

  static String asciiUpper(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      sb.append(c >= 'a' && c <= 'z' ? Character.toUpperCase(c) : c);
    }
    return sb.toString();
  }

  public static void main(String[] args) throws IOException {
    try (UDPServer server = new UDPServer(new InetSocketAddress("127.0.0.1", 0), Upper::new)) {
      System.out.println(server.serverAddress());
      server.serveForever();
    }
  }

}
