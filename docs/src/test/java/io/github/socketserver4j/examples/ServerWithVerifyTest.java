package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs {@link ServerWithVerify}: {@code verifyRequest} filters clients by address. */
class ServerWithVerifyTest {

  @Test
  @DisplayName("verify_request: an allowed client is served, another is closed unanswered (bpo-26309)")
  void servesAllowedClientsAndClosesTheOthers() throws Exception {
    Set<InetAddress> allowed = Set.of(InetAddress.getByName("127.0.0.1"));
    try (ServerWithVerify server = new ServerWithVerify(anyLoopbackPort(), allowed)) {
      Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
      serving.start();
      try {
        SocketAddress address = server.serverAddress();
        try (Client client = Client.connect(address)) {
          assertEquals("hello 127.0.0.1\n", client.readAllText());
        }
        // The whole of 127.0.0.0/8 is loopback on Linux: a client bound to 127.0.0.2 comes from
        // an address that is not allowed.
        try (Socket other = new Socket()) {
          other.setSoTimeout((int) TestRules.waitBound().toMillis());
          other.bind(new InetSocketAddress("127.0.0.2", 0));
          other.connect(address, (int) TestRules.waitBound().toMillis());
          assertArrayEquals(new byte[0], other.getInputStream().readAllBytes());
        }
        // The server goes on serving after a rejection.
        try (Client client = Client.connect(address)) {
          assertEquals("hello 127.0.0.1\n", client.readAllText());
        }
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
        assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
      }
    }
  }
}
