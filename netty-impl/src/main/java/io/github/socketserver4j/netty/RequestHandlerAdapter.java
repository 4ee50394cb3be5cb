package io.github.socketserver4j.netty;

import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.Request;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.ThreadingMixIn;
import io.github.socketserver4j.spi.HandlerThreads;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Runs a socketserver request handler, such as a ported {@code StreamRequestHandler}, on a
 * connection that the application's own {@code ServerBootstrap} accepted: ported Python protocol
 * code inside an existing Netty server, one handler at a time.
 *
 * <pre>{@code
 * new ServerBootstrap()
 *     .group(group)
 *     .channel(NioServerSocketChannel.class)
 *     .childHandler(new ChannelInitializer<SocketChannel>() {
 *       @Override protected void initChannel(SocketChannel ch) {
 *         ch.pipeline().addLast(new RequestHandlerAdapter(Echo::new, onError));
 *       }
 *     });
 * }</pre>
 *
 * <p>The handler gets what it gets in a socketserver server: {@code rfile}/{@code wfile} with
 * {@code readLine} and {@code sendall} semantics, its {@code timeout()}, reads and writes that
 * block with bounded memory (backpressure reaches the peer through TCP), half-closure read as end
 * of stream. Afterwards the connection is shut down as {@code TCPServer.shutdown_request} does:
 * FIN after every byte written (over TLS, {@code close_notify} first), then close.
 *
 * <h2>Threads</h2>
 *
 * <ul>
 *   <li>The adapter itself runs on the channel's event loop: when added to an active channel (or
 *       when the channel becomes active) it turns auto-read off, allows half-closure, puts the
 *       blocking bridge in its own place and removes itself.
 *   <li>The request handler ({@code setup}, {@code handle}, {@code finish}) runs on a thread of the
 *       {@code executor}: by default a new virtual thread (Java 21+) or a new daemon platform
 *       thread per connection, named {@code socketserver4j-adapter <client address>}. It must never
 *       run on an event loop: its reads and writes block.
 *   <li>{@link ErrorCallback#handleError} is called on that handler thread when the handler throws
 *       an {@code Exception}, before the connection is shut down. An {@code Error} (such as {@code
 *       ServerExit}) ends the thread through its uncaught-exception handler, as in {@code
 *       ThreadingMixIn}.
 * </ul>
 *
 * <p>Put it last in the pipeline, after handlers that decode bytes into bytes (TLS, PROXY,
 * logging, traffic shaping); handlers after it would see the bridge's reads and writes. Handlers
 * in front of it are treated as the server's pipeline hook treats them ({@link
 * NettyOptions.Builder#pipeline}):
 *
 * <ul>
 *   <li>with an {@code SslHandler} (or {@code SniHandler}), the request handler starts once the
 *       handshake has completed; its session is {@code connection().sslSession()} and the
 *       peer's certificate {@code connection().getpeercert()};
 *   <li>with an {@code HAProxyMessageDecoder}, it starts once the PROXY header has been read, and
 *       its {@code clientAddress()} (and the callback's) is the header's source address; the
 *       decoded header stays readable with {@link NettyRequests#proxyHeader} until the request
 *       is closed, then it is released;
 *   <li>a connection whose handshake or header fails, or does not come within 10 s, is closed and
 *       logged at DEBUG (logger {@code io.github.socketserver4j.netty.Gate}); its handler never
 *       starts;
 *   <li>a handler in front that passes on anything but a {@code ByteBuf} fails the request: the
 *       message is released, and the handler's next read throws an {@code IOException} naming its
 *       class.
 * </ul>
 *
 * <p>The handler's {@link io.github.socketserver4j.BaseRequestHandler#server() server()} is a
 * stand-in: its {@code serverAddress()} is the channel's local address and its {@code
 * handleError} reports to the callback. It serves nothing: {@code serveForever}, {@code
 * handleRequest}, {@code shutdown} and {@code getRequest} throw {@link
 * UnsupportedOperationException}.
 *
 * <p>One adapter per channel (it is not {@code @Sharable}).
 */
public final class RequestHandlerAdapter extends ChannelInboundHandlerAdapter {

  /** Receives what a request handler throws. */
  @FunctionalInterface
  public interface ErrorCallback {
    /**
     * Called on the handler's thread with the exception its request handler threw, CPython's
     * {@code handle_error}; the connection is shut down afterwards.
     *
     * @param request the connection
     * @param clientAddress the peer's address
     * @param error what the handler threw
     */
    void handleError(StreamRequest request, SocketAddress clientAddress, Throwable error);
  }

  /** How long a connection may take for its PROXY header and TLS handshake: NettyOptions's. */
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  private final RequestHandlerFactory factory;
  private final ErrorCallback onError;
  private final Executor executor;
  private boolean started;

  /**
   * An adapter whose handler errors are logged as {@code BaseServer.handleError} logs them, and
   * whose handler runs on a new thread.
   *
   * @param factory makes the request handler, for example {@code Echo::new}
   */
  public RequestHandlerAdapter(RequestHandlerFactory factory) {
    this(factory, null, null);
  }

  /**
   * An adapter whose handler runs on a new thread (virtual where the JVM has them).
   *
   * @param factory makes the request handler
   * @param onError told what the handler throws
   */
  public RequestHandlerAdapter(RequestHandlerFactory factory, ErrorCallback onError) {
    this(factory, onError, null);
  }

  /**
   * An adapter whose handler runs on {@code executor}.
   *
   * @param factory makes the request handler
   * @param onError told what the handler throws; null to log it at ERROR
   * @param executor runs the handler, one task per connection; it must not be an event loop;
   *     null for a new thread per connection
   */
  public RequestHandlerAdapter(
      RequestHandlerFactory factory, ErrorCallback onError, Executor executor) {
    this.factory = Objects.requireNonNull(factory, "factory");
    this.onError = onError;
    this.executor = executor;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  /**
   * Puts the bridge in this adapter's place, behind a {@link Gate} when TLS or a PROXY decoder is
   * in front, and starts the request handler once the connection is ready: at once, or when the
   * gate has the PROXY header and the finished handshake.
   */
  private void start(ChannelHandlerContext ctx) {
    if (started) {
      return;
    }
    started = true;
    Channel channel = ctx.channel();
    channel.config().setAutoRead(false); // the bridge reads when the handler asks
    channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // "read to EOF, reply"
    ChannelStream connection = new ChannelStream(channel, Transport.ofChannel(channel));
    ChannelPipeline pipeline = ctx.pipeline();
    boolean tls = Handlers.hasTls(pipeline);
    boolean proxy = Handlers.hasProxyDecoder(pipeline);
    pipeline.addAfter(ctx.name(), "socketserver4j-bridge", connection.handler());
    Stand server = new Stand(channel.localAddress(), factory, onError);
    if (tls || proxy) {
      Gate.Outcome outcome =
          new Gate.Outcome() {
            @Override
            public void ready(ChannelStream ready, SocketAddress clientAddress) {
              launch(server, ready, clientAddress);
            }

            @Override
            public void failed(ChannelStream dropped) {
              // Closed and logged at DEBUG by the gate, as the server drops such a connection.
            }
          };
      pipeline.addBefore(
          "socketserver4j-bridge",
          "socketserver4j-gate",
          new Gate(connection, tls, proxy, HANDSHAKE_TIMEOUT, null, outcome));
      pipeline.remove(this);
    } else {
      pipeline.remove(this);
      launch(server, connection, connection.remoteAddress());
    }
  }

  /** Runs the request on the executor, or on a new thread. */
  private void launch(Stand server, ChannelStream connection, SocketAddress clientAddress) {
    Runnable request = () -> server.processRequestThread(connection, clientAddress);
    try {
      if (executor != null) {
        executor.execute(request);
      } else {
        HandlerThreads.newThread("socketserver4j-adapter " + clientAddress, true, request).start();
      }
    } catch (RuntimeException e) {
      connection.abort();
      throw e;
    }
  }

  /**
   * The server a ported handler sees: it runs one request, as {@code ThreadingMixIn}'s {@code
   * process_request_thread} does, shuts the connection down as {@code TCPServer} does, and
   * reports errors to the callback. It has no socket and serves nothing: the serving methods
   * throw.
   */
  private static final class Stand extends BaseServer implements ThreadingMixIn {
    private final ErrorCallback onError;

    Stand(SocketAddress localAddress, RequestHandlerFactory factory, ErrorCallback onError) {
      super(localAddress, factory);
      this.onError = onError;
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      if (onError == null) {
        super.handleError(request, clientAddress);
      } else {
        onError.handleError(
            (StreamRequest) request, clientAddress, currentException().orElse(null));
      }
    }

    @Override
    public void shutdownRequest(Request request) {
      try {
        ((StreamRequest) request).shutdownOutput();
      } catch (IOException e) {
        // CPython: "some platforms may raise ENOTCONN here".
      }
      closeRequest(request);
    }

    @Override
    public void closeRequest(Request request) {
      ((StreamRequest) request).close();
    }

    @Override
    public void serveForever(Duration pollInterval) {
      throw unsupported("serveForever()");
    }

    @Override
    public void handleRequest() {
      throw unsupported("handleRequest()");
    }

    @Override
    public void shutdown() {
      throw unsupported("shutdown()");
    }

    @Override
    public ClientRequest getRequest() {
      throw unsupported("getRequest()");
    }

    @Override
    protected boolean waitForRequest(Duration timeout) {
      throw unsupported("waitForRequest()");
    }

    @Override
    protected void wakeup() {
      // requestShutdown() calls it: there is no loop to wake
    }

    private static UnsupportedOperationException unsupported(String method) {
      return new UnsupportedOperationException(
          method + " is not available on a RequestHandlerAdapter's server: it runs the one"
              + " request of its connection, which the application's own Netty server accepted;"
              + " close the channel to end it");
    }
  }
}
