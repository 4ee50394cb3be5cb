package io.github.socketserver4j.netty;

import io.github.socketserver4j.LineInputStream;
import io.github.socketserver4j.LineTooLongException;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.spi.SendfileArguments;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSession;

/**
 * One accepted connection as a {@link StreamRequest}, CPython's connected {@code socket}: the
 * handler-thread side of the blocking bridge and the connection's life. Its {@link StreamBridge}
 * (see {@link #handler()}) feeds it from the event loop; {@link ConnectionInput} and {@link
 * ConnectionOutput} do the reading and writing. All of them meet under one {@link ReentrantLock},
 * never a monitor, so virtual threads do not pin.
 *
 * <p><b>Failing.</b> Once the socket has failed (a reset, a write that could not be sent), every
 * later write throws that failure at once, and every later read once the bytes that arrived
 * before it are read: a failed connection never reads as a clean end of stream.
 *
 * <p><b>Closing.</b> As CPython's {@code socket.close()}: while a stream from {@link
 * #openInputStream()} is open (a {@code makefile} object, such as {@code rfile}), {@code close()}
 * only marks the connection closed; it closes for real when the last such stream is closed
 * (CPython's {@code _io_refs} and {@code _real_close}), and meanwhile reads and writes work. Once
 * the output is shut down, as {@code shutdownRequest} does after the handler, {@code close()}
 * closes at once: by then CPython has collected the handler's files with the handler. The real
 * close happens after the last write completes.
 */
final class ChannelStream implements StreamRequest {
  static final int PREFETCH_BYTES = 64 * 1024;
  static final int MAX_WRITE_CHUNK = 64 * 1024;

  /** No maximum line length but the largest array. */
  static final int NO_MAX_LINE = ReceiveBuffer.MAX_ARRAY;

  static {
    // Load now the classes a connection may first need on a rare path (a failure, a long line):
    // a process out of file descriptors cannot open the jar to load them then, and the JVM keeps
    // failing a reference that failed to resolve once (FdExhaustionTest).
    loaded(SocketErrors.class, LineMemory.class, LineTooLongException.class, SocketInput.class);
  }

  final ReentrantLock lock = new ReentrantLock();
  final Condition changed = lock.newCondition();

  private final Channel channel;
  private final Transport transport;
  private final SocketAddress remoteAddress;
  private final SocketAddress localAddress;
  private final ConnectionInput input;
  private final ConnectionOutput output;
  private final StreamBridge bridge;
  private final ConnectionContext context = new ConnectionContext();

  // Guarded by lock.
  private SocketException failure; // the socket failed: reads and writes throw it
  private boolean closeCalled; // CPython's socket._closed
  private int openInputs; // CPython's socket._io_refs
  private boolean released; // closed for real (or aborted): CPython's _real_close
  private boolean detached;

  private volatile long timeoutNanos = -1;

  ChannelStream(Channel channel, Transport transport) {
    this(channel, transport, NO_MAX_LINE);
  }

  /**
   * @param maxLineLength the longest line {@code readLine} returns; a longer one fails with
   *     {@link io.github.socketserver4j.LineTooLongException}
   */
  ChannelStream(Channel channel, Transport transport, int maxLineLength) {
    this(channel, transport, maxLineLength, channel.remoteAddress(), channel.localAddress());
  }

  /**
   * @param remote the peer's address, where the channel cannot say (a connection reset before
   *     it was accepted); Netty's or the JDK's type
   * @param local the local address, likewise
   */
  ChannelStream(
      Channel channel, Transport transport, int maxLineLength, SocketAddress remote,
      SocketAddress local) {
    this(channel, transport, maxLineLength, remote, local, null);
  }

  /**
   * @param direct writes on the handler's thread ({@link DirectWriter}), or null
   */
  ChannelStream(
      Channel channel, Transport transport, int maxLineLength, SocketAddress remote,
      SocketAddress local, DirectWriter direct) {
    this.channel = channel;
    this.transport = transport;
    this.remoteAddress = Transport.fromNetty(remote);
    this.localAddress = Transport.fromNetty(local);
    this.input = new ConnectionInput(this, channel, Math.min(maxLineLength, NO_MAX_LINE));
    this.output = new ConnectionOutput(this, channel, direct);
    this.bridge = new StreamBridge(this, input);
  }

