package io.github.socketserver4j.examples;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Servers that run on an event loop group the application owns, next to its own Netty code: the
 * servers make no I/O threads, and closing them leaves the group running.
 */
public final class NettySharedLoops {
  private NettySharedLoops() {}

  /** Answers every client with the server's name. */
  static class Hello extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      String name = ((Named) server()).name();
      wfile().write(("hello from " + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** A threading server with a name. */
  static class Named extends ThreadingTCPServer {
    private final String name;

    Named(String name, SocketAddress address) throws IOException {
      super(address, Hello::new);
      this.name = name;
    }

    String name() {
      return name;
    }
  }

  /**
   * The application's group: its loops run the servers' sockets and its own channels alike.
   *
   * @return a group of two event loops, epoll where available
   */
  // tag::group[]
  public static EventLoopGroup applicationGroup() {
    return new MultiThreadIoEventLoopGroup(2, NettyOptions.ioHandlerFactory("auto"));
  }
  // end::group[]

  /**
   * Creates a server on {@code group}.
   *
   * @param name what the server answers with
   * @param address where to listen
   * @param group the application's group; the server never shuts it down
   * @return the server, bound and listening
   * @throws IOException if it cannot bind
   */
  // tag::server[]
  public static TCPServer on(EventLoopGroup group, String name, SocketAddress address)
      throws IOException {
    NettyOptions shared = NettyOptions.builder().eventLoopGroup(group).build(); // at run time
    return TCPServer.withSocketProvider(shared, () -> new Named(name, address));
  }
  // end::server[]

  /**
   * The server channel class for the application's own {@code ServerBootstrap} on {@code group}:
   * the group's transport decides, as it does for the servers on it.
   *
   * @param group a group made with {@link NettyOptions#ioHandlerFactory}
   * @return {@code EpollServerSocketChannel} on an epoll group, else {@code NioServerSocketChannel}
   */
  // tag::channel[]
  public static Class<? extends ServerChannel> serverChannelClass(EventLoopGroup group) {
    String transport = NettyOptions.builder().eventLoopGroup(group).build().transportName();
    return transport.equals("epoll")
        ? EpollServerSocketChannel.class
        : NioServerSocketChannel.class;
  }
  // end::channel[]
}
