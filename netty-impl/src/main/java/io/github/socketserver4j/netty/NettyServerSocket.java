package io.github.socketserver4j.netty;

import io.github.socketserver4j.AddressFamily;
import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.spi.SocketSpec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.io.IOException;

/**
 * A listening stream socket (TCP or Unix) with CPython's accept-on-demand: one connection is
 * accepted per {@code get_request()}; the others wait in the kernel's listen backlog, as with
 * CPython's {@code listen(request_queue_size)}.
 */
final class NettyServerSocket extends OnDemandSocket<ChannelStream> {

  NettyServerSocket(SocketSpec spec, Transport transport) {
    super(spec, transport);
  }

  @Override
  AbstractBootstrap<?, ?> bootstrap(LoopGroup loops, int backlog) {
    AddressFamily family = spec.family();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(loops.group())
            .channelFactory(() -> transport.newServerChannel(family))
            .option(ChannelOption.AUTO_READ, false)
            // CPython's listen() turns a negative backlog into 0; Netty would refuse it.
            .option(ChannelOption.SO_BACKLOG, Math.max(0, backlog))
            .handler(new AcceptErrors())
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(new Park());
    if (family != AddressFamily.AF_UNIX) {
      b.childOption(ChannelOption.TCP_NODELAY, false); // Python keeps Nagle on by default
      b.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    } else if (transport == Transport.EPOLL) {
      b.childOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // NIO domain channels ignore it
    }
    return b;
  }

  @Override
  public ClientRequest accept() throws IOException {
    ChannelStream connection = take();
    return new ClientRequest(connection, connection.remoteAddress());
  }

  @Override
  void discard(ChannelStream connection) {
    connection.abort();
  }

  /** Parks each accepted child, with its bridge installed, until {@code accept()} takes it. */
  private final class Park extends ChannelInitializer<Channel> {
    @Override
    protected void initChannel(Channel child) {
      LoopGroup group = loops;
      if (!group.retain()) {
        child.close();
        return;
      }
      child.closeFuture().addListener(f -> group.release());
      ChannelStream connection = new ChannelStream(child, transport);
      child.pipeline().addLast(connection);
      arrived(connection);
    }
  }

  /** Sees accept failures on the server channel; Netty's acceptor would only log them. */
  private final class AcceptErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      readFailed(cause);
    }
  }
}
