package io.github.socketserver4j.netty;

import io.github.socketserver4j.BaseRequestHandler;
import io.github.socketserver4j.Request;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A request handler whose work is done by Netty channel handlers on the event loop, for
 * connections that need event-loop speed, under the server's usual lifecycle.
 *
 * <pre>{@code
 * class Echo extends EventLoopRequestHandler {
 *   @Override protected void initChannel(Channel channel) {
 *     channel.pipeline().addLast(new EchoHandler()); // a Netty ChannelInboundHandler
 *   }
 * }
 * try (var server = new ThreadingTCPServer(address, Echo::new)) { server.serveForever(); }
 * }</pre>
 *
 * <p>The server accepts, verifies and processes the request as for a blocking handler. {@code
 * handle()} then hands the connection to the handlers {@link #initChannel} adds, with auto-read on
 * as in a plain Netty server, and waits until the channel is closed; every read and write happens
 * on the event loop, with no thread hand-off per message. So the rest of the lifecycle means what
 * it means for blocking handlers:
 *
 * <ul>
 *   <li>{@code verifyRequest} runs first, on the serving thread, and may reject the connection;
 *   <li>an exception that reaches the end of the pipeline (nobody handled it) closes the
 *       connection and is thrown from {@code handle()}, so it reaches {@code handleError} (on the
 *       request's thread) and the request is shut down;
 *   <li>{@code serveForever}, {@code shutdown} and {@code drain} behave as usual, and {@code
 *       serverClose} waits for open connections when it waits for request threads ({@code
 *       ThreadingMixIn} with {@code blockOnClose()} true and {@code daemonThreads()} false);
 *   <li>the request ends when the channel closes: when the client closes its side (half-closure
 *       is off, as in a plain Netty server; handlers may opt in, see {@link #initChannel}), or
 *       when a handler closes it ({@code ctx.close()}) at the end of the conversation.
 * </ul>
 *
 * <p>Each request keeps its request thread parked until the channel closes. A synchronous server
 * therefore serves one connection at a time, as CPython's does; use a {@code ThreadingMixIn}
 * server for concurrent connections (its request threads are virtual on Java 21+, so a parked one
 * costs little). Do not mix with blocking handlers in one server: a server picks one model.
 *
 * <p>Needs a stream server on the Netty transport. Handlers added by the server's pipeline hook
 * (TLS, PROXY, ...) stay in front.
 */
public abstract class EventLoopRequestHandler extends BaseRequestHandler {

  /** Creates a handler that has not run yet. */
  protected EventLoopRequestHandler() {}

  /**
   * Adds the channel handlers that serve this connection, with {@code
   * channel.pipeline().addLast(...)}: Netty's {@code ChannelInitializer#initChannel}, in place of
   * CPython's {@code handle()}. Must be implemented. Called once, on the channel's event loop; it
   * must not block. The handlers then see {@code channelActive} and any bytes that arrived before
   * them.
   *
   * <p>The channel is configured as in a plain Netty server, and may be changed here:
   *
   * <ul>
   *   <li>Auto-read is on; turn it off for flow control of your own.
   *   <li>Half-closure is off ({@code ChannelOption.ALLOW_HALF_CLOSURE} false, Netty's default): a
   *       client that closes or shuts down its output closes the channel, the handlers see {@code
   *       channelInactive}, and the request ends. To read a client's half-close as a {@code
   *       ChannelInputShutdownEvent} and still reply, opt in here with {@code
   *       channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true)}; the handlers must
   *       then close the channel themselves when they are done, or the connection stays open (in
   *       CLOSE-WAIT) and the request with it. If the client half-closed before the hand-off, the
   *       handlers see the event after the bytes (opted in) or the channel closes after them.
   *       Unix domain channels of the NIO transport ignore the option and always close.
   * </ul>
   *
   * @param channel the accepted connection
   * @throws Exception to refuse the connection: it is closed and the exception goes to {@code
   *     handleError}
   */
  protected abstract void initChannel(Channel channel) throws Exception;

  /**
   * Hands the connection to the handlers of {@link #initChannel} and waits, on the request's
   * thread, until the channel is closed. Not interruptible (as blocking socket calls here are
   * not); the interrupt status is kept.
   *
   * @throws Exception the first exception no channel handler handled
   * @throws IllegalStateException if the request is not a connection of the Netty transport
   */
  @Override
  public final void handle() throws Exception {
    Request request = request();
    if (!(request instanceof ChannelStream)) {
      throw new IllegalStateException(
          "EventLoopRequestHandler needs a stream server on the Netty transport; got "
              + request.getClass().getName());
    }
    ChannelStream connection = (ChannelStream) request;
    Channel channel = connection.channel();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try {
      channel.eventLoop().execute(() -> handOff(connection, channel, failure));
    } catch (RejectedExecutionException e) {
      // The event loop has ended, so the channel is closed already.
    }
    Futures.await(channel.closeFuture()); // keeps the interrupt status, as said above
    Throwable t = failure.get();
    if (t instanceof Exception) {
      throw (Exception) t;
    } else if (t instanceof Error) {
      throw (Error) t;
    } else if (t != null) {
      throw new Exception(t);
    }
  }

  /**
   * On the event loop: swaps the bridge for the user's handlers and replays what they missed.
   * Half-closure is turned off first, as in a plain Netty server (the bridge needed it on), so that
   * handlers that do not opt in see a client's close as the channel closing, not as an event they
   * may ignore while the connection stays in CLOSE-WAIT.
   */
  private void handOff(ChannelStream connection, Channel channel, AtomicReference<Throwable> failure) {
    if (!channel.isActive()) {
      return; // closed meanwhile: handle() returns
    }
    ByteBuf early = connection.detach();
    boolean ended = connection.inputEnded();
    ChannelPipeline pipeline = channel.pipeline();
    ChannelInboundHandlerAdapter marker = new ChannelInboundHandlerAdapter();
    pipeline.replace(connection.handler(), "socketserver4j-handoff", marker);
    try {
      channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
      channel.config().setAutoRead(true);
      initChannel(channel);
      pipeline.addLast("socketserver4j-errors", new Errors(failure));
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
      if (early != null) {
        early.release();
      }
      channel.close();
      return;
    }
    boolean halfClosure =
        Boolean.TRUE.equals(channel.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE));
    ChannelHandlerContext ctx = pipeline.context(marker);
    ctx.fireChannelActive();
    if (early != null) {
      if (early.isReadable()) {
        ctx.fireChannelRead(early);
        ctx.fireChannelReadComplete();
      } else {
        early.release();
      }
    }
    if (ended) {
      if (halfClosure) {
        ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
      } else {
        channel.close(); // what Netty does at end of input without half-closure
      }
    }
    pipeline.remove(marker);
  }

  /** The end of the pipeline: an exception nobody handled ends the request. */
  private static final class Errors extends ChannelInboundHandlerAdapter {
    private final AtomicReference<Throwable> failure;

    Errors(AtomicReference<Throwable> failure) {
      this.failure = failure;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failure.compareAndSet(null, cause);
      ctx.close();
    }
  }
}
