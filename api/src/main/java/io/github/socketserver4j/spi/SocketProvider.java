package io.github.socketserver4j.spi;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Creates server sockets for {@code socketserver4j}; found with {@link ServiceLoader}.
 *
 * <p>The server classes call {@link #provider()} when they create their socket. The {@code
 * socketserver4j-netty} artifact registers the Netty provider; add it at run time:
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>io.github.socketserver4j</groupId>
 *   <artifactId>socketserver4j-netty</artifactId>
 *   <version>...</version>
 *   <scope>runtime</scope>
 * </dependency>
 * }</pre>
 *
 * <h2>How the provider is chosen</h2>
 *
 * <ol>
 *   <li>If the system property {@value #PROVIDER_PROPERTY} is set, the provider whose {@link #name()} equals
 *       it, or an error naming the providers found.
 *   <li>Otherwise the {@linkplain #isAvailable() available} provider with the highest {@link
 *       #priority()}.
 *   <li>Otherwise an {@link IllegalStateException} that says which artifact to add.
 * </ol>
 *
 * <p>Implementations need a public no-argument constructor and a {@code
 * META-INF/services/io.github.socketserver4j.spi.SocketProvider} entry. Their constructor,
 * {@code isAvailable()} and {@code priority()} should not throw.
 */
public abstract class SocketProvider {

  /** The system property that picks a provider by {@link #name()}. */
  public static final String PROVIDER_PROPERTY = "socketserver4j.provider";

  static final String MISSING =
      "No socketserver4j socket provider found on the class path. Add a dependency on"
          + " io.github.socketserver4j:socketserver4j-netty (the Netty transport).";

  /** For subclasses; instantiated by {@link ServiceLoader}. */
  protected SocketProvider() {}

  /**
   * Returns the provider's short name, matched against {@value #PROVIDER_PROPERTY}; for example {@code
   * "netty"}.
   *
   * @return the name
   */
  public abstract String name();

  /**
   * Returns whether this provider can create sockets on this machine.
   *
   * @implSpec The default returns true.
   * @return whether the provider works here
   */
  public boolean isAvailable() {
    return true;
  }

  /**
   * Returns the provider's priority from 0 to 10; the highest available one is used.
   *
   * @implSpec The default returns 5.
   * @return the priority
   */
  public int priority() {
    return 5;
  }

  /**
   * Creates an unbound server socket, CPython's {@code socket.socket(family, type)}.
   *
   * @param spec the family, type and naming of the socket
   * @return a new, open, unbound socket
   * @throws IOException if the socket cannot be created
   * @throws UnsupportedOperationException if this transport cannot make that kind of socket here,
   *     with a message that says what is needed
   */
  public abstract SocketImpl openSocket(SocketSpec spec) throws IOException;

  /**
   * Returns the provider that servers use, chosen as the class documentation says.
   *
   * @return the provider
   * @throws IllegalStateException if none is found, with the artifact to add
   */
  public static SocketProvider provider() {
    return Holder.find();
  }

  private static final class Holder {
    private static volatile SocketProvider chosen;

    static SocketProvider find() {
      SocketProvider p = chosen;
      if (p == null) {
        synchronized (Holder.class) {
          p = chosen;
          if (p == null) {
            p = choose(load(), System.getProperty(PROVIDER_PROPERTY));
            chosen = p;
          }
        }
      }
      return p;
    }

    private static List<SocketProvider> load() {
      List<SocketProvider> found = new ArrayList<>();
      ServiceLoader.load(SocketProvider.class, SocketProvider.class.getClassLoader())
          .forEach(found::add);
      return found;
    }
  }

  /** Chooses from {@code found}: by name when {@code wanted} is set, else by priority. */
  static SocketProvider choose(List<SocketProvider> found, String wanted) {
    if (wanted != null && !wanted.isBlank()) {
      for (SocketProvider p : found) {
        if (p.name().equals(wanted)) {
          return p;
        }
      }
      List<String> names = new ArrayList<>();
      found.forEach(p -> names.add(p.name()));
      throw new IllegalStateException(
          "System property " + PROVIDER_PROPERTY + "=" + wanted + " names no socket provider on the class path;"
              + " found: " + names + ". " + (found.isEmpty() ? MISSING : ""));
    }
    return found.stream()
        .filter(SocketProvider::isAvailable)
        .max(Comparator.comparingInt(SocketProvider::priority))
        .orElseThrow(() -> new IllegalStateException(MISSING));
  }
}
