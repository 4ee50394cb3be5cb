package io.github.socketserver4j.parity.example;

import io.github.socketserver4j.BaseRequestHandler;
import io.github.socketserver4j.Py;
import io.github.socketserver4j.Request;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingMixIn;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Porter-mode example: the Java port of {@code log_server.py}, whose printed log is compared. */
public final class LogServer {
  private LogServer() {}

  static final class Echo extends BaseRequestHandler {
    @Override
    public void setup() {
      System.out.println("setup " + Py.str(clientAddress()) + " " + Thread.currentThread().getName());
    }

    @Override
    public void handle() throws IOException {
      StreamRequest request = (StreamRequest) request();
      byte[] data = request.recv(1024);
      System.out.println("recv " + Py.repr(data) + " at "
          + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")));
      if (new String(data, java.nio.charset.StandardCharsets.ISO_8859_1).strip().equals("boom")) {
        throw new IllegalArgumentException("boom"); // raise ValueError("boom")
      }
      request.sendall(UdpUpperServer.asciiUpper(new String(data,
          java.nio.charset.StandardCharsets.ISO_8859_1)).getBytes(
              java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Override
    public void finish() {
      System.out.println("finish " + Py.str(clientAddress()));
    }
  }

  static final class Server extends TCPServer implements ThreadingMixIn {
    Server(SocketAddress address) throws IOException {
      super(address, Echo::new);
    }

    @Override
    public boolean verifyRequest(Request request, SocketAddress clientAddress) {
      System.out.println("verify_request " + Py.str(clientAddress));
      return true;
    }
  }

  public static void main(String[] args) throws IOException {
    try (Server server = new Server(new InetSocketAddress("127.0.0.1", 0))) {
      System.out.println(server.serverAddress());
      server.serveForever();
    }
  }
}
