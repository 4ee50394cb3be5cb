package io.github.socketserver4j.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * The event-loop side of the blocking-stream bridge: the channel handler, last in the pipeline,
 * that hands what Netty reports about one connection to the {@link ChannelStream} a request
 * handler reads and writes on another thread. It holds no state; every event is one call on the
 * connection's {@link ConnectionInput} (or, for writability, on the connection), which decides
 * under the connection's lock.
 *
 * <p>Auto-read is off: the input asks for each read ({@link ConnectionInput#readComplete} says
 * whether to read on).
 */
final class StreamBridge extends ChannelInboundHandlerAdapter {
  private final ChannelStream stream;
  private final ConnectionInput input;

  StreamBridge(ChannelStream stream, ConnectionInput input) {
    this.stream = stream;
    this.input = input;
  }

  /**
   * Keeps the bytes; anything else (a decoder's message) is released and fails the reads. Only
   * the transport's own classes appear here: netty-handler and the codecs are optional.
   */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf) {
      input.received((ByteBuf) msg);
    } else {
      ReferenceCountUtil.release(msg);
      input.failed(
          new IOException(
              "a pipeline handler passed a "
                  + msg.getClass().getName()
                  + " on; the blocking bridge reads ByteBufs only"));
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (input.readComplete()) {
      ctx.read();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      input.end(); // the peer's FIN, with half-closure on
    }
    if (Handlers.isHandshakeEnd(evt) && Handlers.handshakeFailure(evt) == null) {
      stream.context().handshakeDone(ctx.pipeline()); // the session, for NettyRequests
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    input.end();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A read failed: the handler sees it on its next read (and, for the socket's own failures,
    // on its next write).
    input.failed(cause);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    stream.writabilityChanged();
    ctx.fireChannelWritabilityChanged();
  }
}
