package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.spi.SocketSpec;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.spi.SocketImpl;
import java.net.InetSocketAddress;
import io.github.socketserver4j.spi.SocketProviderAccess;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Finding the transport: the api module's own tests have no transport on their class path, which
 * is exactly what a user who forgot the Netty artifact has.
 */
class SocketProviderTest {

  @Test
  @DisplayName("no transport on the class path: the error names the artifact to add")
  void missingTransportNamesTheArtifact() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new TCPServer(new InetSocketAddress("127.0.0.1", 0), StreamRequestHandler::new));
    assertTrue(
        e.getMessage().contains("io.github.socketserver4j:socketserver4j-netty"), e.getMessage());
  }

  /** A provider that is only named and prioritised; it never opens a socket in these tests. */
  static final class Named extends SocketProvider {
    private final String name;
    private final int priority;
    private final boolean available;

    Named(String name, int priority, boolean available) {
      this.name = name;
      this.priority = priority;
      this.available = available;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int priority() {
      return priority;
    }

    @Override
    public boolean isAvailable() {
      return available;
    }

    @Override
    public SocketImpl openSocket(SocketSpec spec) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  @DisplayName("the highest-priority available provider wins; the system property picks by name")
  void choice() {
    Named low = new Named("low", 1, true);
    Named high = new Named("high", 9, true);
    Named off = new Named("off", 10, false);
    assertSame(high, SocketProviderAccess.choose(List.of(low, high, off), null));
    assertSame(low, SocketProviderAccess.choose(List.of(low, high, off), "low"));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> SocketProviderAccess.choose(List.of(low, high), "netty"));
    assertTrue(e.getMessage().contains("netty") && e.getMessage().contains("[low, high]"), e.getMessage());
  }
}
