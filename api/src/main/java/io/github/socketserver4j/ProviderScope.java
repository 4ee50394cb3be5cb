package io.github.socketserver4j;

import io.github.socketserver4j.spi.SocketProvider;
import java.io.IOException;
import java.util.Objects;

/**
 * A socket provider given for one server's construction: what {@link
 * TCPServer#withSocketProvider} binds while it runs the constructor, and what that constructor
 * takes before it asks {@link TCPServer#socketProvider()}.
 *
 * <p>Java runs a superclass constructor before a subclass can set anything, so a value passed
 * next to the constructor cannot reach the hook through a field. The value is bound to the
 * constructing thread for the duration of the call instead, as JDK 21's {@code ScopedValue} binds
 * one ({@code ScopedValue.where(v, x).call(op)}); this is its Java 17 form. The first server
 * constructed in the call takes it; servers constructed meanwhile by that constructor (none, in
 * practice) get the default.
 */
final class ProviderScope {
  private static final ThreadLocal<ProviderScope> CURRENT = new ThreadLocal<>();

  private final SocketProvider provider;
  private TCPServer takenBy;

  private ProviderScope(SocketProvider provider) {
    this.provider = provider;
  }

  /** Called by TCPServer's constructor: the provider given for it, or null. */
  static SocketProvider take(TCPServer server) {
    ProviderScope scope = CURRENT.get();
    if (scope == null || scope.takenBy != null) {
      return null;
    }
    scope.takenBy = server;
    return scope.provider;
  }

  /** Runs {@code constructor} with {@code provider} given to the server it constructs. */
  static <S extends TCPServer> S construct(
      SocketProvider provider, TCPServer.ServerConstructor<S> constructor) throws IOException {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(constructor, "constructor");
    ProviderScope outer = CURRENT.get();
    ProviderScope scope = new ProviderScope(provider);
    CURRENT.set(scope);
    S server;
    try {
      server = constructor.construct();
    } finally {
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    }
    String problem = null;
    if (server == null) {
      problem = "the constructor returned null";
    } else if (scope.takenBy != server) {
      problem = "the constructor did not construct the server it returned on this thread";
    } else if (!server.usedGivenProvider()) {
      problem =
          BaseServer.className(server.getClass())
              + " overrides socketProvider() without calling super.socketProvider(), so the"
              + " provider given here would be ignored; give the settings one way";
    }
    if (problem != null) {
      if (server != null) {
        server.serverClose();
      }
      throw new IllegalStateException("withSocketProvider: " + problem);
    }
    return server;
  }
}
