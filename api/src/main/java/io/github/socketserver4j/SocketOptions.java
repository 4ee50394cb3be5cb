package io.github.socketserver4j;

import java.net.SocketOption;

/**
 * Socket options that the JDK's {@link java.net.StandardSocketOptions} lacks, for {@code
 * socket().setOption(...)} in a {@code serverBind()} override, as Python code calls {@code
 * self.socket.setsockopt(...)} before binding.
 */
public final class SocketOptions {
  private SocketOptions() {}

  /**
   * {@code IPV6_V6ONLY}: whether an {@code AF_INET6} socket refuses IPv4 peers. Linux defaults to
   * false (dual stack). Setting it to false is how {@code http.server}'s {@code DualStackServer}
   * makes a dual-stack server; true needs the epoll transport.
   */
  public static final SocketOption<Boolean> IPV6_V6ONLY = new Named<>("IPV6_V6ONLY", Boolean.class);

  private static final class Named<T> implements SocketOption<T> {
    private final String name;
    private final Class<T> type;

    Named(String name, Class<T> type) {
      this.name = name;
      this.type = type;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Class<T> type() {
      return type;
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
