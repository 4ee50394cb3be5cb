package io.github.socketserver4j.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Unix datagram client (the JDK has none), on Netty's epoll transport: bound to its own path, as
 * CPython's {@code dgram_examine} binds, or unbound.
 */
public final class UnixDatagramClient implements AutoCloseable {
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
  private final Channel channel;

  /** Binds to {@code path}, or stays unbound when it is null. */
  public UnixDatagramClient(UnixDomainSocketAddress path) throws InterruptedException {
    this(path == null ? (String) null : path.getPath().toString());
  }

  /**
   * A client bound to {@code path} as Netty encodes it: UTF-8, whatever the JVM's file-name
   * encoding, so it can hold names this JVM could not make a {@code Path} of.
   */
  public static UnixDatagramClient boundToRawPath(String path) throws InterruptedException {
    return new UnixDatagramClient(java.util.Objects.requireNonNull(path, "path"));
  }

  @SuppressWarnings("deprecation") // DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION: unbound send
  private UnixDatagramClient(String path) throws InterruptedException {
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(EpollDomainDatagramChannel.class)
            .handler(
                new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                    received.add(ByteBufUtil.getBytes(p.content()));
                  }
                });
    if (path == null) {
      b.option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true);
      channel = b.register().sync().channel();
    } else {
      channel = b.bind(new DomainSocketAddress(path)).sync().channel();
    }
  }

  public void send(byte[] data, UnixDomainSocketAddress to) throws InterruptedException {
    channel
        .writeAndFlush(
            new DomainDatagramPacket(
                Unpooled.wrappedBuffer(data), new DomainSocketAddress(to.getPath().toString())))
        .sync();
  }

  /** The next datagram received, or null after {@link TestRules#waitBound()}. */
  public byte[] receive() throws InterruptedException {
    return received.poll(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channel.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }
}
