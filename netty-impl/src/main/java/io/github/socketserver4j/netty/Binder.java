package io.github.socketserver4j.netty;

import io.github.socketserver4j.AddressFamily;
import io.github.socketserver4j.SocketOptions;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Binds a server's channel as CPython's {@code setsockopt} and {@code bind} do: the options set
 * before the bind, Python's defaults where Netty's differ ({@code SO_REUSEADDR} off), errors that
 * name the address, and a Unix socket file that outlives the socket ({@link SocketFile}).
 *
 * <p>Used by one socket, on the thread that sets it up (the server's constructor or {@code
 * serverBind()}); not thread-safe.
 */
final class Binder {
  private final AddressFamily family;
  private final Transport transport;
  private final Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();

  Binder(AddressFamily family, Transport transport) {
    this.family = family;
    this.transport = transport;
  }

  /** CPython's {@code setsockopt} before {@code bind}: see {@code SocketImpl.setOption}. */
  <V> void setOption(SocketOption<V> option, V value) {
    checkValue(option, value);
    if (option == StandardSocketOptions.SO_REUSEADDR) {
      options.put(ChannelOption.SO_REUSEADDR, value);
    } else if (option == StandardSocketOptions.SO_REUSEPORT) {
      options.put(transport.reusePortOption(), value);
    } else if (option == StandardSocketOptions.SO_RCVBUF) {
      options.put(ChannelOption.SO_RCVBUF, value);
    } else if (option == StandardSocketOptions.SO_SNDBUF) {
      options.put(ChannelOption.SO_SNDBUF, value);
    } else if (option == SocketOptions.IPV6_V6ONLY) {
      ChannelOption<Integer> v6only = transport.v6OnlyOption();
      if (v6only != null) {
        options.put(v6only, Boolean.TRUE.equals(value) ? 1 : 0);
      } else if (Boolean.TRUE.equals(value)) {
        throw new UnsupportedOperationException(
            "IPV6_V6ONLY=true needs the epoll transport; NIO sockets are always dual-stack");
      }
    } else {
      throw new UnsupportedOperationException("socket option " + option + " is not supported");
    }
  }

  /**
   * Refuses a value the option cannot take here, naming both, instead of failing later in bind
   * (NIO) or being clamped by the kernel (epoll), so both transports behave alike.
   */
  private static void checkValue(SocketOption<?> option, Object value) {
    if (value == null || !option.type().isInstance(value)) {
      throw new IllegalArgumentException(
          "invalid value for socket option " + option.name() + ": " + value + " (expected a "
              + option.type().getSimpleName() + ")");
    }
    if ((option == StandardSocketOptions.SO_RCVBUF || option == StandardSocketOptions.SO_SNDBUF)
        && (Integer) value <= 0) {
      throw new IllegalArgumentException(
          "invalid value for socket option " + option.name() + ": " + value
              + " (a buffer size must be positive)");
    }
  }

  /**
   * Fails before any socket or thread exists when {@code address} cannot be bound here.
   *
   * @throws IllegalArgumentException for a Unix path longer than this transport can bind, as the
   *     API's own check does for CPython's limit: the JDK (so the NIO transport) takes one byte
   *     less than Linux and CPython
   * @throws BindException if a file exists at a Unix path: CPython's bind fails there, where
   *     Netty's epoll bind would unlink the file and steal the path
   */
  void check(SocketAddress address) throws BindException {
    if (!(address instanceof UnixDomainSocketAddress)) {
      return;
    }
    java.nio.file.Path path = ((UnixDomainSocketAddress) address).getPath();
    int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
    int limit = transport.maxUnixPathBytes();
    if (bytes > limit) {
      throw new IllegalArgumentException(
          "AF_UNIX path too long: " + bytes + " bytes, the limit of the " + transport.displayName()
              + " transport is " + limit + ": " + path);
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new BindException("Address already in use: " + path);
    }
  }

  /**
   * Binds (and for a stream socket listens, in the same step), with the options set before.
   *
   * @return the bound channel
   * @throws IOException naming the address; a {@link BindException} when it is in use or cannot
   *     be assigned
   */
  Channel bind(
      AbstractBootstrap<?, ?> bootstrap, SocketAddress address, boolean reuseAddress,
      boolean reusePort) throws IOException {
    boolean inet = family != AddressFamily.AF_UNIX;
    if (inet) {
      bootstrap.option(ChannelOption.SO_REUSEADDR, false); // Netty's and the JDK's default is true
    }
    options.forEach((option, value) -> apply(bootstrap, option, value));
    if (inet && reuseAddress) {
      bootstrap.option(ChannelOption.SO_REUSEADDR, true);
    }
    if (inet && reusePort) {
      bootstrap.option(transport.reusePortOption(), true);
    }
    ChannelFuture bound = bootstrap.bind(transport.toNetty(address));
    Throwable failure = Futures.await(bound);
    if (failure != null) {
      throw failure(failure, address);
    }
    return bound.channel();
  }

  /** Closes a channel this binder bound, keeping its Unix socket file as CPython does. */
  static void close(Channel channel, SocketAddress bound) {
    if (bound instanceof UnixDomainSocketAddress) {
      SocketFile.keepWhile(
          ((UnixDomainSocketAddress) bound).getPath(), () -> Futures.await(channel.close()));
    } else {
      Futures.await(channel.close());
    }
  }

  @SuppressWarnings("unchecked")
  private static <V> void apply(AbstractBootstrap<?, ?> b, ChannelOption<V> option, Object value) {
    b.option(option, (V) value);
  }

  private static IOException failure(Throwable cause, SocketAddress address) {
    String where;
    if (address instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) address;
      String host =
          inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
      where = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    } else if (address instanceof UnixDomainSocketAddress) {
      where = ((UnixDomainSocketAddress) address).getPath().toString();
    } else {
      where = String.valueOf(address);
    }
    String message = String.valueOf(cause.getMessage());
    if (cause instanceof BindException
        || message.contains("in use")
        || message.contains("assign requested address")) {
      String what =
          message.contains("in use")
              ? "Address already in use"
              : message.contains("assign") ? "Cannot assign requested address" : message;
      BindException e = new BindException(what + ": " + where);
      e.initCause(cause);
      return e;
    }
    if (cause instanceof UnsupportedOperationException) {
      throw (UnsupportedOperationException) cause;
    }
    return new IOException("cannot bind " + where + ": " + message, cause);
  }
}
