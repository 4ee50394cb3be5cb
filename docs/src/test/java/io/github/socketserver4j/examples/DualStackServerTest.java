package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs {@link DualStackServer}: one IPv6 socket bound to {@code ::} serves an IPv4 client
 * (127.0.0.1) and an IPv6 client (::1), as {@code http.server}'s DualStackServer does in CPython.
 * On NIO, clearing {@code IPV6_V6ONLY} is a no-op (JDK sockets are dual-stack already), so the
 * recipe works on both transports.
 */
class DualStackServerTest {

  static List<String> transports() {
    return Transports.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName(
      "http.server's DualStackServer: bound to '::' with IPV6_V6ONLY 0, reached from 127.0.0.1 and"
          + " ::1")
  void ipv4AndIpv6ClientsReachOneServer(String transport) throws Exception {
    Transports.with(
        transport,
        () -> {
          try (DualStackServer server =
              new DualStackServer(new InetSocketAddress("::", 0), DualStackServer.WhoAmI::new)) {
            InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
            assertInstanceOf(Inet6Address.class, bound.getAddress());
            assertTrue(bound.getAddress().isAnyLocalAddress(), bound.toString());
            Thread serving =
                new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
            serving.start();
            try {
              // CPython's handler sees '::ffff:127.0.0.1' for the IPv4 client; Java's InetAddress
              // turns every IPv4-mapped address into the IPv4 address (differences.md #33).
              assertEquals(
                  "you are " + InetAddress.getByName("::ffff:127.0.0.1").getHostAddress() + "\n",
                  askFrom("127.0.0.1", bound.getPort()));
              assertEquals(
                  "you are " + InetAddress.getByName("::1").getHostAddress() + "\n",
                  askFrom("::1", bound.getPort()));
            } finally {
              server.shutdown();
              serving.join(TestRules.waitBound().toMillis());
              assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
            }
          }
          return null;
        });
  }

  private static String askFrom(String host, int port) throws Exception {
    try (Client client = Client.connect(new InetSocketAddress(host, port))) {
      return client.readLine();
    }
  }
}
