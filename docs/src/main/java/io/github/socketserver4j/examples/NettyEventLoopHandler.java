package io.github.socketserver4j.examples;

import io.github.socketserver4j.Request;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.netty.EventLoopRequestHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A line-based counter served by Netty handlers on the event loop, under a socketserver server:
 * {@code verifyRequest} still filters clients, errors still reach {@code handleError}, and {@code
 * serverClose()} still waits for open connections. A client that closes its side ends its request
 * (half-closure is off, as in a plain Netty server); {@link TotalLines} opts in to half-closure to
 * reply after the client has finished sending.
 */
public final class NettyEventLoopHandler {
  private NettyEventLoopHandler() {}

  // tag::handler[]
  /** Replies to each line with its number on this connection; "quit" ends it. */
  static class Counter extends SimpleChannelInboundHandler<String> {
    private int lines;

    @Override protected void channelRead0(ChannelHandlerContext ctx, String line) {
      if (line.equals("quit")) {
        ctx.writeAndFlush("bye\n").addListener(f -> ctx.close()); // ends the request
      } else {
        ctx.writeAndFlush(++lines + ": " + line + "\n");
      }
    }
  }

  static class CountLines extends EventLoopRequestHandler {
    @Override protected void initChannel(Channel channel) { // on the event loop
      channel.pipeline()
          .addLast(new LineBasedFrameDecoder(8192))
          .addLast(new StringDecoder(StandardCharsets.UTF_8))
          .addLast(new StringEncoder(StandardCharsets.UTF_8))
          .addLast(new Counter());
    }
  }
  // end::handler[]

  // tag::halfclose[]
  /** Counts the client's lines; when the client half-closes, replies with the count and closes. */
  static class LineTotal extends ChannelInboundHandlerAdapter {
    private int lines;

    @Override public void channelRead(ChannelHandlerContext ctx, Object line) {
      lines++;
      ReferenceCountUtil.release(line);
    }

    @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) { // the client is done sending
        ctx.writeAndFlush(lines + " lines\n").addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }
  }

  static class TotalLines extends EventLoopRequestHandler {
    @Override protected void initChannel(Channel channel) {
      channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // opt in
      channel.pipeline()
          .addLast(new LineBasedFrameDecoder(8192))
          .addLast(new StringEncoder(StandardCharsets.UTF_8))
          .addLast(new LineTotal());
    }
  }
  // end::halfclose[]

  // tag::server[]
  /** Serves loopback clients only; counts the connections verifyRequest let in. */
  public static class CountingServer extends ThreadingTCPServer {
    final AtomicInteger accepted = new AtomicInteger();

    public CountingServer(SocketAddress address) throws IOException {
      super(address, CountLines::new);
    }

    @Override public boolean verifyRequest(Request request, SocketAddress clientAddress) {
      boolean local = ((InetSocketAddress) clientAddress).getAddress().isLoopbackAddress();
      if (local) {
        accepted.incrementAndGet();
      }
      return local;
    }
  }
  // end::server[]

  /**
   * Returns how many connections the server let in.
   *
   * @param server the server
   * @return the count
   */
  public static int accepted(CountingServer server) {
    return server.accepted.get();
  }
}
