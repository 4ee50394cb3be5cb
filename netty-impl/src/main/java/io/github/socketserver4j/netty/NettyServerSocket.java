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
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening stream socket (TCP or Unix) with CPython's accept-on-demand: one connection is
 * accepted per {@code get_request()}; the others wait in the kernel's listen backlog, as with
 * CPython's {@code listen(request_queue_size)}. A connection that must first finish a TLS
 * handshake or send a PROXY header does not hold the accept path: while it does, the next
 * connections are accepted too, up to {@link NettyOptions.Builder#maxPendingHandshakes} pending
 * ones ({@link PendingHandshakes}), and {@code get_request()} gets the first that is ready.
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

  /** Ready and dropped connections are counted out through their slot, kept on the channel. */
  private static final AttributeKey<PendingHandshakes.Slot> SLOT =
      AttributeKey.valueOf(NettyServerSocket.class, "slot");

  private final PendingHandshakes accepts;

  NettyServerSocket(SocketSpec spec, Transport transport, NettyOptions config) {
    super(spec, transport, config);
    this.accepts = new PendingHandshakes(config.maxPendingHandshakes, this::readChannel);
  }

  @Override
  void requestItem() {
    accepts.wanted();
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
  private final class Park extends ChannelInitializer<Channel> {
    @Override
    protected void initChannel(Channel child) {
      PendingHandshakes.Slot slot = child.attr(SLOT).getAndSet(null);
      LoopGroup group = loops;
      if (!group.retain()) {
        child.close(); // the slot is dropped by the close
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
          slot.dropped(); // ask for the next connection
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
                new Gate(
                    connection, tls, proxy, config.handshakeTimeout, child.parent(), outcome(slot)));
        child.pipeline().addLast("socketserver4j-bridge", connection.handler());
        slot.handshaking(); // accept the next connection meanwhile, if getRequest() waits
      } else {
        child.pipeline().addLast("socketserver4j-bridge", connection.handler());
        slot.ready();
        arrived(new Accepted(connection, connection.remoteAddress()));
      }
    }

    private Gate.Outcome outcome(PendingHandshakes.Slot slot) {
      return new Gate.Outcome() {
        @Override
        public void ready(ChannelStream connection, SocketAddress clientAddress) {
          slot.ready();
          arrived(new Accepted(connection, clientAddress));
        }

        @Override
        public void failed(ChannelStream connection) {
          slot.dropped();
        }
      };
    }
  }

  /**
   * Sees what each accept brings on the server channel, in front of Netty's acceptor: a
   * connection, counted as pending until it is ready or dropped, or a failure, which Netty's
   * acceptor would only log.
   */
  private final class AcceptErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel) {
        Channel child = (Channel) msg;
        PendingHandshakes.Slot slot = accepts.accepted();
        child.attr(SLOT).set(slot);
        child.closeFuture().addListener(f -> slot.dropped()); // no-op once it was ready
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      accepts.acceptFailed();
      readFailed(cause);
    }
  }
}
