package io.github.socketserver4j.parity.example;

import io.github.socketserver4j.DatagramRequestHandler;
import io.github.socketserver4j.UnixDatagramServer;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Porter-mode example: the Java port of {@code unix_dgram_upper_server.py}. */
public final class UnixDatagramUpperServer {
  private UnixDatagramUpperServer() {}

  static final class Upper extends DatagramRequestHandler {
    @Override
    public void handle() throws IOException {
      String text = new String(rfile().readAllBytes(), StandardCharsets.ISO_8859_1);
      wfile().write(UdpUpperServer.asciiUpper(text).getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  public static void main(String[] args) throws IOException {
    Path path = Path.of(args[0]);
    Files.deleteIfExists(path);
    try (var server = new UnixDatagramServer(UnixDomainSocketAddress.of(path), Upper::new)) {
      System.out.println(server.serverAddress());
      server.serveForever();
    }
  }
}
