package io.github.socketserver4j.netty;

import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.spi.SocketSpec;
import io.github.socketserver4j.spi.TransportSocket;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening socket over a Netty server channel, with CPython's accept-on-demand.
 *
 * <p>The server channel's auto-read is off. {@link #poll} asks Netty for exactly one accept (one
 * {@code read()}) when no connection is waiting and none is asked for; the accepted child is parked
 * here until {@link #accept()} takes it. Every other connection waits in the kernel's backlog, as
 * with CPython's {@code listen(request_queue_size)}.
 */
final class NettyServerSocket implements TransportSocket {
  private static final Logger LOG = LoggerFactory.getLogger(NettyServerSocket.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  /** After an accept error (such as EMFILE), wait this long before asking again: no spinning. */
  private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final long CLOSE_WAIT_MILLIS = 5_000;

  private final SocketSpec spec;
  private final Transport transport;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<ChannelStream> parked = new ArrayDeque<>(2);

  // Guarded by lock.
  private boolean acceptArmed;
  private boolean wakeupPending;
  private boolean closed;
  private long rearmNotBefore;
  private long lastAcceptWarning;

  private volatile LoopGroup loops;
  private volatile Channel serverChannel;
  private volatile Duration timeout;

  NettyServerSocket(SocketSpec spec, Transport transport) {
    this.spec = spec;
    this.transport = transport;
    Transport.protocolFamily(spec.family()); // fail early for families not served yet
  }

  @Override
  public void bind(SocketAddress address, boolean reuseAddress, boolean reusePort, int backlog)
      throws IOException {
    InetSocketAddress inet = resolve((InetSocketAddress) address);
    lock.lock();
    try {
      if (closed) {
        throw new SocketException("Socket is closed");
      }
      if (serverChannel != null || loops != null) {
        throw new SocketException("Socket is already bound to " + serverChannel.localAddress());
      }
      loops = new LoopGroup(transport, ioThreads(), threadName());
    } finally {
      lock.unlock();
    }
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(loops.group())
            .channelFactory(() -> transport.newServerChannel(spec.family()))
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.SO_BACKLOG, backlog)
            .option(ChannelOption.SO_REUSEADDR, reuseAddress)
            .handler(new AcceptErrors())
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.TCP_NODELAY, false) // Python keeps Nagle on by default
            .childHandler(new Park());
    if (reusePort) {
      bootstrap.option(transport.reusePortOption(), true);
    }
    ChannelFuture bound = bootstrap.bind(inet);
    Throwable failure = await(bound);
    if (failure != null) {
      throw bindFailure(failure, inet);
    }
    serverChannel = bound.channel();
  }

  @Override
  public void listen(int backlog) throws IOException {
    if (serverChannel == null) {
      throw new SocketException("Socket is not bound; call serverBind() before serverActivate()");
    }
    // Netty listened in bind(), with the backlog given there.
  }

  @Override
  public boolean poll(Duration timeout) throws InterruptedException {
    long nanos = nanos(timeout);
    boolean forever = nanos == Long.MAX_VALUE;
    long deadline = System.nanoTime() + (forever ? 0 : nanos);
    lock.lock();
    try {
      while (true) {
        if (!parked.isEmpty()) {
          return true;
        }
        if (wakeupPending) {
          wakeupPending = false;
          return false;
        }
        // A closed socket arms nothing and just waits out the timeout: no busy loop.
        long backoff = !closed && serverChannel != null ? armAccept() : 0;
        long remaining = forever ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        changed.awaitNanos(backoff > 0 ? Math.min(remaining, backoff) : remaining);
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void wakeup() {
    lock.lock();
    try {
      wakeupPending = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ClientRequest accept() throws IOException {
    lock.lock();
    try {
      while (parked.isEmpty()) {
        if (closed || serverChannel == null) {
          throw new SocketException(closed ? "Socket is closed" : "Socket is not listening");
        }
        long backoff = armAccept();
        try {
          if (backoff > 0) {
            changed.awaitNanos(backoff);
          } else {
            changed.await();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("accept() interrupted");
        }
      }
      ChannelStream connection = parked.poll();
      return new ClientRequest(connection, connection.remoteAddress());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<SocketAddress> localAddress() {
    Channel channel = serverChannel;
    return channel == null ? Optional.empty() : Optional.ofNullable(channel.localAddress());
  }

  @Override
  public int fileno() {
    Channel channel = serverChannel;
    return channel == null ? -1 : transport.fd(channel);
  }

  @Override
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  @Override
  public void setTimeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("Timeout value out of range: " + timeout);
    }
    this.timeout = timeout;
  }

  @Override
  public boolean isOpen() {
    lock.lock();
    try {
      return !closed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    List<ChannelStream> unaccepted;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      unaccepted = new ArrayList<>(parked);
      parked.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    unaccepted.forEach(ChannelStream::abort);
    Channel channel = serverChannel;
    if (channel != null) {
      await(channel.close());
    }
    LoopGroup group = loops;
    if (group != null) {
      group.release();
      try {
        group.awaitTermination(CLOSE_WAIT_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Asks Netty for one accept unless one is pending; returns nanos to wait if backing off. */
  private long armAccept() {
    if (acceptArmed) {
      return 0;
    }
    long now = System.nanoTime();
    if (now - rearmNotBefore < 0) {
      return rearmNotBefore - now;
    }
    acceptArmed = true;
    serverChannel.read();
    return 0;
  }

  /** On the child's event loop: a connection was accepted and registered. */
  private void onAccepted(ChannelStream connection) {
    lock.lock();
    try {
      acceptArmed = false;
      if (!closed) {
        parked.add(connection);
        changed.signalAll();
        return;
      }
    } finally {
      lock.unlock();
    }
    connection.abort();
  }

  /** On the server's event loop: accepting failed, for example for lack of file descriptors. */
  private void onAcceptError(Throwable cause) {
    boolean warn;
    lock.lock();
    try {
      acceptArmed = false;
      long now = System.nanoTime();
      rearmNotBefore = now + ACCEPT_BACKOFF_NANOS;
      warn = lastAcceptWarning == 0 || now - lastAcceptWarning > TimeUnit.SECONDS.toNanos(10);
      if (warn) {
        lastAcceptWarning = now;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (warn) {
      LOG.warn(
          "accept() on {} failed; retrying every {} ms (further failures logged at most every 10 s)",
          serverChannel == null ? "?" : serverChannel.localAddress(),
          TimeUnit.NANOSECONDS.toMillis(ACCEPT_BACKOFF_NANOS),
          cause);
    } else {
      LOG.debug("accept() failed again", cause);
    }
  }

  private int ioThreads() {
    Integer forced = Integer.getInteger("socketserver4j.netty.ioThreads");
    if (forced != null && forced > 0) {
      return forced;
    }
    return spec.concurrent() ? Math.max(1, Runtime.getRuntime().availableProcessors()) : 1;
  }

  private String threadName() {
    return "socketserver4j-" + spec.ownerName() + "-" + IDS.incrementAndGet() + "-io";
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
      onAccepted(connection);
    }
  }

  /** Sees accept failures on the server channel; the acceptor would only log and spin. */
  private final class AcceptErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      onAcceptError(cause);
    }
  }

  private static InetSocketAddress resolve(InetSocketAddress address) throws UnknownHostException {
    if (!address.isUnresolved()) {
      return address;
    }
    InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
    if (resolved.isUnresolved()) {
      throw new UnknownHostException(address.getHostString());
    }
    return resolved;
  }

  private static IOException bindFailure(Throwable cause, InetSocketAddress address) {
    String where = address.getAddress().getHostAddress() + ":" + address.getPort();
    String message = String.valueOf(cause.getMessage());
    if (cause instanceof BindException
        || message.contains("in use")
        || message.contains("assign requested address")) {
      String what =
          message.contains("in use")
              ? "Address already in use"
              : message.contains("assign") ? "Cannot assign requested address" : message;
      BindException e = new BindException(what + ": " + where);
      e.initCause(cause);
      return e;
    }
    return new IOException("cannot bind " + where + ": " + message, cause);
  }

  /** Waits for a Netty future without its monitor-based await (which pins virtual threads). */
  static Throwable await(ChannelFuture future) {
    CompletableFuture<Throwable> done = new CompletableFuture<>();
    future.addListener(f -> done.complete(f.cause()));
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return done.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          return e.getCause();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static long nanos(Duration d) {
    if (d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L - 1) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, d.toNanos());
  }
}
