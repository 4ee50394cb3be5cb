package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.socketserver4j.ThreadingUDPServer;
import io.github.socketserver4j.UDPServer;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the handlers of {@link UdpEchoServer} on a real UDP socket, over every transport, with a
 * {@code DatagramSocket} client. The expected replies are CPython's (spec 2.3 #9): the echo of a
 * 0-byte datagram is a 0-byte datagram.
 */
class UdpEchoServerTest {

  static List<String> transports() {
    return Transports.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("UDPServer + DatagramRequestHandler: each datagram comes back, an empty one too")
  void echoSendsEveryDatagramBack(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          try (UDPServer server =
              new UDPServer(new InetSocketAddress("127.0.0.1", 0), UdpEchoServer.Echo::new)) {
            serve(
                server,
                () -> {
                  assertEquals("hello", ask(server.serverAddress(), "hello"));
                  assertEquals("two\nlines\n", ask(server.serverAddress(), "two\nlines\n"));
                  assertEquals("", ask(server.serverAddress(), ""));
                });
          }
          return null;
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName(
      "ThreadingUDPServer + BaseRequestHandler: (data, socket) = request, reply with sendto")
  void shoutRepliesInCapitals(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          try (ThreadingUDPServer server =
              new ThreadingUDPServer(
                  new InetSocketAddress("127.0.0.1", 0), UdpEchoServer.Shout::new)) {
            serve(
                server,
                () -> {
                  assertEquals("HELLO WORLD", ask(server.serverAddress(), "hello world"));
                  // Python: "éclair straße".upper() == "ÉCLAIR STRASSE"
                  assertEquals("ÉCLAIR STRASSE", ask(server.serverAddress(), "éclair straße"));
                });
          }
          return null;
        });
  }

  interface Body {
    void run() throws Exception;
  }

  /** Runs {@code body} while the server serves in a background thread; then shuts it down. */
  static void serve(UDPServer server, Body body) throws Exception {
    Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
    serving.start();
    try {
      body.run();
    } finally {
      server.shutdown();
      serving.join(TestRules.waitBound().toMillis());
      assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
    }
  }

  /** Sends one datagram from a fresh socket and returns the reply, within the wait bound. */
  static String ask(SocketAddress server, String text) throws Exception {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      client.setSoTimeout((int) TestRules.waitBound().toMillis());
      client.send(new DatagramPacket(data, data.length, server));
      byte[] buffer = new byte[65536];
      DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
      client.receive(reply);
      return new String(Arrays.copyOf(buffer, reply.getLength()), StandardCharsets.UTF_8);
    }
  }
}
