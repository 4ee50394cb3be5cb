package io.github.socketserver4j.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.EOFException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds an accepted connection back from {@code getRequest()} until the handlers in front of the
 * bridge have done their part: the PROXY header is decoded (its source becomes the client
 * address) and the TLS handshake has completed. CPython's TLS server socket does its handshake
 * inside {@code accept()}, and an {@code OSError} there ends that request silently; here a
 * connection that fails, ends, or takes longer than the timeout is closed and logged at DEBUG
 * with its address. The connections waiting here are bounded by {@link PendingHandshakes}.
 *
 * <p>Sits just in front of the {@link ChannelStream} and removes itself once the connection is
 * ready; every method runs on the connection's event loop.
 */
final class Gate extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(Gate.class);

  /** Told when the connection is ready or has failed. */
  interface Outcome {
    void ready(ChannelStream connection, SocketAddress clientAddress);

    void failed(ChannelStream connection);
  }

  private final ChannelStream connection;
  private final Outcome outcome;
  private final long timeoutNanos;
  private boolean waitingForTls;
  private boolean waitingForProxy;
  private boolean done;
  private SocketAddress clientAddress;
  private ScheduledFuture<?> timer;
  private final Channel server;
  private final ChannelFutureListener serverClosed = f -> serverClosed();

  Gate(
      ChannelStream connection,
      boolean tls,
      boolean proxy,
      Duration timeout,
      Channel server,
      Outcome outcome) {
    this.connection = connection;
    this.server = server;
    this.waitingForTls = tls;
    this.waitingForProxy = proxy;
    this.timeoutNanos = OnDemandSocket.nanos(timeout);
    this.outcome = outcome;
    this.clientAddress = connection.remoteAddress();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timer =
        ctx.executor()
            .schedule(
                () ->
                    fail(new SocketTimeoutException(
                            "no PROXY header or TLS handshake within "
                                + Duration.ofNanos(timeoutNanos))),
                timeoutNanos,
                TimeUnit.NANOSECONDS);
    if (server != null) {
      server.closeFuture().addListener(serverClosed); // closing the server drops this connection
    }
    if (ctx.channel().isActive()) {
      ctx.read();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // Auto-read is off: ask for the header or the ClientHello (the decoders ask for more).
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (done) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (waitingForProxy && Handlers.isProxyHeader(msg)) {
      try {
        clientAddress = Handlers.proxiedSource(msg, connection.remoteAddress());
      } catch (RuntimeException e) {
        ReferenceCountUtil.release(msg);
        fail(e);
        return;
      }
      connection.context().keepProxyHeader(msg); // the request owns it now: NettyRequests
      waitingForProxy = false;
      connection.behindProxy();
      readyIfDone(ctx);
    } else if (msg instanceof ByteBuf) {
      ctx.fireChannelRead(msg); // bytes after the header: the bridge keeps them for the handler
    } else {
      ReferenceCountUtil.release(msg);
      fail(new DecoderException(
              "a pipeline handler passed a " + msg.getClass().getName()
                  + " on; the blocking bridge reads ByteBufs only"));
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!done && evt instanceof ChannelInputShutdownEvent) {
      // Half-closure is allowed, so a client that connects and closes (a port scanner, nc -z)
      // sends a FIN the channel survives: without this it would wait for the timeout.
      fail(new EOFException("end of stream before the PROXY header or TLS handshake"));
      return;
    }
    if (!done && waitingForTls && Handlers.isHandshakeEnd(evt)) {
      Throwable failure = Handlers.handshakeFailure(evt);
      if (failure != null) {
        fail(failure);
        return;
      }
      waitingForTls = false;
      ctx.fireUserEventTriggered(evt);
      readyIfDone(ctx);
      return;
    }
    if (evt == FrontHandlers.NO_PROXY_HEADER) { // an optional header that did not come
      waitingForProxy = false;
      if (!done) {
        readyIfDone(ctx);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!done) {
      // Still waiting: ask for more. Not every handler in front does (an SniHandler whose
      // ClientHello has not come yet, after a PROXY decoder that consumed the header, does not).
      ctx.read();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (done) {
      ctx.fireExceptionCaught(cause);
    } else {
      fail(cause);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!done) {
      fail(new ClosedChannelException());
    }
    ctx.fireChannelInactive();
  }

  /** Any thread: the server's socket closed while this connection was not ready: drop it. */
  private void serverClosed() {
    connection.channel().eventLoop().execute(() -> fail(new ClosedChannelException()));
  }

  private void readyIfDone(ChannelHandlerContext ctx) {
    if (waitingForTls || waitingForProxy) {
      return;
    }
    done = true;
    stopWatching();
    ctx.pipeline().remove(this);
    outcome.ready(connection, clientAddress);
  }

  private void fail(Throwable cause) {
    if (done) {
      return;
    }
    done = true;
    stopWatching();
    LOG.debug(
        "Dropping the connection from {} before getRequest(): {}",
        connection.remoteAddress(),
        cause.toString());
    connection.abort();
    outcome.failed(connection);
  }

  private void stopWatching() {
    if (timer != null) {
      timer.cancel(false);
    }
    if (server != null) {
      server.closeFuture().removeListener(serverClosed);
    }
  }
}
