package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.spi.SocketSpec;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.spi.SocketImpl;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import io.github.socketserver4j.spi.SocketProviderAccess;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Finding the transport. The api tests' class path has the in-memory provider; the case of a user
 * who forgot the Netty artifact is run in a class loader that holds only the api module and
 * slf4j, exactly what such a user has.
 */
class SocketProviderTest {

  @Test
  @DisplayName("no transport on the class path: the error names the artifact to add")
  void missingTransportNamesTheArtifact() throws Exception {
    URL api = TCPServer.class.getProtectionDomain().getCodeSource().getLocation();
    URL slf4j = org.slf4j.Logger.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader bare =
        new URLClassLoader(new URL[] {api, slf4j}, ClassLoader.getPlatformClassLoader())) {
      Class<?> server = bare.loadClass(TCPServer.class.getName());
      Class<?> factory = bare.loadClass(RequestHandlerFactory.class.getName());
      Object handlers =
          Proxy.newProxyInstance(
              bare, new Class<?>[] {factory}, (proxy, method, args) -> null);
      InvocationTargetException e =
          assertThrows(
              InvocationTargetException.class,
              () ->
                  server
                      .getConstructor(java.net.SocketAddress.class, factory)
                      .newInstance(new InetSocketAddress("127.0.0.1", 0), handlers));
      assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
      assertTrue(
          e.getCause().getMessage().contains("io.github.socketserver4j:socketserver4j-netty"),
          e.getCause().getMessage());
    }
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
