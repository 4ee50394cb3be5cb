package io.github.socketserver4j.netty;

import io.github.socketserver4j.LineTooLongException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.SocketException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of one connection: what the event loop read, the handler's blocking reads
 * of it, and when to ask for more. Runs under its {@link ChannelStream}'s lock, which the event
 * loop's calls (from {@link StreamBridge}) take too.
 *
 * <p>Auto-read is off. The first blocking read asks Netty for data; from then on the event loop
 * keeps one read armed while fewer than {@link ChannelStream#PREFETCH_BYTES} bytes wait in the
 * transport's buffers, so memory per connection is bounded and a slow handler pushes back on the
 * peer through TCP. A line still being read moves to the heap as it grows ({@link
 * ReceiveBuffer}), so it never holds the transport's memory and costs linear time.
 */
final class ConnectionInput {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionInput.class);

  private final ChannelStream connection;
  private final Channel channel;
  private final int maxLineLength;

  // Guarded by connection.lock.
  private final ReceiveBuffer received = new ReceiveBuffer();
  private boolean reading;
  private boolean readPending;
  private boolean ended;
  private SocketException error; // a handler in the pipeline failed: reads throw it
  private boolean receivedAny; // a byte of request data has come
  private boolean behindProxy; // the connection began with a PROXY header

  ConnectionInput(ChannelStream connection, Channel channel, int maxLineLength) {
    this.connection = connection;
    this.channel = channel;
    this.maxLineLength = maxLineLength;
  }

  // ---- Fed by the StreamBridge, on the event loop ----

  void received(ByteBuf buf) {
    connection.lock.lock();
    try {
      // Data that Netty delivers after the end-of-input event still came before the FIN: keep it.
      if (connection.released() || connection.detached()) {
        buf.release();
        return;
      }
      receivedAny |= buf.isReadable();
      received.add(buf);
      connection.changed.signalAll();
    } finally {
      connection.lock.unlock();
    }
  }

  /** A read finished; returns whether to read on. */
  boolean readComplete() {
    connection.lock.lock();
    try {
      readPending = false;
      boolean more = wantsMore();
      readPending = more;
      if (!more) {
        // A reader past the prefetch mark asks for its own next read; it may have looked while
        // this read was still pending, so wake it to look again.
        connection.changed.signalAll();
      }
      return more;
    } finally {
      connection.lock.unlock();
    }
  }

  /** The peer ended its output, or the channel closed. */
  void end() {
    connection.lock.lock();
    try {
      ended = true;
      connection.changed.signalAll();
    } finally {
      connection.lock.unlock();
    }
  }

  /**
   * Reading failed: a failure of the socket fails the whole connection; one of a handler in the
   * pipeline (TLS, a decoder) fails the reads only.
   */
  void failed(Throwable cause) {
    connection.lock.lock();
    try {
      if (behindProxy && !receivedAny && !ended && SocketErrors.endsConnection(cause)) {
        // A proxy's connection reset before any request data: HAProxy ends each health check
        // so (a LOCAL header, then a reset), and so it forwards a client that went away. As a
        // connection closed before its request, it is no error: reads see end of stream.
        LOG.debug(
            "The connection from {} (behind a PROXY header) was reset before any request data;"
                + " reads see end of stream: {}",
            connection.remoteAddress(),
            cause.toString());
        ended = true;
        connection.changed.signalAll();
        return;
      }
      if (SocketErrors.endsConnection(cause)) {
        connection.fail(SocketErrors.failed(SocketErrors.READ, cause));
      } else if (error == null && !ended) {
        error = SocketErrors.failed(SocketErrors.READ, cause);
      }
      ended = true;
      connection.changed.signalAll();
    } finally {
      connection.lock.unlock();
    }
  }

  /**
   * Event loop: the connection began with a PROXY header, so a reset before its first byte of
   * request data reads as end of stream instead of failing, logged at DEBUG.
   */
  void behindProxy() {
    connection.lock.lock();
    try {
      behindProxy = true;
    } finally {
      connection.lock.unlock();
    }
  }

  /** Whether the event loop should read more now. Lock held. */
  private boolean wantsMore() {
    return reading
        && !readPending
        && !connection.released()
        && !ended
        && received.inTransportBuffers() < ChannelStream.PREFETCH_BYTES;
  }

  // ---- Reads, on the handler's thread ----

  int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    connection.checkBlockingAllowed();
    boolean interrupted = false;
    connection.lock.lock();
    try {
      long timeout = connection.timeoutNanos();
      long deadline = System.nanoTime() + Math.max(timeout, 0);
      while (received.readable() == 0) {
        if (!mayCome()) {
          return -1;
        }
        armRead();
        interrupted |= connection.await(timeout, deadline);
      }
      int n = received.read(b, off, len);
      consumed();
      return n;
    } finally {
      connection.lock.unlock();
      ChannelStream.restoreInterrupt(interrupted);
    }
  }

  byte[] readLine(int limit) throws IOException {
    if (limit == 0) {
      return new byte[0];
    }
    connection.checkBlockingAllowed();
    // The most bytes to look at for a newline, and what to do when they hold none.
    int cap = limit < 0 ? maxLineLength : Math.min(limit, maxLineLength);
    boolean partialAtCap = limit >= 0 && limit <= maxLineLength;
    boolean interrupted = false;
    connection.lock.lock();
    try {
      long timeout = connection.timeoutNanos();
      long deadline = System.nanoTime() + Math.max(timeout, 0);
      long seen = received.readable();
      int scanned = received.held(); // known to hold no '\n'; nothing is consumed until we return
      while (true) {
        long readable = received.readable();
        if (readable > seen) {
          // The timeout bounds each wait for data, as CPython's applies to each recv, not to
          // the whole line: a line that trickles in slower than the timeout is still read.
          seen = readable;
          deadline = System.nanoTime() + Math.max(timeout, 0);
        }
        int window = (int) Math.min(readable, cap);
        if (window > scanned) {
          int newline = received.indexOf(scanned, window, (byte) '\n');
          if (newline >= 0) {
            return take(newline + 1);
          }
          scanned = window;
        }
        if (readable >= cap) {
          if (partialAtCap) {
            return take(cap);
          }
          throw tooLong(cap);
        }
        if (!mayCome()) {
          return take((int) readable); // the last, unterminated line; empty at end of stream
        }
        if (!received.hold(scanned)) {
          throw ReceiveBuffer.tooLongForMemory(scanned);
        }
        armRead();
        interrupted |= connection.await(timeout, deadline);
      }
    } finally {
      connection.lock.unlock();
      ChannelStream.restoreInterrupt(interrupted);
    }
  }

  /** Bytes that can be read without blocking. Lock held. */
  long available() {
    return received.readable();
  }

  /**
   * Lock held, nothing more to read here: false at end of stream.
   *
   * @throws IOException if the connection failed or was closed
   */
  private boolean mayCome() throws IOException {
    connection.checkUsable();
    connection.checkNotFailed();
    if (error != null) {
      throw SocketErrors.again(error);
    }
    return !ended;
  }

  /** Lock held: asks the event loop for a read unless one is pending. */
  private void armRead() {
    reading = true;
    if (!readPending) {
      readPending = true;
      channel.read();
    }
  }

  private byte[] take(int n) throws IOException {
    byte[] out = received.take(n);
    consumed();
    return out;
  }

  /** Lock held: keeps a read armed while below the prefetch mark. */
  private void consumed() {
    if (wantsMore()) {
      readPending = true;
      channel.read();
    }
  }

  private static LineTooLongException tooLong(int cap) {
    return cap == ChannelStream.NO_MAX_LINE
        ? new LineTooLongException(
            "line longer than the largest Java array: " + cap + " bytes read without a newline",
            cap)
        : new LineTooLongException(
            "line longer than the maximum of "
                + cap
                + " bytes (NettyOptions maxLineLength): "
                + cap
                + " bytes read without a newline",
            cap);
  }

  // ---- The connection's end ----

  /** Whether the peer has ended its output (or reading failed). Lock held. */
  boolean ended() {
    return ended;
  }

  /** Lock held: stops reading and returns the bytes held (null if none) for other handlers. */
  ByteBuf detach() {
    reading = false;
    return received.detach(channel.alloc());
  }

  /** Lock held: frees what was received and not read. */
  void release() {
    received.release();
  }
}
