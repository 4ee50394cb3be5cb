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
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening stream socket (TCP or Unix) with CPython's accept-on-demand: one connection is
 * accepted per {@code get_request()}; the others wait in the kernel's listen backlog, as with
 * CPython's {@code listen(request_queue_size)}.
 */
final class NettyServerSocket extends OnDemandSocket<NettyServerSocket.Accepted> {
  private static final Logger LOG = LoggerFactory.getLogger(NettyServerSocket.class);

  /** A connection ready for {@code getRequest()}, with the client address the server reports. */
  static final class Accepted {
    final ChannelStream connection;
    final SocketAddress clientAddress;

    Accepted(ChannelStream connection, SocketAddress clientAddress) {
      this.connection = connection;
      this.clientAddress = clientAddress;
    }
  }

  NettyServerSocket(SocketSpec spec, Transport transport, NettyOptions config) {
    super(spec, transport, config);
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
    config.childOptions.forEach((option, value) -> childOption(b, option, value));
    return b;
  }

  @SuppressWarnings("unchecked")
  private static <V> void childOption(ServerBootstrap b, ChannelOption<V> option, Object value) {
    b.childOption(option, (V) value);
  }

  @Override
  public ClientRequest accept() throws IOException {
    Accepted accepted = take();
    return new ClientRequest(accepted.connection, accepted.clientAddress);
  }

  /** The drain's first step: the listener closes, and the connections parked here are reset. */
  @Override
  public void stopAccepting() {
    close();
  }

  @Override
  void discard(Accepted accepted) {
    accepted.connection.abort();
  }

  /**
   * Parks each accepted child, with the user's handlers and the bridge installed, until {@code
   * accept()} takes it; with TLS or a PROXY decoder, once the {@link Gate} lets it through.
   */
  private final class Park extends ChannelInitializer<Channel> implements Gate.Outcome {
    @Override
    protected void initChannel(Channel child) {
      LoopGroup group = loops;
      if (!group.retain()) {
        child.close();
        return;
      }
      child.closeFuture().addListener(f -> group.release());
      ChannelStream connection = new ChannelStream(child, transport, config.maxLineLength);
      if (config.pipeline != null || spec.tls() != null || config.front.any()) {
        try {
          config.front.install(child); // NettyOptions' TLS and PROXY: before the user's handlers
          if (config.pipeline != null) {
            config.pipeline.initChannel(child);
          }
          if (spec.tls() != null) {
            ServerTlsHandlers.install(child, spec.tls()); // HTTPSServer: after the user's handlers
          }
        } catch (Throwable t) {
          LOG.warn("The pipeline initializer failed; closing the connection from {}",
              connection.remoteAddress(), t);
          connection.abort();
          readEnded(); // ask for the next connection
          return;
        }
      }
      boolean tls = config.front.waitsForTls() || Handlers.hasTls(child.pipeline());
      boolean proxy = config.front.waitsForProxy() || Handlers.hasProxyDecoder(child.pipeline());
      if (tls || proxy) {
        child
            .pipeline()
            .addLast(
                "socketserver4j-gate",
                new Gate(connection, tls, proxy, config.handshakeTimeout, child.parent(), this));
        child.pipeline().addLast("socketserver4j-bridge", connection.handler());
      } else {
        child.pipeline().addLast("socketserver4j-bridge", connection.handler());
        arrived(new Accepted(connection, connection.remoteAddress()));
      }
    }

    @Override
    public void ready(ChannelStream connection, SocketAddress clientAddress) {
      arrived(new Accepted(connection, clientAddress));
    }

    @Override
    public void failed(ChannelStream connection) {
      readEnded();
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
