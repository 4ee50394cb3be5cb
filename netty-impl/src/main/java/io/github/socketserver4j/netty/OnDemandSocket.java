package io.github.socketserver4j.netty;

import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.spi.ReceivedDatagram;
import io.github.socketserver4j.spi.SocketImpl;
import io.github.socketserver4j.spi.SocketSpec;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server socket with CPython's pull model, on a Netty channel whose auto-read is off: the
 * {@link PullQueue} asks the channel for one item (a connection, or a datagram) at a time, and
 * the {@link Binder} binds it. This class ties the two to the channel and the {@link LoopGroup}
 * it runs on, for the socket's lifecycle: bind, close, and the read outcomes subclasses report.
 *
 * @param <T> what one read brings: a connection or a datagram
 */
abstract class OnDemandSocket<T> implements SocketImpl {
  private static final Logger LOG = LoggerFactory.getLogger(OnDemandSocket.class);

  /** After a read error (such as EMFILE on accept), wait this long before asking again. */
  private static final long BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** Read failures after the first are logged at WARN at most this often. */
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private static final long CLOSE_WAIT_MILLIS = 5_000;

  final SocketSpec spec;
  final Transport transport;
  /** The server's Netty settings: its event loop group, pipeline hook and child options. */
  final NettyOptions config;

  private final PullQueue<T> queue = new PullQueue<>(BACKOFF_NANOS, System::nanoTime);
  private final Binder binder;
  /** Orders {@link #bind} and {@link #close()}; the queue says whether the socket is closed. */
  private final ReentrantLock setup = new ReentrantLock();
  private final AtomicLong lastWarning = new AtomicLong();

  volatile LoopGroup loops;
  volatile Channel channel;
  private volatile SocketAddress boundAddress;
  private volatile Duration timeout;

  OnDemandSocket(SocketSpec spec, Transport transport, NettyOptions config) {
    this.spec = spec;
    this.transport = transport;
    this.config = config;
    this.binder = new Binder(spec.family(), transport);
  }

  /** Builds the bootstrap for this kind of socket; the binder adds the socket options. */
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
    binder.check(address);
    LoopGroup group;
    setup.lock();
    try {
      if (!queue.isOpen()) {
        throw new SocketException("Socket is closed");
      }
      if (loops != null) {
        throw new SocketException("Socket is already bound");
      }
      group = LoopGroup.forSocket(config, transport, spec);
      loops = group;
    } finally {
      setup.unlock();
    }
    Channel bound =
        binder.bind(bootstrap(group, backlog), address, reuseAddress, reusePort);
    SocketAddress local = Transport.fromNetty(bound.localAddress());
    setup.lock();
    try {
      if (queue.isOpen()) {
        boundAddress = local;
        channel = bound;
        queue.open(new ChannelSource());
        return;
      }
    } finally {
      setup.unlock();
    }
    Binder.close(bound, local); // closed while binding: close() did not see the channel
    throw new SocketException("Socket is closed");
  }

  @Override
  public final <V> void setOption(SocketOption<V> option, V value) {
    if (loops != null) {
      throw new IllegalStateException("set socket options before the socket is bound");
    }
    binder.setOption(option, value);
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
    return queue.poll(nanos(timeout));
  }

  @Override
  public final void wakeup() {
    queue.wakeup();
  }

  /** Takes the next item, waiting for one: CPython's blocking {@code accept} / {@code recvfrom}. */
  final T take() throws IOException {
    return queue.take();
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
    return queue.isOpen();
  }

  @Override
  public final void close() {
    Channel c;
    LoopGroup group;
    setup.lock();
    try {
      if (!queue.close()) { // discards the items nobody took
        return;
      }
      c = channel;
      group = loops;
    } finally {
      setup.unlock();
    }
    closing();
    if (c != null) {
      Binder.close(c, boundAddress);
    }
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
   * Asks for, parks and hands out no more items while the socket stays open (for the replies of
   * running requests): discards those parked, and makes {@link #poll} wait out its timeouts and
   * {@link #take()} throw. For {@code SocketImpl.stopAccepting()}, the first step of a drain.
   */
  final void stopReading() {
    queue.stop();
  }

  /** On an event loop: an item arrived. */
  final void arrived(T item) {
    queue.arrived(item);
  }

  /** On an event loop: a read ended without an item (for datagrams: nothing came). */
  final void readEnded() {
    queue.ended();
  }

  /**
   * Reading failed, for example accept() for lack of file descriptors: on an event loop, or in
   * {@link #readNow()}. The next read is asked for after a backoff of 100 ms.
   */
  final void readFailed(Throwable cause) {
    // Netty keeps a failed read pending (epoll's EPOLLIN, NIO's OP_ACCEPT stay armed), so the
    // still-readable socket would be read again at once: ~115,000 failed accepts a second on
    // EMFILE. Turning auto-read on and off again is Netty's public way to clear the pending read
    // (autoReadCleared); the queue asks for the next read after the backoff.
    Channel c = channel;
    if (c != null && c.eventLoop().inEventLoop()) {
      c.config().setAutoRead(true);
      c.config().setAutoRead(false);
    }
    queue.failed();
    long now = System.nanoTime();
    long last = lastWarning.get();
    if ((last == 0 || now - last > WARN_EVERY_NANOS) && lastWarning.compareAndSet(last, now)) {
      LOG.warn(
          "Reading from {} failed; retrying every {} ms (further failures logged at most every 10 s)",
          boundAddress,
          queue.backoffMillis(),
          cause);
    } else {
      LOG.debug("Reading from {} failed again", boundAddress, cause);
    }
  }

  /**
   * The queue asks for one item (with its lock held; must not block). By default one read of the
   * channel; a subclass may pace its reads itself, through {@link #readChannel()}.
   */
  void requestItem() {
    readChannel();
  }

  /** Asks the channel for one read (for a listening channel, one accept). Any thread. */
  final void readChannel() {
    Channel c = channel;
    try {
      c.read();
    } catch (RejectedExecutionException e) {
      // The channel's event loop has ended (an application's group shut down under the
      // server): nothing more arrives, and the request stays outstanding, so waits time out
      // as on a quiet socket.
      LOG.warn(
          "The event loop of {} has shut down; the socket receives nothing more", boundAddress);
    }
  }

  /** A duration in nanoseconds, {@code Long.MAX_VALUE} for one too long to count. */
  static long nanos(Duration d) {
    if (d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L - 1) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, d.toNanos());
  }

  /** The queue's source: the bound channel, read once per request. */
  private final class ChannelSource implements PullQueue.Source<T> {
    @Override
    public void request() {
      requestItem();
    }

    @Override
    public T readNow() {
      return OnDemandSocket.this.readNow();
    }

    @Override
    public void discard(T item) {
      OnDemandSocket.this.discard(item);
    }
  }
}
