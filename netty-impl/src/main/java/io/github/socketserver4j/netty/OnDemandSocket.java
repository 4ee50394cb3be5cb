package io.github.socketserver4j.netty;

import io.github.socketserver4j.AddressFamily;
import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.SocketOptions;
import io.github.socketserver4j.spi.ReceivedDatagram;
import io.github.socketserver4j.spi.SocketSpec;
import io.github.socketserver4j.spi.SocketImpl;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server socket with CPython's pull model: nothing is read from the kernel until the server
 * asks. The channel's auto-read is off; {@link #poll} asks Netty for exactly one item (a
 * connection, or a datagram) when none is waiting and none is asked for, and the item is parked
 * here until {@link #accept()} or {@link #receive} takes it. Everything else waits in the kernel.
 *
 * @param <T> what one read brings: a connection or a datagram
 */
abstract class OnDemandSocket<T> implements SocketImpl {
  private static final Logger LOG = LoggerFactory.getLogger(OnDemandSocket.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  /** After a read error (such as EMFILE on accept), wait this long before asking again. */
  private static final long BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private static final long CLOSE_WAIT_MILLIS = 5_000;

  /** How often {@link #await} looks at a future whose listener has not run yet. */
  private static final long AWAIT_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  final SocketSpec spec;
  final Transport transport;
  /** The server's Netty settings: its event loop group, pipeline hook and child options. */
  final NettyOptions config;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<T> parked = new ArrayDeque<>(2);
  private final Map<ChannelOption<?>, Object> options = new LinkedHashMap<>();

  // Guarded by lock.
  private boolean readArmed;
  /** A read was asked of Netty and brought nothing yet: Netty may still read, so only it may. */
  private boolean nettyMayRead;
  private boolean wakeupPending;
  private boolean closed;
  /** {@link #stopReading()} ran: no more items are asked for, taken or parked. */
  private boolean stopped;
  private long rearmNotBefore;
  private long lastWarning;

  volatile LoopGroup loops;
  volatile Channel channel;
  private volatile SocketAddress boundAddress;
  private volatile Duration timeout;

  OnDemandSocket(SocketSpec spec, Transport transport, NettyOptions config) {
    this.spec = spec;
    this.transport = transport;
    this.config = config;
  }

  /** Builds the bootstrap for this kind of socket, with the given options already applied. */
  abstract AbstractBootstrap<?, ?> bootstrap(LoopGroup loops, int backlog);

  /** Disposes of an item that no request will take. */
  abstract void discard(T item);

  /**
   * Lock held, socket open, no Netty read outstanding: reads one item on the calling thread,
   * below Netty, if the transport allows it and one is ready at once; else null, and the caller
   * asks Netty. Saves the hand-off through the event loop while requests are queued. Never
   * blocks. By default, null.
   */
  T readNow() {
    return null;
  }

  /**
   * Called by {@link #close()} once the socket counts as closed and before its channel closes:
   * the point after which nothing may use the channel's file descriptor directly.
   */
  void closing() {}

  @Override
  public final void bind(SocketAddress address, boolean reuseAddress, boolean reusePort, int backlog)
      throws IOException {
    lock.lock();
    try {
      if (closed) {
        throw new SocketException("Socket is closed");
      }
      if (loops != null) {
        throw new SocketException("Socket is already bound");
      }
      loops =
          config.group != null
              ? new LoopGroup(config.group)
              : new LoopGroup(transport, ioThreads(), threadName());
    } finally {
      lock.unlock();
    }
    if (address instanceof UnixDomainSocketAddress
        && Files.exists(((UnixDomainSocketAddress) address).getPath(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      // CPython's bind fails here; Netty's epoll bind would unlink the file and steal the path.
      BindException e =
          new BindException(
              "Address already in use: " + ((UnixDomainSocketAddress) address).getPath());
      close();
      throw e;
    }
    AbstractBootstrap<?, ?> bootstrap = bootstrap(loops, backlog);
    boolean inet = spec.family() != AddressFamily.AF_UNIX;
    if (inet) {
      bootstrap.option(ChannelOption.SO_REUSEADDR, false); // Netty's and the JDK's default is true
    }
    options.forEach((option, value) -> apply(bootstrap, option, value));
    if (inet && reuseAddress) {
      bootstrap.option(ChannelOption.SO_REUSEADDR, true);
    }
    if (inet && reusePort) {
      bootstrap.option(transport.reusePortOption(), true);
    }
    ChannelFuture bound = bootstrap.bind(transport.toNetty(address));
    Throwable failure = await(bound);
    if (failure != null) {
      throw bindFailure(failure, address);
    }
    channel = bound.channel();
    boundAddress = Transport.fromNetty(channel.localAddress());
  }

  @SuppressWarnings("unchecked")
  private static <V> void apply(AbstractBootstrap<?, ?> b, ChannelOption<V> option, Object value) {
    b.option(option, (V) value);
  }

  @Override
  public final <V> void setOption(SocketOption<V> option, V value) {
    if (loops != null) {
      throw new IllegalStateException("set socket options before the socket is bound");
    }
    checkValue(option, value);
    if (option == StandardSocketOptions.SO_REUSEADDR) {
      options.put(ChannelOption.SO_REUSEADDR, value);
    } else if (option == StandardSocketOptions.SO_REUSEPORT) {
      options.put(transport.reusePortOption(), value);
    } else if (option == StandardSocketOptions.SO_RCVBUF) {
      options.put(ChannelOption.SO_RCVBUF, value);
    } else if (option == StandardSocketOptions.SO_SNDBUF) {
      options.put(ChannelOption.SO_SNDBUF, value);
    } else if (option == SocketOptions.IPV6_V6ONLY) {
      ChannelOption<Integer> v6only = transport.v6OnlyOption();
      if (v6only != null) {
        options.put(v6only, Boolean.TRUE.equals(value) ? 1 : 0);
      } else if (Boolean.TRUE.equals(value)) {
        throw new UnsupportedOperationException(
            "IPV6_V6ONLY=true needs the epoll transport; NIO sockets are always dual-stack");
      }
    } else {
      throw new UnsupportedOperationException("socket option " + option + " is not supported");
    }
  }

  /**
   * Refuses a value the option cannot take here, naming both, instead of failing later in bind
   * (NIO) or being clamped by the kernel (epoll), so both transports behave alike.
   */
  private static void checkValue(SocketOption<?> option, Object value) {
    if (value == null || !option.type().isInstance(value)) {
      throw new IllegalArgumentException(
          "invalid value for socket option " + option.name() + ": " + value + " (expected a "
              + option.type().getSimpleName() + ")");
    }
    if ((option == StandardSocketOptions.SO_RCVBUF || option == StandardSocketOptions.SO_SNDBUF)
        && (Integer) value <= 0) {
      throw new IllegalArgumentException(
          "invalid value for socket option " + option.name() + ": " + value
              + " (a buffer size must be positive)");
    }
  }

  @Override
  public void listen(int backlog) throws IOException {
    if (channel == null) {
      throw new SocketException("Socket is not bound; call serverBind() before serverActivate()");
    }
    // Netty listened in bind(), with the backlog given there.
  }

  @Override
  public final boolean poll(Duration timeout) throws InterruptedException {
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
        if (readDirectly()) {
          return true;
        }
        // A closed or stopped socket arms nothing and just waits out the timeout: no busy loop.
        long backoff = !closed && !stopped && channel != null ? armRead() : 0;
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
  public final void wakeup() {
    lock.lock();
    try {
      wakeupPending = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Takes the next item, waiting for one: CPython's blocking {@code accept} / {@code recvfrom}. */
  final T take() throws IOException {
    lock.lock();
    try {
      while (parked.isEmpty()) {
        if (closed || stopped || channel == null) {
          throw new SocketException(
              closed ? "Socket is closed" : stopped ? "Socket takes no more requests (drain)"
                  : "Socket is not bound");
        }
        if (readDirectly()) {
          break;
        }
        long backoff = armRead();
        try {
          if (backoff > 0) {
            changed.awaitNanos(backoff);
          } else {
            changed.await();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for a request");
        }
      }
      return parked.poll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ClientRequest accept() throws IOException {
    throw new SocketException("Operation not supported: accept() on a " + spec.type() + " socket");
  }

  @Override
  public ReceivedDatagram receive(int maxPacketSize) throws IOException {
    throw new SocketException("Operation not supported: receive() on a " + spec.type() + " socket");
  }

  @Override
  public void sendTo(byte[] data, SocketAddress address) throws IOException {
    throw new SocketException("Operation not supported: sendTo() on a " + spec.type() + " socket");
  }

  @Override
  public final String transportName() {
    return transport.displayName();
  }

  @Override
  public final Optional<SocketAddress> localAddress() {
    return Optional.ofNullable(boundAddress);
  }

  @Override
  public final int fileno() {
    Channel c = channel;
    return c == null ? -1 : transport.fd(c);
  }

  @Override
  public final Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  @Override
  public final void setTimeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("Timeout value out of range: " + timeout);
    }
    this.timeout = timeout;
  }

  @Override
  public final boolean isOpen() {
    lock.lock();
    try {
      return !closed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public final void close() {
    List<T> unclaimed;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      unclaimed = new ArrayList<>(parked);
      parked.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    unclaimed.forEach(this::discard);
    closing();
    Channel c = channel;
    if (c != null) {
      keepingSocketFile(() -> await(c.close()));
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

  /**
   * Runs {@code close} so that a Unix socket file outlives it, as in CPython: Netty's server
   * channels delete the file on close, so a hard link keeps the inode and is renamed back after.
   */
  private void keepingSocketFile(Runnable close) {
    SocketAddress bound = boundAddress;
    if (!(bound instanceof UnixDomainSocketAddress)) {
      close.run();
      return;
    }
    Path path = ((UnixDomainSocketAddress) bound).getPath();
    Path keep =
        path.resolveSibling(
            ".ss4j-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".sock");
    boolean linked = false;
    try {
      Files.createLink(keep, path);
      linked = true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      LOG.debug("cannot keep the socket file {}; closing will remove it", path, e);
    }
    close.run();
    if (linked) {
      try {
        Files.move(keep, path, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        LOG.debug("cannot restore the socket file {}", path, e);
        try {
          Files.deleteIfExists(keep);
        } catch (IOException ignored) {
          // nothing more to do
        }
      }
    }
  }

  /**
   * {@code SocketImpl.stopAccepting()} for a socket that stays open: asks for no more items,
   * discards those parked, and wakes {@link #poll}, which then waits out its timeouts.
   */
  final void stopReading() {
    List<T> unclaimed;
    lock.lock();
    try {
      if (closed || stopped) {
        return;
      }
      stopped = true;
      unclaimed = new ArrayList<>(parked);
      parked.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    unclaimed.forEach(this::discard);
  }

  /** Lock held: parks an item read by {@link #readNow()}, if it may and did read one. */
  private boolean readDirectly() {
    if (closed || stopped || channel == null || nettyMayRead || System.nanoTime() - rearmNotBefore < 0) {
      return false;
    }
    T item = readNow();
    if (item == null) {
      return false;
    }
    parked.add(item);
    return true;
  }

  /** Lock held. Asks Netty for one item unless one is asked for; returns nanos of backoff left. */
  private long armRead() {
    if (readArmed) {
      return 0;
    }
    long now = System.nanoTime();
    if (now - rearmNotBefore < 0) {
      return rearmNotBefore - now;
    }
    readArmed = true;
    nettyMayRead = true;
    try {
      channel.read();
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The channel's event loop has ended (an application's group shut down under the server):
      // nothing more arrives. readArmed stays set, so waits time out as on a quiet socket.
      LOG.warn(
          "The event loop of {} has shut down; the socket receives nothing more", boundAddress);
    }
    return 0;
  }

  /** On an event loop: an item arrived. */
  final void arrived(T item) {
    lock.lock();
    try {
      readArmed = false;
      nettyMayRead = false;
      if (!closed && !stopped) {
        parked.add(item);
        changed.signalAll();
        return;
      }
    } finally {
      lock.unlock();
    }
    discard(item);
  }

  /** On an event loop: a read ended without an item (for datagrams: nothing came). */
  final void readEnded() {
    lock.lock();
    try {
      readArmed = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** On an event loop: reading failed, for example accept() for lack of file descriptors. */
  final void readFailed(Throwable cause) {
    // Netty keeps a failed read pending (epoll's EPOLLIN, NIO's OP_ACCEPT stay armed), so the
    // still-readable socket would be read again at once: ~115,000 failed accepts a second on
    // EMFILE. Turning auto-read on and off again is Netty's public way to clear the pending read
    // (autoReadCleared); the next read is asked for after the backoff.
    Channel c = channel;
    if (c != null && c.eventLoop().inEventLoop()) {
      c.config().setAutoRead(true);
      c.config().setAutoRead(false);
    }
    boolean warn;
    lock.lock();
    try {
      readArmed = false;
      nettyMayRead = false; // the auto-read toggle above cleared Netty's pending read
      long now = System.nanoTime();
      rearmNotBefore = now + BACKOFF_NANOS;
      warn = lastWarning == 0 || now - lastWarning > TimeUnit.SECONDS.toNanos(10);
      if (warn) {
        lastWarning = now;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (warn) {
      LOG.warn(
          "Reading from {} failed; retrying every {} ms (further failures logged at most every 10 s)",
          boundAddress,
          TimeUnit.NANOSECONDS.toMillis(BACKOFF_NANOS),
          cause);
    } else {
      LOG.debug("Reading from {} failed again", boundAddress, cause);
    }
  }

  private int ioThreads() {
    if (config.ioThreads > 0) {
      return config.ioThreads;
    }
    Integer forced = Integer.getInteger("socketserver4j.netty.ioThreads");
    if (forced != null && forced > 0) {
      return forced;
    }
    return spec.concurrent() ? Math.max(1, Runtime.getRuntime().availableProcessors()) : 1;
  }

  private String threadName() {
    return "socketserver4j-" + spec.ownerName() + "-" + IDS.incrementAndGet() + "-io";
  }

  private static IOException bindFailure(Throwable cause, SocketAddress address) {
    String where;
    if (address instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) address;
      String host =
          inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
      where = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    } else if (address instanceof UnixDomainSocketAddress) {
      where = ((UnixDomainSocketAddress) address).getPath().toString();
    } else {
      where = String.valueOf(address);
    }
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
    if (cause instanceof UnsupportedOperationException) {
      throw (UnsupportedOperationException) cause;
    }
    return new IOException("cannot bind " + where + ": " + message, cause);
  }

  /**
   * Waits for a Netty future without its monitor-based await (which pins virtual threads), and
   * returns its cause, or null on success. The interrupt status is kept, not acted on.
   *
   * <p>A listener wakes the waiter. A listener added to a future that is already done is run by
   * the channel's event loop; if that loop has terminated (the server was closed meanwhile: a
   * request thread's reply racing with {@code serverClose()}), Netty drops the notification and
   * the listener never runs (seen in LeakCycleTest and FaultInjectionTest under repeated
   * open/serve/close cycles). So the waiter also looks at the future itself every 50 ms.
   */
  static Throwable await(ChannelFuture future) {
    if (!future.isDone()) {
      Thread waiter = Thread.currentThread();
      future.addListener(f -> LockSupport.unpark(waiter));
      boolean interrupted = false;
      // The periodic look covers a listener Netty drops: one added to a future that completed
      // after its event loop ended is handed to that loop and lost.
      while (!future.isDone()) {
        LockSupport.parkNanos(future, AWAIT_RECHECK_NANOS);
        interrupted |= Thread.interrupted();
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return future.cause();
  }

  static long nanos(Duration d) {
    if (d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L - 1) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, d.toNanos());
  }
}
