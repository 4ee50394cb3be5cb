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
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening stream socket (TCP or Unix) with CPython's accept-on-demand: one connection is
 * accepted per {@code get_request()}; the others wait in the kernel's listen backlog, as with
 * CPython's {@code listen(request_queue_size)}. A connection that must first finish a TLS
 * handshake or send a PROXY header does not hold the accept path: while it does, the next
 * connections are accepted too, up to {@link NettyOptions.Builder#maxPendingHandshakes} pending
 * ones ({@link PendingHandshakes}), and {@code get_request()} gets the first that is ready.
 *
 * <p>On epoll, without handlers of the user's, TLS or PROXY, and unless turned off, a {@link
 * DirectAccept} lets the serving thread accept while connections wait in the backlog; the new
 * channel is registered with an event loop without waiting for it (its first read or write is
 * queued behind the registration on that loop). The event loop accepts (through Netty's {@code
 * read()}) only when the backlog is empty, and for TLS, PROXY and users' pipelines.
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

  /** Whether to open a {@link DirectAccept} when the listening channel is registered. */
  private final boolean directWanted;

  /** Whether connections the serving thread accepts are written on the handler's thread. */
  private final boolean directWrite;

  /** The accept below Netty, or null when there is none (or not yet). Set on the event loop. */
  private volatile DirectAccept direct;

  /** Connections the serving thread accepted (written by it alone, under the queue's lock). */
  private volatile long directAccepts;

  NettyServerSocket(SocketSpec spec, Transport transport, NettyOptions config) {
    super(spec, transport, config);
    this.accepts = new PendingHandshakes(config.maxPendingHandshakes, this::readChannel);
    boolean enabled = config.directAccept(); // read (and checked) on every transport
    directWanted =
        enabled
            && transport == Transport.EPOLL
            && config.pipeline == null
            && spec.tls() == null
            && !config.front.any(); // TLS and PROXY settings need the event loop's Park
    directWrite = config.directWrite(); // read (and checked) on every transport
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
            .handler(new Listener())
            .childHandler(new Park());
    childOptions().forEach((option, value) -> childOption(b, option, value));
    return b;
  }

  /** The options of an accepted connection, in the order they are set, the user's last. */
  private Map<ChannelOption<?>, Object> childOptions() {
    Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();
    options.put(ChannelOption.AUTO_READ, false);
    if (spec.family() != AddressFamily.AF_UNIX) {
      options.put(ChannelOption.TCP_NODELAY, false); // Python keeps Nagle on by default
      options.put(ChannelOption.ALLOW_HALF_CLOSURE, true);
    } else if (transport == Transport.EPOLL) {
      options.put(ChannelOption.ALLOW_HALF_CLOSURE, true); // NIO domain channels ignore it
    }
    options.putAll(config.childOptions);
    return options;
  }

  @SuppressWarnings("unchecked")
  private static <V> void childOption(ServerBootstrap b, ChannelOption<V> option, Object value) {
    b.childOption(option, (V) value);
  }

  @SuppressWarnings("unchecked")
  private static <V> void childOption(Channel child, ChannelOption<V> option, Object value) {
    if (!child.config().setOption(option, (V) value)) {
      LOG.warn("Unknown channel option '{}' for channel '{}'", option, child); // as Netty's
    }
  }

  /** How many connections the serving thread accepted: for tests. */
  long directAccepts() {
    return directAccepts;
  }

  /** Whether connections are accepted on the serving thread now: for tests. */
  boolean usesDirectAccept() {
    DirectAccept path = direct;
    return path != null && !path.isClosed();
  }

  /**
   * Accepts one waiting connection on the serving thread and registers it with an event loop,
   * without waiting for the registration; null if none is waiting (the event loop accepts the
   * next). An accept failure (EMFILE) starts the usual backoff.
   */
  @Override
  Accepted readNow() {
    DirectAccept path = direct;
    if (path == null) {
      return null;
    }
    DirectAccept.Taken taken;
    try {
      taken = path.accept();
    } catch (IOException e) {
      readFailed(e); // the connection stays in the backlog; ask again after the backoff
      return null;
    }
    return taken == null ? null : adopt(taken);
  }

  /** Configures, parks-to-be and registers a connection the serving thread accepted. */
  private Accepted adopt(DirectAccept.Taken taken) {
    Channel child = taken.channel;
    LoopGroup group = loops;
    try {
      childOptions().forEach((option, value) -> childOption(child, option, value));
    } catch (RuntimeException e) {
      LOG.warn("Cannot configure the connection from {}; closing it", child.remoteAddress(), e);
      child.unsafe().closeForcibly();
      return null;
    }
    if (!group.retain()) {
      child.unsafe().closeForcibly();
      return null;
    }
    child.closeFuture().addListener(f -> group.release()); // completed by any close once
    // registered, and by a failed registration's forced close
    // Before the registration, which opens it; never on a connection reset before the accept.
    DirectWriter writer = directWrite && !taken.reset ? DirectWriter.expect(child) : null;
    ChannelStream connection =
        new ChannelStream(
            child,
            transport,
            config.maxLineLength,
            taken.reset ? taken.peer : child.remoteAddress(),
            taken.reset ? channel.localAddress() : child.localAddress(),
            writer);
    if (taken.reset) {
      // As the socket's first recv would have failed, had Netty not read SO_ERROR first.
      connection.failedBeforeServed(
          new Errors.NativeIoException("accept", Errors.ERRNO_ECONNRESET_NEGATIVE));
    }
    child.pipeline().addLast("socketserver4j-bridge", connection.handler());
    directAccepts++; // one writer: the serving thread, under the queue's lock
    LOG.debug("accepted {} on the serving thread (direct accept, {})",
        connection.remoteAddress(), connection.writePath());
    // Sets the channel's event loop now; the registration runs there before any later task of
    // the channel (the handler's first read or write), so nobody waits for it here.
    group
        .group()
        .register(child)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                LOG.warn("Cannot register the connection from {}; closing it",
                    connection.remoteAddress(), f.cause());
                connection.abort();
              }
            });
    return new Accepted(connection, connection.remoteAddress());
  }

  @Override
  void closing() {
    DirectAccept path = direct;
    if (path != null) {
      path.close(); // waits for an accept in flight; the listener closes with Netty's descriptor
    }
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
        LOG.debug("accepted {} on the event loop ({})",
            connection.remoteAddress(), connection.writePath());
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

  /** Sets up the listening channel once registered: its error handler, and the direct accept. */
  private final class Listener extends ChannelInitializer<Channel> {
    @Override
    protected void initChannel(Channel listener) {
      listener.pipeline().addLast(new AcceptErrors());
      if (directWanted) {
        direct = DirectAccept.open(listener, spec.family() == AddressFamily.AF_UNIX);
      }
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
