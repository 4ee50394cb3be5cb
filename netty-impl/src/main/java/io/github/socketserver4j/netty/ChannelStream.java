package io.github.socketserver4j.netty;

import io.github.socketserver4j.LineInputStream;
import io.github.socketserver4j.StreamRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blocking-stream bridge: one accepted connection as a {@link StreamRequest}, and the
 * channel handler that feeds it.
 *
 * <p><b>Reading.</b> Auto-read is off. The first blocking read asks Netty for data; from then on
 * the event loop keeps one read armed while fewer than {@link #PREFETCH_BYTES} bytes wait here, so
 * memory per connection is bounded and a slow handler pushes back on the peer through TCP.
 *
 * <p><b>Writing.</b> {@code write} copies the caller's bytes into buffers of at most {@link
 * #MAX_WRITE_CHUNK}, hands each to the event loop and, while the channel is over its high water
 * mark, waits for it to drain: {@code sendall} semantics with bounded memory, never a partial
 * write (the Jython lesson).
 *
 * <p><b>Closing.</b> {@code shutdownOutput} and {@code close} run after the last write completes,
 * because Netty fails writes still queued when a channel closes.
 *
 * <p>All waits use a {@link ReentrantLock}, never a monitor, so virtual threads do not pin.
 */
final class ChannelStream extends ChannelInboundHandlerAdapter implements StreamRequest {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelStream.class);

  static final int PREFETCH_BYTES = 64 * 1024;
  static final int MAX_WRITE_CHUNK = 64 * 1024;
  private static final int MAX_COMPONENTS = 64;

  /** How long a closed connection may keep trying to deliver its last bytes. */
  private static final long LINGER_SECONDS = 60;

  private final Channel channel;
  private final Transport transport;
  private final SocketAddress remoteAddress;
  private final SocketAddress localAddress;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ChannelFutureListener writeDone = this::writeDone;

  // Guarded by lock.
  private CompositeByteBuf inbound;
  private boolean reading;
  private boolean readPending;
  private boolean inputEnded;
  private IOException inputError;
  private IOException outputError;
  private boolean outputShut;
  private boolean closed;
  private boolean detached;
  private ChannelFuture lastWrite;

  private volatile long timeoutNanos = -1;

  ChannelStream(Channel channel, Transport transport) {
    this.channel = channel;
    this.transport = transport;
    this.remoteAddress = Transport.fromNetty(channel.remoteAddress());
    this.localAddress = Transport.fromNetty(channel.localAddress());
  }

  // ---- Event loop side ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf)) {
      // A handler in front decodes bytes into something else: the stream is lost from here.
      ReferenceCountUtil.release(msg);
      endInput(
          new IOException(
              "a pipeline handler passed a " + msg.getClass().getName()
                  + " on; the blocking bridge reads ByteBufs only"));
      return;
    }
    ByteBuf buf = (ByteBuf) msg;
    lock.lock();
    try {
      // Data that Netty delivers after the end-of-input event still came before the FIN: keep it.
      if (closed) {
        buf.release();
        return;
      }
      if (inbound == null) {
        inbound = ctx.alloc().compositeBuffer(MAX_COMPONENTS);
      }
      inbound.addComponent(true, buf);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    boolean more;
    lock.lock();
    try {
      readPending = false;
      more = wantsMore();
      readPending = more;
      if (!more) {
        // A reader past the prefetch mark (a long line) asks for its own next read; it may have
        // looked while this read was still pending, so wake it to look again. When the read is
        // re-armed here nothing a reader waits on has changed: channelRead signalled the data.
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (more) {
      ctx.read();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      endInput(null);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    endInput(null);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A read failed (for example a reset): the handler sees it on its next read.
    endInput(cause instanceof IOException ? (IOException) cause : new IOException(cause));
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    signal();
    ctx.fireChannelWritabilityChanged();
  }

  private void endInput(IOException error) {
    lock.lock();
    try {
      if (error != null && inputError == null && !inputEnded) {
        inputError = error;
      }
      inputEnded = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void writeDone(ChannelFuture future) {
    if (!future.isSuccess()) {
      lock.lock();
      try {
        if (outputError == null) {
          Throwable cause = future.cause();
          outputError =
              cause instanceof IOException
                  ? (IOException) cause
                  : new IOException(String.valueOf(cause.getMessage()), cause);
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Whether the event loop should read more now. Lock held. */
  private boolean wantsMore() {
    return reading && !readPending && !closed && !inputEnded && readable() < PREFETCH_BYTES;
  }

  // ---- Handler side: reads ----

  int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    checkBlockingAllowed();
    boolean interrupted = false;
    lock.lock();
    try {
      long timeout = timeoutNanos;
      long deadline = System.nanoTime() + Math.max(timeout, 0);
      while (readable() == 0) {
        if (!inputMayCome()) {
          return -1;
        }
        interrupted |= await(timeout, deadline);
      }
      int n = Math.min(len, readable());
      inbound.readBytes(b, off, n);
      consumed();
      return n;
    } finally {
      lock.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  byte[] readLine(int limit) throws IOException {
    if (limit == 0) {
      return new byte[0];
    }
    checkBlockingAllowed();
    boolean interrupted = false;
    lock.lock();
    try {
      long timeout = timeoutNanos;
      long deadline = System.nanoTime() + Math.max(timeout, 0);
      int scanned = 0; // bytes known to hold no '\n'; nothing is consumed before we return
      int seen = readable();
      while (true) {
        int readable = readable();
        if (readable > seen) {
          // The timeout bounds each wait for data, as CPython's applies to each recv, not to
          // the whole line: a line that trickles in slower than the timeout is still read.
          seen = readable;
          deadline = System.nanoTime() + Math.max(timeout, 0);
        }
        int window = limit < 0 ? readable : Math.min(readable, limit);
        if (window > scanned) {
          int start = inbound.readerIndex();
          int newline = inbound.indexOf(start + scanned, start + window, (byte) '\n');
          if (newline >= 0) {
            return take(newline - start + 1);
          }
          scanned = window;
        }
        if (limit >= 0 && readable >= limit) {
          return take(limit);
        }
        if (!inputMayCome()) {
          return take(readable); // the last, unterminated line; empty at end of stream
        }
        interrupted |= await(timeout, deadline);
      }
    } finally {
      lock.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  int available() {
    lock.lock();
    try {
      return readable();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Lock held, nothing more to read here: false at end of stream, else asks for more data.
   *
   * @throws IOException if the connection failed or was closed
   */
  private boolean inputMayCome() throws IOException {
    if (closed) {
      throw new SocketException("Socket is closed");
    }
    checkAttached();
    if (inputError != null) {
      throw failure(inputError);
    }
    if (inputEnded) {
      return false;
    }
    reading = true;
    if (!readPending) {
      readPending = true;
      channel.read();
    }
    return true;
  }

  private byte[] take(int n) {
    byte[] out = new byte[n];
    if (n > 0) {
      inbound.readBytes(out);
      consumed();
    }
    return out;
  }

  /** Lock held: frees drained buffers and keeps a read armed while below the prefetch mark. */
  private void consumed() {
    inbound.discardReadComponents();
    if (wantsMore()) {
      readPending = true;
      channel.read();
    }
  }

  private int readable() {
    return inbound == null ? 0 : inbound.readableBytes();
  }

  // ---- Handler side: writes ----

  void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return;
    }
    checkBlockingAllowed();
    boolean interrupted = false;
    lock.lock();
    try {
      long timeout = timeoutNanos;
      long deadline = System.nanoTime() + Math.max(timeout, 0);
      while (len > 0) {
        checkWritable();
        int n = Math.min(len, MAX_WRITE_CHUNK);
        ByteBuf buf = channel.alloc().buffer(n);
        buf.writeBytes(b, off, n);
        ChannelFuture written = channel.writeAndFlush(buf);
        lastWrite = written;
        written.addListener(writeDone);
        off += n;
        len -= n;
        // The pending bytes count at once, so this sees the backlog of the write just queued.
        while (!channel.isWritable() && channel.isActive() && outputError == null) {
          interrupted |= await(timeout, deadline);
        }
        if (outputError != null) {
          throw failure(outputError);
        }
      }
    } finally {
      lock.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void checkWritable() throws IOException {
    if (closed) {
      throw new SocketException("Socket is closed");
    }
    checkAttached();
    if (outputError != null) {
      throw failure(outputError);
    }
    if (inputError != null && isReset(inputError)) {
      // A reset ends both directions: fail now, as sendall does, not later on the event loop.
      throw failure(inputError);
    }
    if (outputShut) {
      throw new SocketException("Broken pipe: output was shut down");
    }
    if (!channel.isActive()) {
      throw new SocketException("Broken pipe: connection closed");
    }
  }

  // ---- StreamRequest ----

  @Override
  public LineInputStream openInputStream() {
    return new InputView();
  }

  @Override
  public OutputStream openOutputStream() {
    return new OutputView();
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
    ChannelFuture last;
    lock.lock();
    try {
      if (closed) {
        throw new SocketException("Socket is closed");
      }
      if (outputShut) {
        return;
      }
      outputShut = true;
      last = lastWrite;
    } finally {
      lock.unlock();
    }
    afterWrites(last, () -> Handlers.shutdownOutput(channel)); // over TLS: close_notify, then FIN
  }

  /** Python's {@code shutdown(SHUT_RD)}: what has arrived stays readable, then end of stream. */
  @Override
  public void shutdownInput() throws IOException {
    lock.lock();
    try {
      if (closed) {
        throw new SocketException("Socket is closed");
      }
      inputEnded = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    ChannelFuture last;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      last = lastWrite;
      releaseInbound();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (last != null && !last.isDone()) {
      // The peer has not taken everything yet: keep trying, but not forever.
      var linger =
          channel
              .eventLoop()
              .schedule(
                  () -> {
                    if (channel.isOpen()) {
                      LOG.warn(
                          "Closing connection to {}: the peer took no data for {} s after close",
                          remoteAddress,
                          LINGER_SECONDS);
                      channel.close();
                    }
                  },
                  LINGER_SECONDS,
                  TimeUnit.SECONDS);
      channel.closeFuture().addListener(f -> linger.cancel(false));
    }
    afterWrites(last, channel::close);
  }

  /** Closes at once: queued writes fail, blocked reads and writes throw. */
  @Override
  public void abort() {
    lock.lock();
    try {
      closed = true;
      releaseInbound();
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
      return !closed && channel.isOpen();
    } finally {
      lock.unlock();
    }
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
    return closed ? -1 : transport.fd(channel);
  }

  @Override
  public String toString() {
    return "StreamRequest[" + localAddress + " <- " + remoteAddress + "]";
  }

  /** The connection's channel. */
  Channel channel() {
    return channel;
  }

  /**
   * On the event loop: hands the connection to other channel handlers (see {@link
   * EventLoopRequestHandler}). The bridge stops reading and returns the bytes it holds (null if
   * none); the caller takes it out of the pipeline. Closing and shutting down still work; reading
   * and writing through it then throw.
   */
  ByteBuf detach() {
    lock.lock();
    try {
      detached = true;
      reading = false;
      ByteBuf rest = inbound;
      inbound = null;
      changed.signalAll();
      return rest;
    } finally {
      lock.unlock();
    }
  }

  /** Whether the peer has ended its output (or the connection failed). */
  boolean inputEnded() {
    lock.lock();
    try {
      return inputEnded;
    } finally {
      lock.unlock();
    }
  }

  private void checkAttached() {
    if (detached) {
      throw new IllegalStateException(
          "the connection was handed to event-loop handlers; use them to read and write: " + this);
    }
  }

  /** Bytes queued in Netty and not yet written to the socket (for tests). */
  long pendingOutboundBytes() {
    var buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  private void afterWrites(ChannelFuture last, Runnable action) {
    if (last == null) {
      try {
        channel.eventLoop().execute(action);
      } catch (RejectedExecutionException e) {
        // The loop has ended, so the channel is closed already: nothing left to shut or close.
      }
    } else {
      last.addListener(f -> action.run());
    }
  }

  private void releaseInbound() {
    if (inbound != null) {
      inbound.release();
      inbound = null;
    }
  }

  private void checkBlockingAllowed() {
    if (channel.eventLoop().inEventLoop()) {
      throw new IllegalStateException(
          "Blocking socket I/O on a Netty event loop thread would deadlock: " + this);
    }
  }

  /**
   * Lock held: waits for a change, or until {@code deadline} when {@code timeout} is not negative.
   * Returns whether the thread was interrupted; the wait itself is not cut short (PEP 475).
   */
  private boolean await(long timeout, long deadline) throws SocketTimeoutException {
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

  private static boolean isReset(IOException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("Connection reset") || message.contains("Broken pipe");
  }

  private static SocketException failure(IOException stored) {
    SocketException e = new SocketException(stored.getMessage());
    e.initCause(stored);
    return e;
  }

  /** A {@code makefile('rb')} view; closing it leaves the connection open. */
  private final class InputView extends LineInputStream {
    private volatile boolean viewClosed;

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      return ChannelStream.this.read(b, off, len);
    }

    @Override
    public byte[] readLine(int limit) throws IOException {
      ensureOpen();
      return ChannelStream.this.readLine(limit);
    }

    @Override
    public int available() throws IOException {
      ensureOpen();
      return ChannelStream.this.available();
    }

    @Override
    public void close() {
      viewClosed = true;
    }

    private void ensureOpen() throws IOException {
      if (viewClosed) {
        throw new IOException("Stream closed");
      }
    }
  }

  /** CPython's {@code _SocketWriter}: unbuffered, whole writes; closing it leaves the socket. */
  private final class OutputView extends OutputStream {
    private volatile boolean viewClosed;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      ChannelStream.this.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      ensureOpen(); // nothing is buffered here
    }

    @Override
    public void close() {
      viewClosed = true;
    }

    private void ensureOpen() throws IOException {
      if (viewClosed) {
        throw new IOException("Stream closed");
      }
    }
  }
}
