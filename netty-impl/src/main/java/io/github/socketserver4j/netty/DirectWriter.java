package io.github.socketserver4j.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.IoHandle;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;

/**
 * {@code send} on the handler's thread, below Netty: the write half of CPython's blocking socket
 * without a hand-off to the event loop. Used by {@link ConnectionOutput} on a connection {@link
 * DirectAccept} took (epoll, no handlers of the user's, no TLS or PROXY) while none of its writes
 * is on its way through the event loop; what the socket buffer cannot take goes through the event
 * loop as before. {@link NettyOptions.Builder#directWrite} and the system property {@value
 * #PROPERTY} turn it off.
 *
 * <p><b>The descriptor is the channel's</b>, used without a duplicate (one would cost system
 * calls per connection), so a {@code send} must never run once Netty may have closed it: the
 * number would go to the next socket the process opens. Netty closes an epoll channel's
 * descriptor only in {@code AbstractEpollChannel.doClose()}, and while the channel is registered
 * that first cancels its {@code IoRegistration}, on the event loop, before {@code close(2)} (an
 * {@code SO_LINGER} close cancels it in {@code prepareToClose}, also first). {@code
 * EpollSocketChannel} is final, so this class hooks the cancel instead of {@code doClose}: the
 * servers' own loops wrap every registration ({@link EpollEmptyInterestFix}), and the wrapper of a
 * channel that has a writer calls {@link #closing()} before it cancels. {@code closing()} takes
 * the write side of a lock, and each {@code send} holds the read side and runs only while the
 * writer is open: a short non-blocking call, so the event loop waits for at most one of them.
 * The writer opens when the channel's registration is made ({@link #registered}); before that,
 * and on loops without the wrapper (a user's group not made with {@link
 * NettyOptions#ioHandlerFactory}), it stays closed and every write goes through the event loop.
 */
final class DirectWriter {
  /**
   * The system property that turns the path off for servers whose {@code NettyOptions} do not
   * say: {@code -Dsocketserver4j.netty.directWrite=false}. Read when a server is constructed.
   */
  static final String PROPERTY = "socketserver4j.netty.directWrite";

  /** Writers whose channel is not registered yet, by the channel's IoHandle (its unsafe). */
  private static final Map<Object, DirectWriter> EXPECTED = new ConcurrentHashMap<>();

  private static final int NEW = 0;
  private static final int OPEN = 1;
  private static final int CLOSED = 2;

  private final Socket socket;
  private final StampedLock guard = new StampedLock();

  /** Written under the write lock, read under the read lock. */
  private int state = NEW;

  /** Bytes sent here (for tests); written by one writer at a time (the connection's lock). */
  private long bytesSent;

  private DirectWriter(Socket socket) {
    this.socket = socket;
  }

  /**
   * Before {@code channel} is registered: a writer for it, which opens when its registration is
   * made on a server's own event loop; or null if the channel is not an epoll socket.
   */
  static DirectWriter expect(Channel channel) {
    if (!(channel instanceof UnixChannel) || !(((UnixChannel) channel).fd() instanceof Socket)) {
      return null;
    }
    DirectWriter writer = new DirectWriter((Socket) ((UnixChannel) channel).fd());
    Object handle = channel.unsafe();
    EXPECTED.put(handle, writer);
    // A registration that never came (a failure, a user's loop): forget the writer.
    channel.closeFuture().addListener(f -> EXPECTED.remove(handle, writer));
    return writer;
  }

  /**
   * On the event loop, as {@code handle} is registered: its writer, now open, or null if it has
   * none. The caller calls {@link #closing()} before the registration is cancelled.
   */
  static DirectWriter registered(IoHandle handle) {
    DirectWriter writer = EXPECTED.remove(handle);
    if (writer != null) {
      long stamp = writer.guard.writeLock();
      try {
        if (writer.state == NEW) {
          writer.state = OPEN;
        }
      } finally {
        writer.guard.unlockWrite(stamp);
      }
    }
    return writer;
  }

  /**
   * On the event loop, before the descriptor may be closed: waits for a {@code send} in flight,
   * and lets none run after. Idempotent.
   */
  void closing() {
    long stamp = guard.writeLock();
    try {
      state = CLOSED;
    } finally {
      guard.unlockWrite(stamp);
    }
  }

  /**
   * Sends what {@code buf} holds, without blocking, from its reader index, which it advances by
   * what was sent: 0 when the socket buffer is full (EAGAIN). Returns false, sending nothing,
   * when the writer is not open (the channel is not registered yet, or is closing): the caller
   * hands the bytes to the event loop.
   *
   * @throws IOException as Netty's own write raises it (the same call: {@code sendAddress} or
   *     {@code send}), for example EPIPE or ECONNRESET
   */
  boolean send(ByteBuf buf) throws IOException {
    long stamp = guard.readLock();
    try {
      if (state != OPEN) {
        return false;
      }
      int sent;
      if (buf.hasMemoryAddress()) {
        sent = socket.sendAddress(buf.memoryAddress(), buf.readerIndex(), buf.writerIndex());
      } else {
        ByteBuffer nio = buf.nioBuffer();
        sent = socket.send(nio, nio.position(), nio.limit());
      }
      buf.skipBytes(sent);
      bytesSent += sent;
      return true;
    } finally {
      guard.unlockRead(stamp);
    }
  }

  /** Bytes sent on the handler's thread so far (for tests; read by the writer or after it). */
  long bytesSent() {
    return bytesSent;
  }

  /** Whether the writer is open: the channel is registered and not closing (for tests). */
  boolean isOpen() {
    long stamp = guard.readLock();
    try {
      return state == OPEN;
    } finally {
      guard.unlockRead(stamp);
    }
  }
}
