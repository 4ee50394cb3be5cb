package io.github.socketserver4j.examples;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.spi.SocketProvider;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.logging.LoggingHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Netty handlers and options around a blocking handler: a connection idle for too long is closed
 * by Netty's {@code IdleStateHandler} (the handler's blocked read then sees end of stream),
 * traffic is logged by {@code LoggingHandler}, accepted sockets get TCP keep-alive, and the
 * transport is forced to NIO.
 */
public final class NettyPipelineOptions {
  private NettyPipelineOptions() {}

  /** Echoes lines; says goodbye when the connection ends, whoever ended it. */
  static class Echo extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
    }
  }

  // tag::idle[]
  /** Closes the connection when IdleStateHandler reports it idle. */
  static class CloseWhenIdle extends ChannelInboundHandlerAdapter {
    @Override public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close(); // the handler's blocked readLine() returns end of stream
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }
  }
  // end::idle[]

  /**
   * Creates a server that closes connections idle for longer than {@code idle}.
   *
   * @param address where to listen
   * @param idle how long a connection may send nothing
   * @return the server, bound and listening
   * @throws IOException if it cannot bind
   */
  public static TCPServer create(SocketAddress address, Duration idle) throws IOException {
    // tag::options[]
    NettyOptions netty =
        NettyOptions.builder()
            .transport("nio") // or "epoll"; default: epoll where available
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .pipeline(ch -> ch.pipeline()
                .addLast(new LoggingHandler(LogLevel.DEBUG))
                .addLast(new IdleStateHandler(0, 0, idle.toMillis(), TimeUnit.MILLISECONDS))
                .addLast(new CloseWhenIdle()))
            .build();
    // end::options[]
    return new TCPServer(address, Echo::new) {
      @Override
      protected SocketProvider socketProvider() {
        return netty;
      }
    };
  }

  /** Connections the pipeline's ReadTimeoutHandler closed, for monitoring. */
  static final AtomicInteger TIMED_OUT = new AtomicInteger();

  // tag::timeout[]
  /** Echoes lines; a client silent for too long is timed out by the pipeline. */
  static class Patient extends StreamRequestHandler {
    @Override public void handle() throws IOException {
      try {
        for (byte[] line; (line = rfile().readLine()).length > 0; ) {
          wfile().write(line);
        }
      } catch (SocketTimeoutException e) { // as from the handler's own timeout()
        TIMED_OUT.incrementAndGet(); // the pipeline closed the connection: count it, no error
      }
    }
  }

  public static TCPServer withReadTimeout(SocketAddress address, Duration timeout)
      throws IOException {
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(ch -> ch.pipeline()
                .addLast(new ReadTimeoutHandler(timeout.toMillis(), TimeUnit.MILLISECONDS)))
            .build();
    return TCPServer.withSocketProvider(netty, () -> new TCPServer(address, Patient::new));
  }
  // end::timeout[]
}