  /**
   * Event loop, before the connection is handed out: it came through a PROXY header, so a reset
   * before any request data is the proxy's, and reads see end of stream ({@link
   * ConnectionInput#behindProxy()}).
   */
  void behindProxy() {
    input.behindProxy();
  }

  /** The channel handler that feeds this stream; the pipeline's last. */
  ChannelHandler handler() {
    return bridge;
  }

  // ---- StreamRequest ----

  @Override
  public LineInputStream openInputStream() {
    lock.lock();
    try {
      if (!released) {
        openInputs++;
      }
    } finally {
      lock.unlock();
    }
    return new SocketInput(this);
  }

  @Override
  public OutputStream openOutputStream() {
    return new SocketWriter(this);
  }

  @Override
  public void setTimeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("Timeout value out of range: " + timeout);
    }
    timeoutNanos = OnDemandSocket.nanos(timeout);
  }

  @Override
  public void clearTimeout() {
    timeoutNanos = -1;
  }

  @Override
  public Optional<Duration> timeout() {
    long t = timeoutNanos;
    return t < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(t));
  }

  @Override
  public void setTcpNoDelay(boolean noDelay) throws IOException {
    if (!channel.config().setOption(ChannelOption.TCP_NODELAY, noDelay)) {
      // As CPython: setsockopt(TCP_NODELAY) on a Unix socket fails with EOPNOTSUPP.
      throw new SocketException("[Errno 95] Operation not supported: TCP_NODELAY on " + this);
    }
  }

  @Override
  public void shutdownOutput() throws IOException {
    lock.lock();
    try {
      if (released) {
        throw new SocketException("Socket is closed");
      }
      output.shutdown();
    } finally {
      lock.unlock();
    }
  }

  /** Python's {@code shutdown(SHUT_RD)}: what has arrived stays readable, then end of stream. */
  @Override
  public void shutdownInput() throws IOException {
    lock.lock();
    try {
      if (released) {
        throw new SocketException("Socket is closed");
      }
      input.end();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closeCalled = true;
      if (released || (openInputs > 0 && !output.isShut())) {
        return; // CPython: the makefile objects still open keep the socket
      }
      released = true;
      input.release();
      context.release();
      changed.signalAll();
      output.closeAfterWrites();
    } finally {
      lock.unlock();
    }
  }

  /** Closes at once: queued writes fail, blocked reads and writes throw. */
  @Override
  public void abort() {
    lock.lock();
    try {
      closeCalled = true;
      released = true;
      input.release();
      context.release();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    channel.close();
  }

  @Override
  public boolean isOpen() {
    lock.lock();
    try {
      return !closeCalled && !released && channel.isOpen();
    } finally {
      lock.unlock();
    }
  }

  /** The TLS session: captured at the handshake, or the pipeline's TLS handler's. */
  @Override
  public Optional<SSLSession> sslSession() {
    return context.sslSession(channel.pipeline());
  }

  @Override
  public SocketAddress remoteAddress() {
    return remoteAddress;
  }

  @Override
  public SocketAddress localAddress() {
    return localAddress;
  }

  @Override
  public int fileno() {
    lock.lock();
    try {
      return released ? -1 : transport.fd(channel);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "StreamRequest[" + localAddress + " <- " + remoteAddress + "]";
  }

  // ---- For the streams, the input and the output ----

  int read(byte[] b, int off, int len) throws IOException {
    return input.read(b, off, len);
  }

  byte[] readLine(int limit) throws IOException {
    return input.readLine(limit);
  }

  void write(byte[] b, int off, int len) throws IOException {
    output.write(b, off, len);
  }

  @Override
  public long sendfile(FileChannel file, long offset, long count) throws IOException {
    SendfileArguments.check(offset, count);
    return output.sendFile(file, offset, count);
  }

  /** On the event loop: the channel's writability changed; writers may go on. */
  void writabilityChanged() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** A stream from {@link #openInputStream()} was closed: CPython's {@code _decref_socketios}. */
  void inputStreamClosed() {
    lock.lock();
    try {
      if (openInputs > 0) {
        openInputs--;
      }
      if (closeCalled && openInputs == 0) {
        close();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Bytes that can be read without blocking. */
  int available() {
    lock.lock();
    try {
      return (int) Math.min(Integer.MAX_VALUE, input.available());
    } finally {
      lock.unlock();
    }
  }

  long timeoutNanos() {
    return timeoutNanos;
  }

  /** Lock held: whether the connection was closed for real or aborted. */
  boolean released() {
    return released;
  }

  /** Lock held: whether the connection was handed to event-loop handlers. */
  boolean detached() {
    return detached;
  }

  /** Lock held: the connection's failure, or null. */
  SocketException failure() {
    return failure;
  }

  /** Lock held: records the connection's failure (the first one counts) and wakes the waiters. */
  void fail(SocketException e) {
    if (failure == null) {
      failure = e;
    }
    changed.signalAll();
  }

  /** Lock held: throws the connection's failure, if it failed. */
  void checkNotFailed() throws SocketException {
    if (failure != null) {
      throw SocketErrors.again(failure);
    }
  }

  /** Lock held: throws if the connection was closed for real or handed off. */
  void checkUsable() throws SocketException {
    if (released) {
      throw new SocketException("Socket is closed");
    }
    if (detached) {
      throw new IllegalStateException(
          "the connection was handed to event-loop handlers; use them to read and write: " + this);
    }
  }

  void checkBlockingAllowed() {
    if (channel.eventLoop().inEventLoop()) {
      throw new IllegalStateException(
          "Blocking socket I/O on a Netty event loop thread would deadlock: " + this);
    }
  }

  /**
   * Lock held: waits for a change, or until {@code deadline} when {@code timeout} is not negative.
   * Returns whether the thread was interrupted; the wait itself is not cut short (PEP 475).
   */
  boolean await(long timeout, long deadline) throws SocketTimeoutException {
    try {
      if (timeout < 0) {
        changed.await();
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new SocketTimeoutException("timed out");
        }
        changed.awaitNanos(left);
      }
      return false;
    } catch (InterruptedException e) {
      return true;
    }
  }

  private static void loaded(Class<?>... classes) {
    // The class literals loaded them.
  }

  static void restoreInterrupt(boolean interrupted) {
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- For the transport ----

  /** The connection's channel. */
  Channel channel() {
    return channel;
  }

  /** What the handlers in front of the bridge learnt: TLS session, PROXY header. */
  ConnectionContext context() {
    return context;
  }

  /**
   * On the event loop: hands the connection to other channel handlers (see {@link
   * EventLoopRequestHandler}). The bridge stops reading and returns the bytes it holds (null if
   * none); the caller takes {@link #handler()} out of the pipeline. Closing and shutting down
   * still work; reading and writing through it then throw.
   */
  ByteBuf detach() {
    lock.lock();
    try {
      detached = true;
      changed.signalAll();
      return input.detach();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The connection failed before it was served (reset before the accept): reads and writes fail
   * with {@code cause}, as if the event loop had read it. Any thread.
   */
  void failedBeforeServed(Throwable cause) {
    input.failed(cause);
  }

  /** Whether the peer has ended its output (or the connection failed). */
  boolean inputEnded() {
    lock.lock();
    try {
      return input.ended();
    } finally {
      lock.unlock();
    }
  }

  /** Which path writes take, for the connection's DEBUG line. */
  String writePath() {
    return output.path();
  }

  /** Bytes written on the handler's thread, below Netty (for tests). */
  long directBytes() {
    return output.directBytes();
  }

  /** Whether writes may still go below Netty: the channel is registered and open (for tests). */
  boolean directWriterOpen() {
    return output.directWriterOpen();
  }

  /** Bytes queued in Netty and not yet written to the socket (for tests). */
  long pendingOutboundBytes() {
    var buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }
}
