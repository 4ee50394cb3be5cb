package io.github.socketserver4j.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sending side of one connection: the handler's blocking writes, and the shutdown and close
 * that must follow the last of them. Runs under its {@link ChannelStream}'s lock.
 *
 * <p>{@code write} copies the caller's bytes into buffers of at most {@link
 * ChannelStream#MAX_WRITE_CHUNK}, sends it on this thread where a {@link DirectWriter} can, else
 * hands it to the event loop and, while more than the channel's high water mark is on its way
 * there, waits for it to drain: {@code sendall} semantics with bounded memory, never a partial
 * write (the Jython lesson). A write that the event loop could not send fails the
 * connection ({@link ChannelStream#fail}): every later write and read throws it.
 *
 * <p>{@code shutdownOutput} and the real close run after the last write completes, because Netty
 * fails writes still queued when a channel closes.
 */
final class ConnectionOutput {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionOutput.class);

  /** The largest buffer {@link #sendFile} reads a file into. */
  private static final int MAX_FILE_CHUNK = ChannelStream.MAX_WRITE_CHUNK;

  /** How long a closed connection may keep trying to deliver its last bytes. */
  private static final long LINGER_SECONDS = 60;

  /** How long a write into a closed channel waits for the writes before it to fail. */
  private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final ChannelStream connection;
  private final Channel channel;
  /** Bytes handed to the event loop whose write has not completed. */
  private final AtomicLong queued = new AtomicLong();

  /** Whether the writer waits for {@link #queued} to drop (set under the lock). */
  private volatile boolean waiting;

  /** Writes on the handler's thread where it can, or null: every write goes through the loop. */
  private final DirectWriter direct;

  // Guarded by connection.lock.
  private boolean shut;
  private ChannelFuture lastWrite;

  ConnectionOutput(ChannelStream connection, Channel channel, DirectWriter direct) {
    this.connection = connection;
    this.channel = channel;
    this.direct = direct;
  }

  /** Bytes written on the handler's thread so far (for tests). */
  long directBytes() {
    return direct == null ? 0 : direct.bytesSent();
  }

  /** Whether the direct writer is open (for tests). */
  boolean directWriterOpen() {
    return direct != null && direct.isOpen();
  }

  /** Which path writes take, for the connection's DEBUG line. */
  String path() {
    return direct == null ? "writes through the event loop" : "direct writes";
  }

  // ---- On the handler's thread ----

  void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return;
    }
    connection.checkBlockingAllowed();
    boolean interrupted = false;
    connection.lock.lock();
    try {
      long timeout = connection.timeoutNanos();
      long deadline = System.nanoTime() + Math.max(timeout, 0);
      while (len > 0) {
        checkWritable();
        int n = Math.min(len, ChannelStream.MAX_WRITE_CHUNK);
        ByteBuf buf = channel.alloc().buffer(n);
        buf.writeBytes(b, off, n);
        off += n;
        len -= n;
        interrupted |= send(buf, timeout, deadline);
      }
    } finally {
      connection.lock.unlock();
      ChannelStream.restoreInterrupt(interrupted);
    }
  }

  /**
   * Python's {@code sendfile(file, offset, count)}: as {@link #write}, but each chunk is read from
   * the file straight into the buffer that is sent (one copy, where the generic form reads into a
   * {@code byte[]} and copies that). Returns the bytes sent; the file's position ends after them.
   */
  long sendFile(FileChannel file, long offset, long count) throws IOException {
    connection.checkBlockingAllowed();
    boolean interrupted = false;
    long sent = 0;
    connection.lock.lock();
    try {
      long timeout = connection.timeoutNanos();
      long deadline = System.nanoTime() + Math.max(timeout, 0);
      long size = file.size();
      while (sent < count && offset + sent < size) {
        checkWritable();
        int n = (int) Math.min(Math.min(count - sent, size - offset - sent), MAX_FILE_CHUNK);
        ByteBuf buf = channel.alloc().buffer(n);
        int got;
        try {
          got = buf.writeBytes(file, offset + sent, n);
        } catch (IOException | RuntimeException e) {
          buf.release();
          throw e;
        }
        if (got <= 0) {
          buf.release();
          break; // the file shrank
        }
        interrupted |= send(buf, timeout, deadline);
        sent += got;
      }
    } finally {
      connection.lock.unlock();
      file.position(offset + sent);
      ChannelStream.restoreInterrupt(interrupted);
    }
    return sent;
  }

  /**
   * Sends {@code buf} on this thread where the {@link DirectWriter} can, else hands (the rest of)
   * it to the event loop and, while more than the channel's high water mark is on its way there,
   * waits for it to drain. Lock held. Returns whether the thread was interrupted meanwhile.
   */
  private boolean send(ByteBuf buf, long timeout, long deadline) throws IOException {
    if (sentDirectly(buf)) {
      return false;
    }
    boolean interrupted = false;
    int size = buf.readableBytes();
    queued.addAndGet(size);
    // The listener goes on before the loop can fail the write: attached later, to a write that
    // failed already, Netty would run it after channelInactive, and a read in between would see
    // a clean end of stream (ResetDuringTheLastWriteTest). Attached first, it runs inside the
    // failure, before the close reaches the pipeline.
    ChannelPromise written = channel.newPromise();
    written.addListener((ChannelFutureListener) f -> writeDone(f, size));
    lastWrite = written;
    channel.writeAndFlush(buf, written);
    // The channel's writability, and our own count of the bytes on their way: Netty's
    // pending count dips while the event loop moves a write from its task into the outbound
    // buffer, and a writer that looked only at writability then would queue past the bound
    // (BackpressureTest). Wakes on a writability change, and on writeDone.
    long high = channel.config().getWriteBufferHighWaterMark();
    waiting = true; // before the checks: writeDone reads it after its count
    while ((!channel.isWritable() || queued.get() > high)
        && channel.isActive()
        && connection.failure() == null
        && !connection.released()) {
      interrupted |= connection.await(timeout, deadline);
    }
    waiting = false;
    if (!channel.isActive()) {
      settleWrites(); // closed while it held our bytes: their fate, not a normal return
    }
    connection.checkNotFailed();
    connection.checkUsable();
    return interrupted;
  }

  /**
   * Lock held: sends {@code buf} on this thread if no earlier write is still on its way through
   * the event loop; true if all of it went (it is released), false if the rest must follow it
   * there. A failure fails the connection as the event loop's write would have: same exception,
   * and the channel closes (Netty closes it after a failed write).
   */
  private boolean sentDirectly(ByteBuf buf) throws IOException {
    ChannelFuture last = lastWrite;
    if (direct == null || (last != null && !last.isSuccess())) {
      return false; // a write in flight (or one that failed: let the loop report it)
    }
    boolean sent;
    try {
      sent = direct.send(buf);
    } catch (IOException e) {
      buf.release();
      connection.fail(SocketErrors.failed(SocketErrors.WRITE, e));
      channel.close();
      connection.checkNotFailed();
      throw e; // not reached: the connection failed just now
    }
    if (sent && !buf.isReadable()) {
      buf.release();
      return true;
    }
    return false;
  }

  private void checkWritable() throws IOException {
    connection.checkUsable();
    connection.checkNotFailed();
    if (shut) {
      throw new SocketException("write failed: [Errno 32] Broken pipe (the output was shut down)");
    }
    if (!channel.isActive()) {
      settleWrites();
      connection.checkNotFailed();
      throw new SocketException("write failed: the connection was closed");
    }
  }

  /**
   * Lock held, the channel closed: waits for the writes still on their way to the event loop to
   * complete. Netty marks the channel inactive before it fails the writes it held (in the same
   * task), so a write that comes in between would otherwise throw "closed" while the write that
   * failed records its own error a moment later, and later calls throw that one instead
   * (ConnectionFailureTest#writeBetweenTheCloseAndTheFailedWriteThrowsThatFailure). Also after
   * a chunk handed to the loop as the channel closed: the write then throws what became of it
   * rather than returning (ResetDuringTheLastWriteTest).
   */
  private void settleWrites() {
    long deadline = System.nanoTime() + SETTLE_NANOS;
    boolean interrupted = false;
    waiting = true;
    try {
      while (queued.get() > 0 && connection.failure() == null && !connection.released()) {
        interrupted |= connection.await(SETTLE_NANOS, deadline);
      }
    } catch (SocketTimeoutException e) {
      LOG.debug("Writes to {} still unsettled after the close", connection.remoteAddress());
    } finally {
      waiting = false;
      ChannelStream.restoreInterrupt(interrupted);
    }
  }

  /** On the event loop: a write of {@code size} bytes completed. */
  private void writeDone(ChannelFuture future, int size) {
    if (future.isSuccess()) {
      long left = queued.addAndGet(-size);
      if (waiting && left <= channel.config().getWriteBufferHighWaterMark()) {
        connection.writabilityChanged(); // the writer may go on
      }
    } else {
      connection.lock.lock();
      try {
        if (!connection.released()) { // an abort fails the queued writes: no news
          connection.fail(SocketErrors.failed(SocketErrors.WRITE, future.cause()));
        }
        queued.addAndGet(-size); // after the failure: settleWrites sees both or neither
        connection.changed.signalAll();
      } finally {
        connection.lock.unlock();
      }
    }
  }

  // ---- Shutdown and close ----

  /** Whether the output was shut down. Lock held. */
  boolean isShut() {
    return shut;
  }

  /**
   * Sends FIN after every byte written: Python's {@code shutdown(SHUT_WR)}; over TLS, {@code
   * close_notify} first. Lock held; does nothing the second time.
   */
  void shutdown() {
    if (shut) {
      return;
    }
    shut = true;
    afterWrites(lastWrite, () -> Handlers.shutdownOutput(channel));
  }

  /** Closes the channel once the last write completed, giving the peer 60 s to take it. */
  void closeAfterWrites() {
    ChannelFuture last = lastWrite;
    if (last != null && !last.isDone()) {
      lingerThenClose();
    }
    afterWrites(last, channel::close);
  }

  /** The peer has not taken everything yet: keep trying, but not forever. */
  private void lingerThenClose() {
    try {
      var linger =
          channel
              .eventLoop()
              .schedule(
                  () -> {
                    if (channel.isOpen()) {
                      LOG.warn(
                          "Closing connection to {}: the peer took no data for {} s after close",
                          connection.remoteAddress(),
                          LINGER_SECONDS);
                      channel.close();
                    }
                  },
                  LINGER_SECONDS,
                  TimeUnit.SECONDS);
      channel.closeFuture().addListener(f -> linger.cancel(false));
    } catch (RejectedExecutionException e) {
      // The loop has ended, so the channel is closed already.
    }
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
}
