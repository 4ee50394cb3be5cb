package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs {@link NettyProxyProtocol}: verifyRequest filters on the address in the PROXY header. */
class NettyProxyProtocolTest {

  @Test
  @DisplayName("docs/netty.md PROXY: the real client from the header is greeted; another is refused")
  void filtersOnTheRealClient() throws Exception {
    Set<InetAddress> allowed = Set.of(InetAddress.getByName("203.0.113.7"));
    try (NettyProxyProtocol server = new NettyProxyProtocol(anyLoopbackPort(), allowed)) {
      Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
      serving.start();
      try {
        try (Client c = Client.connect(server.serverAddress())) {
          c.send("PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\r\n");
          assertEquals("hello 203.0.113.7\n", c.readAllText());
        }
        try (Client c = Client.connect(server.serverAddress())) {
          c.send("PROXY TCP4 198.51.100.9 192.0.2.1 40001 443\r\n");
          assertEquals("", c.readAllText()); // rejected by verifyRequest: closed unanswered
        }
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
        assertFalse(serving.isAlive());
      }
    }
  }
}
