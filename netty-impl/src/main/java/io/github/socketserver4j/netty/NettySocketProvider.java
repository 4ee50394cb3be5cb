package io.github.socketserver4j.netty;

import io.github.socketserver4j.spi.SocketSpec;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.spi.SocketImpl;

/**
 * The Netty 4.2 transport of socketserver4j, found by {@link java.util.ServiceLoader}. Servers
 * that need Netty settings of their own (a shared event loop group, TLS or other handlers, child
 * options) return a {@link NettyOptions} from {@code TCPServer.socketProvider()} instead.
 *
 * <p>Each server gets its own small group of daemon event-loop threads ({@code
 * MultiThreadIoEventLoopGroup}): one for a synchronous server, one per core for a {@code
 * ThreadingMixIn} server. The group ends when the server is closed and its last connection is
 * closed.
 *
 * <h2>System properties</h2>
 *
 * <ul>
 *   <li>{@code socketserver4j.netty.transport}: {@code epoll} or {@code nio}; by default epoll
 *       where it is available (Linux with the native library), NIO otherwise.
 *   <li>{@code socketserver4j.netty.ioThreads}: the number of event-loop threads per server.
 * </ul>
 */
public final class NettySocketProvider extends SocketProvider {
  /** Called by {@link java.util.ServiceLoader}. */
  public NettySocketProvider() {}

  @Override
  public String name() {
    return "netty";
  }

  @Override
  public SocketImpl openSocket(SocketSpec spec) {
    return NettyOptions.DEFAULT.openSocket(spec);
  }

  /**
   * Returns the Netty transport servers use here: {@code "epoll"} or {@code "nio"}. The same as
   * {@code NettyOptions.builder().build().transportName()}: the servers that find this provider
   * through ServiceLoader use those default settings.
   *
   * @return the transport's name
   */
  public static String transportName() {
    return NettyOptions.DEFAULT.transportName();
  }
}
