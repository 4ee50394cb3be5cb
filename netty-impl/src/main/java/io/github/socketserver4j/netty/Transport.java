package io.github.socketserver4j.netty;

import io.github.socketserver4j.AddressFamily;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.UnixChannel;
import java.net.StandardSocketOptions;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;

/**
 * The Netty transports a server can run on: epoll where it is available, NIO otherwise.
 *
 * <p>io_uring is not offered: its multishot accept takes the whole backlog on one read, which
 * breaks CPython's accept-on-demand (one connection per {@code get_request()}).
 */
enum Transport {
  EPOLL {
    @Override
    IoHandlerFactory ioHandlerFactory() {
      return EpollEmptyInterestFix.wrap(EpollIoHandler.newFactory());
    }

    @Override
    ServerChannel newServerChannel(AddressFamily family) {
      return new EpollServerSocketChannel(protocolFamily(family));
    }

    @Override
    ChannelOption<Boolean> reusePortOption() {
      return EpollChannelOption.SO_REUSEPORT;
    }

    @Override
    int fd(Channel channel) {
      return channel instanceof UnixChannel && channel.isOpen()
          ? ((UnixChannel) channel).fd().intValue()
          : -1;
    }
  },

  NIO {
    @Override
    IoHandlerFactory ioHandlerFactory() {
      return NioIoHandler.newFactory();
    }

    @Override
    ServerChannel newServerChannel(AddressFamily family) {
      return new NioServerSocketChannel(SelectorProvider.provider(), protocolFamily(family));
    }

    @Override
    ChannelOption<Boolean> reusePortOption() {
      return NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
    }

    @Override
    int fd(Channel channel) {
      return -1; // NIO exposes no file descriptor.
    }
  };

  /** Forces a transport: {@code epoll} or {@code nio}. */
  static final String PROPERTY = "socketserver4j.netty.transport";

  abstract IoHandlerFactory ioHandlerFactory();

  abstract ServerChannel newServerChannel(AddressFamily family);

  abstract ChannelOption<Boolean> reusePortOption();

  /** The channel's file descriptor, or -1 when closed or not exposed. */
  abstract int fd(Channel channel);

  /** The transport to use: the one {@value #PROPERTY} names, else epoll if available, else NIO. */
  static Transport select() {
    String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
    switch (forced) {
      case "":
        return Epoll.isAvailable() ? EPOLL : NIO;
      case "nio":
        return NIO;
      case "epoll":
        if (!Epoll.isAvailable()) {
          throw new IllegalStateException(
              PROPERTY + "=epoll, but epoll is not available here: "
                  + Epoll.unavailabilityCause());
        }
        return EPOLL;
      default:
        throw new IllegalStateException(
            PROPERTY + "=" + forced + " names no transport; use epoll or nio");
    }
  }

  static SocketProtocolFamily protocolFamily(AddressFamily family) {
    switch (family) {
      case AF_INET:
        return SocketProtocolFamily.INET;
      case AF_INET6:
        return SocketProtocolFamily.INET6;
      default:
        throw new UnsupportedOperationException(
            "socketserver4j-netty cannot serve address family " + family + " yet");
    }
  }
}
