package io.github.socketserver4j.netty;

import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.util.concurrent.locks.StampedLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A duplicate of a channel's descriptor that only this object closes, and only once no call on
 * it is in flight: the discipline the paths below Netty ({@link DatagramDirectPath}, {@link
 * DirectAccept}) share. A raw descriptor number is safe only while nothing else can close it;
 * once closed, the number goes to the next socket the process opens, so a call on a number Netty
 * closed could reach an unrelated socket. Calls run under the read side of a lock, {@link
 * #close} takes the write side, and a call after the close runs nothing.
 */
final class OwnedDescriptor {
  private static final Logger LOG = LoggerFactory.getLogger(OwnedDescriptor.class);

  /** One call on the socket, run while the descriptor cannot be closed. */
  interface Call<T> {
    T on(Socket socket) throws IOException;
  }

  private final Socket socket;
  private final StampedLock guard = new StampedLock();

  /** Written under the write lock, read under the read lock. */
  private boolean closed;

  /**
   * Duplicates {@code fd}, which the caller keeps open for the duration (SCM_RIGHTS, see {@link
   * Descriptors#duplicate}).
   *
   * @throws IOException if the descriptor cannot be duplicated
   */
  OwnedDescriptor(int fd) throws IOException {
    this.socket = new Socket(Descriptors.duplicate(fd));
  }

  /** Runs {@code call} unless the descriptor is closed; returns its result, or null if closed. */
  <T> T use(Call<T> call) throws IOException {
    long stamp = guard.readLock();
    try {
      return closed ? null : call.on(socket);
    } finally {
      guard.unlockRead(stamp);
    }
  }

  /**
   * Closes the descriptor once no call is in flight, after running {@code lastly} under the same
   * exclusion (to free what the calls share); idempotent.
   */
  void close(Runnable lastly) {
    long stamp = guard.writeLock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      lastly.run();
      try {
        socket.close();
      } catch (IOException e) {
        LOG.debug("closing the duplicate descriptor {} failed", socket.intValue(), e);
      }
    } finally {
      guard.unlockWrite(stamp);
    }
  }

  /** Whether {@link #close} has run. */
  boolean isClosed() {
    long stamp = guard.readLock();
    try {
      return closed;
    } finally {
      guard.unlockRead(stamp);
    }
  }

  /** The duplicate's number, for tests and messages. */
  int intValue() {
    return socket.intValue();
  }
}
