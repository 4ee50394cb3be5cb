package io.github.socketserver4j.memory;

import io.github.socketserver4j.spi.SocketImpl;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.spi.SocketSpec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The in-memory transport for the api module's own tests, as Jetty's {@code LocalConnector} and
 * Netty's {@code EmbeddedChannel}: the server classes run their whole state machine on it, with
 * no Netty and no kernel. Registered as the provider of the api tests' class path; a server may
 * also return its own instance from {@code socketProvider()} to see the sockets it opened.
 */
public final class MemorySocketProvider extends SocketProvider {
  private final List<MemorySocket> opened = new CopyOnWriteArrayList<>();

  /** For {@link java.util.ServiceLoader}, and for tests that want their own. */
  public MemorySocketProvider() {}

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public SocketImpl openSocket(SocketSpec spec) {
    MemorySocket socket = new MemorySocket(spec);
    opened.add(socket);
    return socket;
  }

  /** The sockets this provider opened, in order. */
  public List<MemorySocket> opened() {
    return opened;
  }
}
