package io.github.socketserver4j.parity.example;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingUnixStreamServer;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Porter-mode example: the Java port of {@code unix_upper_server.py}; the path is argument 1. */
public final class UnixUpperServer {
  private UnixUpperServer() {}

  static final class Upper extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        String text = new String(line, StandardCharsets.ISO_8859_1);
        wfile().write(UdpUpperServer.asciiUpper(text).getBytes(StandardCharsets.ISO_8859_1));
      }
    }
  }

  public static void main(String[] args) throws IOException {
    Path path = Path.of(args[0]);
    Files.deleteIfExists(path);
    try (var server = new ThreadingUnixStreamServer(UnixDomainSocketAddress.of(path), Upper::new)) {
      System.out.println(server.serverAddress());
      server.serveForever();
    }
  }
}
