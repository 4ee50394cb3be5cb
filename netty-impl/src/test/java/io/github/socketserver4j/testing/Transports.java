package io.github.socketserver4j.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Runs a test body on each Netty transport a server class can use, as Netty's own testsuite runs
 * each body over every transport: epoll (where available) and NIO.
 */
public final class Transports {
  public static final String TRANSPORT_PROPERTY = "socketserver4j.netty.transport";

  private Transports() {}

  /** The transports to test here: "nio" always, "epoll" when Netty's native epoll loads. */
  public static List<String> available() {
    List<String> names = new ArrayList<>();
    if (io.netty.channel.epoll.Epoll.isAvailable()) {
      names.add("epoll");
    }
    names.add("nio");
    return names;
  }

  /** Runs {@code body} with the transport forced to {@code name}, restoring the property after. */
  public static <T> T with(String name, Callable<T> body) throws Exception {
    String old = System.getProperty(TRANSPORT_PROPERTY);
    System.setProperty(TRANSPORT_PROPERTY, name);
    try {
      return body.call();
    } finally {
      if (old == null) {
        System.clearProperty(TRANSPORT_PROPERTY);
      } else {
        System.setProperty(TRANSPORT_PROPERTY, old);
      }
    }
  }
}
