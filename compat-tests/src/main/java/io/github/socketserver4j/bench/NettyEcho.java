package io.github.socketserver4j.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ceiling: a raw Netty 4.2 echo server on epoll, as the Netty examples write it. No framing
 * (bytes are echoed as they arrive), no blocking bridge, no request threads; Netty's default
 * options (so {@code TCP_NODELAY} is on, where socketserver4j keeps Python's Nagle default), and as
 * many event loops as cores. Kinds: {@code tcp}, {@code udp}, {@code unix}, {@code unix-datagram}.
 */
final class NettyEcho {
  private NettyEcho() {}

  static void serve(String kind, String where) throws Exception {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("raw Netty ceiling needs epoll", Epoll.unavailabilityCause());
    }
    int threads = Runtime.getRuntime().availableProcessors();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
    try {
      Channel server;
      switch (kind) {
        case "tcp":
        case "unix":
          server = stream(group, kind, where);
          break;
        case "udp":
          server =
              new Bootstrap()
                  .group(group)
                  .channel(EpollDatagramChannel.class)
                  .option(ChannelOption.SO_REUSEADDR, true)
                  .handler(new DatagramEcho())
                  .bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(where)))
                  .sync()
                  .channel();
          break;
        case "unix-datagram":
          Files.deleteIfExists(Path.of(where));
          server =
              new Bootstrap()
                  .group(group)
                  .channel(EpollDomainDatagramChannel.class)
                  .handler(new DomainDatagramEcho())
                  .bind(new DomainSocketAddress(where))
                  .sync()
                  .channel();
          break;
        default:
          throw new IllegalArgumentException("netty has no kind " + kind);
      }
      EchoServers.ready();
      server.closeFuture().sync();
    } finally {
      group.shutdownGracefully();
    }
  }

  private static Channel stream(EventLoopGroup group, String kind, String where) throws Exception {
    SocketAddress address;
    ServerBootstrap b = new ServerBootstrap().group(group).childHandler(new StreamEcho());
    b.option(ChannelOption.SO_BACKLOG, 1024);
    if (kind.equals("unix")) {
      Files.deleteIfExists(Path.of(where));
      b.channel(EpollServerDomainSocketChannel.class);
      address = new DomainSocketAddress(where);
    } else {
      b.channel(EpollServerSocketChannel.class).option(ChannelOption.SO_REUSEADDR, true);
      address = new InetSocketAddress("127.0.0.1", Integer.parseInt(where));
    }
    return b.bind(address).sync().channel();
  }

  /** Netty's EchoServerHandler: write what was read, flush once per read burst. */
  @Sharable
  static final class StreamEcho extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Sends each datagram back to its sender. */
  @Sharable
  static final class DatagramEcho extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket packet = (DatagramPacket) msg;
      ctx.write(new DatagramPacket(packet.content(), packet.sender()));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A datagram server keeps serving after an error (for example ICMP unreachable).
    }
  }

  /** Sends each Unix datagram back to its sender. */
  @Sharable
  static final class DomainDatagramEcho extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DomainDatagramPacket packet = (DomainDatagramPacket) msg;
      ctx.write(new DomainDatagramPacket(packet.content(), packet.sender()));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {}
  }
}
