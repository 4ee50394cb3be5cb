package io.github.socketserver4j.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.socketserver4j.UnixDatagramServer;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixDatagramClient;
import io.github.socketserver4j.testing.UnixPaths;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs {@link UnixDatagramNames} with datagram I/O below Netty on and off: a client bound to an
 * abstract name and one bound to a path each get their own name back, printed as CPython's {@code
 * repr(self.client_address)} prints it (checked with python3 3.13).
 */
class UnixDatagramNamesTest {

  @ParameterizedTest(name = "directDatagramIo({0})")
  @ValueSource(booleans = {true, false})
  @DisplayName("abstract and path clients are answered with their own names")
  void eachClientHearsItsName(boolean directIo) throws Exception {
    assumeTrue(Transports.available().contains("epoll"), "Unix datagrams need epoll");
    try (UnixPaths paths = new UnixPaths()) {
      UnixDatagramServer server = UnixDatagramNames.create(paths.next(), directIo);
      Thread serving =
          new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
      serving.start();
      UnixDomainSocketAddress to = (UnixDomainSocketAddress) server.serverAddress();
      String name = "\0docs-" + System.nanoTime();
      UnixDomainSocketAddress path = paths.next();
      try (UnixDatagramClient abstractClient = UnixDatagramClient.boundToRawPath(name);
          UnixDatagramClient pathClient = new UnixDatagramClient(path)) {
        abstractClient.send(new byte[] {1}, to);
        byte[] reply = abstractClient.receive();
        assertTrue(reply != null, "the abstract client got no reply");
        assertEquals("b'\\x00" + name.substring(1) + "'", new String(reply, UTF_8));
        pathClient.send(new byte[] {2}, to);
        reply = pathClient.receive();
        assertTrue(reply != null, "the path client got no reply");
        assertEquals("'" + path.getPath() + "'", new String(reply, UTF_8));
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
        assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
        server.serverClose();
      }
    }
  }
}
