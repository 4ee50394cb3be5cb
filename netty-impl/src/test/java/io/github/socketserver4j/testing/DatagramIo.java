package io.github.socketserver4j.testing;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs a test body with datagram I/O below Netty (the serving and request threads calling {@code
 * recvfrom} and {@code sendto} themselves) on or off, as {@link Transports} does for the
 * transport. The whole module's datagram suites also run once more with it off (the surefire
 * execution {@code datagram-through-netty} in netty-impl's pom).
 */
public final class DatagramIo {
  /** NettyOptions' switch: {@code -Dsocketserver4j.netty.directDatagramIo=false}. */
  public static final String PROPERTY = "socketserver4j.netty.directDatagramIo";

  private DatagramIo() {}

  /** Both settings: "direct" (the default) and "netty" (every datagram through Netty). */
  public static List<String> modes() {
    return List.of("direct", "netty");
  }

  /** Runs {@code body} with the switch set for {@code mode}, restoring the property after. */
  public static <T> T with(String mode, Callable<T> body) throws Exception {
    if (!modes().contains(mode)) {
      throw new IllegalArgumentException(mode);
    }
    String old = System.getProperty(PROPERTY);
    System.setProperty(PROPERTY, Boolean.toString(mode.equals("direct")));
    try {
      return body.call();
    } finally {
      if (old == null) {
        System.clearProperty(PROPERTY);
      } else {
        System.setProperty(PROPERTY, old);
      }
    }
  }
}
