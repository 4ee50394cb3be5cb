package io.github.socketserver4j.netty;

import io.github.socketserver4j.AddressFamily;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.UnixChannel;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
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
      return family == AddressFamily.AF_UNIX
          ? new EpollServerDomainSocketChannel()
          : new EpollServerSocketChannel(protocolFamily(family));
    }

    @Override
    Channel newDatagramChannel(AddressFamily family) {
      return family == AddressFamily.AF_UNIX
          ? new EpollDomainDatagramChannel()
          : new EpollDatagramChannel(protocolFamily(family));
    }

    @Override
    ChannelOption<Boolean> reusePortOption() {
      return EpollChannelOption.SO_REUSEPORT;
    }

    @Override
    ChannelOption<Integer> v6OnlyOption() {
      return V6ONLY;
    }

    @Override
    int fd(Channel channel) {
      return channel instanceof UnixChannel && channel.isOpen()
          ? ((UnixChannel) channel).fd().intValue()
          : -1;
    }

    @Override
    int maxUnixPathBytes() {
      return 107; // sizeof(sun_path) - 1, CPython's limit; Netty's native bind would take 108
    }

    @Override
    SocketAddress toNetty(SocketAddress address) {
      return address instanceof UnixDomainSocketAddress
          ? new DomainSocketAddress(((UnixDomainSocketAddress) address).getPath().toString())
          : address;
    }
  },

  NIO {
    @Override
    IoHandlerFactory ioHandlerFactory() {
      return NioIoHandler.newFactory();
    }

    @Override
    ServerChannel newServerChannel(AddressFamily family) {
      return family == AddressFamily.AF_UNIX
          ? new NioServerDomainSocketChannel()
          : new NioServerSocketChannel(SelectorProvider.provider(), protocolFamily(family));
    }

    @Override
    Channel newDatagramChannel(AddressFamily family) {
      if (family == AddressFamily.AF_UNIX) {
        throw new UnsupportedOperationException(
            "Unix datagram sockets need Linux with Netty's epoll transport"
                + " (netty-transport-native-epoll); the NIO transport (and the JDK) has none");
      }
      return new NioDatagramChannel(protocolFamily(family));
    }

    @Override
    ChannelOption<Boolean> reusePortOption() {
      return NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
    }

    @Override
    ChannelOption<Integer> v6OnlyOption() {
      return null; // the JDK offers no IPV6_V6ONLY; its sockets are dual-stack
    }

    @Override
    int fd(Channel channel) {
      return -1; // NIO exposes no file descriptor.
    }

    @Override
    int maxUnixPathBytes() {
      return 106; // the JDK's UnixDomainSocketAddress binds: "Unix domain path too long" at 107
    }

    @Override
    SocketAddress toNetty(SocketAddress address) {
      return address;
    }
  };

  /** Forces a transport: {@code epoll} or {@code nio}. */
  static final String TRANSPORT_PROPERTY = "socketserver4j.netty.transport";

  /** {@code setsockopt(IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26)} on Linux. */
  private static final ChannelOption<Integer> V6ONLY =
      new IntegerUnixChannelOption("IPV6_V6ONLY", 41, 26);

  abstract IoHandlerFactory ioHandlerFactory();

  abstract ServerChannel newServerChannel(AddressFamily family);

  abstract Channel newDatagramChannel(AddressFamily family);

  abstract ChannelOption<Boolean> reusePortOption();

  /** The IPV6_V6ONLY option, or null where the transport cannot set it. */
  abstract ChannelOption<Integer> v6OnlyOption();

  /** The channel's file descriptor, or -1 when closed or not exposed. */
  abstract int fd(Channel channel);

  /** The longest Unix socket path, in bytes, this transport's sockets can bind. */
  abstract int maxUnixPathBytes();

  /** The address type this transport's channels take. */
  abstract SocketAddress toNetty(SocketAddress address);

  /** The JDK address for one a channel reports: a native Unix address becomes the JDK's. */
  static SocketAddress fromNetty(SocketAddress address) {
    return address instanceof DomainSocketAddress
        ? UnixDomainSocketAddress.of(((DomainSocketAddress) address).path())
        : address;
  }

  /**
   * The transport {@code name} forces ({@code epoll} or {@code nio}), or the default when it is
   * empty; {@code source} says where the name came from, for error messages.
   */
  static Transport select(String name, String source) {
    String forced = name.trim().toLowerCase(Locale.ROOT);
    switch (forced) {
      case "":
        return Epoll.isAvailable() ? EPOLL : NIO;
      case "nio":
        return NIO;
      case "epoll":
        if (!Epoll.isAvailable()) {
          throw new IllegalStateException(
              source + "epoll, but epoll is not available here: "
                  + Epoll.unavailabilityCause());
        }
        return EPOLL;
      default:
        throw new IllegalStateException(
            source + forced + " names no transport; use epoll or nio");
    }
  }

  /** The transport whose channels {@code group} can run, or null if it is neither epoll nor NIO. */
  static Transport ofGroup(EventLoopGroup group) {
    if (group instanceof IoEventLoopGroup) {
      IoEventLoopGroup io = (IoEventLoopGroup) group;
      if (io.isCompatible(NioIoHandle.class)) {
        return NIO;
      }
      if (Epoll.isAvailable() && io.isCompatible(EpollIoHandle.class)) {
        return EPOLL;
      }
    }
    return null;
  }

  /**
   * The transport of a channel someone else created, for what {@link ChannelStream} asks of it:
   * native channels expose their descriptor, NIO channels do not.
   */
  static Transport ofChannel(Channel channel) {
    return channel instanceof UnixChannel ? EPOLL : NIO;
  }

  /** The name users see and pass: {@code epoll} or {@code nio}. */
  String displayName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static SocketProtocolFamily protocolFamily(AddressFamily family) {
    switch (family) {
      case AF_INET:
        return SocketProtocolFamily.INET;
      case AF_INET6:
        return SocketProtocolFamily.INET6;
      default:
        return SocketProtocolFamily.UNIX;
    }
  }
}
