package io.github.socketserver4j.examples;

import io.github.socketserver4j.BaseRequestHandler;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingMixIn;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The "Asynchronous Mixins" example of Python's {@code socketserver} documentation, ported: a
 * threading server answers each client from its own thread, and three clients talk to it while
 * {@code serveForever()} runs in a background thread.
 *
 * <p>It prints what Python's version prints, with Java's thread names:
 *
 * <pre>
 * Server loop running in thread: server loop
 * Received: socketserver4j ThreadedTCPServer 127.0.0.1:41789 request 1: Hello World 1
 * Received: socketserver4j ThreadedTCPServer 127.0.0.1:41789 request 2: Hello World 2
 * Received: socketserver4j ThreadedTCPServer 127.0.0.1:41789 request 3: Hello World 3
 * </pre>
 */
public final class ThreadedEchoClientServer {

  private ThreadedEchoClientServer() {}

  // tag::handler[]
  // Python: class ThreadedTCPRequestHandler(socketserver.BaseRequestHandler)
  static class ThreadedTCPRequestHandler extends BaseRequestHandler {
    @Override
    public void handle() throws IOException {
      StreamRequest request = (StreamRequest) request();
      byte[] data = request.recv(1024); // data = str(self.request.recv(1024), 'ascii')
      String response =
          Thread.currentThread().getName() + ": " + new String(data, StandardCharsets.US_ASCII);
      request.sendall(response.getBytes(StandardCharsets.US_ASCII)); // self.request.sendall(...)
    }
  }

  // Python: class ThreadedTCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer)
  static class ThreadedTCPServer extends TCPServer implements ThreadingMixIn {
    ThreadedTCPServer(SocketAddress address) throws IOException {
      super(address, ThreadedTCPRequestHandler::new);
    }
  }
  // end::handler[]

  /**
   * Sends {@code message}, reads one answer of at most 1024 bytes and prints it: Python's {@code
   * client(ip, port, message)}. The read gives up after 10 s, so a broken server cannot hang it.
   */
  static void client(SocketAddress address, String message, PrintStream out) throws IOException {
    try (Socket sock = new Socket()) {
      sock.connect(address, 10_000);
      sock.setSoTimeout(10_000);
      OutputStream send = sock.getOutputStream();
      send.write(message.getBytes(StandardCharsets.US_ASCII));
      InputStream receive = sock.getInputStream();
      byte[] buffer = new byte[1024];
      int n = receive.read(buffer);
      String response = new String(Arrays.copyOf(buffer, Math.max(n, 0)), StandardCharsets.US_ASCII);
      out.println("Received: " + response);
    }
  }

  // Runs the example, printing to out: the body of Python's `if __name__ == "__main__":`.
  // tag::main[]
  static void run(PrintStream out) throws Exception {
    try (var server = new ThreadedTCPServer(new InetSocketAddress("127.0.0.1", 0))) { // with server:
      SocketAddress address = server.serverAddress(); // ip, port = server.server_address
      Thread serverThread = new Thread(server::serveForever, "server loop");
      serverThread.setDaemon(true); // exit the JVM even if the loop still runs
      serverThread.start();
      out.println("Server loop running in thread: " + serverThread.getName());

      client(address, "Hello World 1", out);
      client(address, "Hello World 2", out);
      client(address, "Hello World 3", out);

      server.shutdown(); // returns once serveForever() has returned
      serverThread.join();
    }
  }
  // end::main[]

  /**
   * Runs the example.
   *
   * @param args ignored
   * @throws Exception if the server cannot start or a client fails
   */
  public static void main(String[] args) throws Exception {
    run(System.out);
  }
}
