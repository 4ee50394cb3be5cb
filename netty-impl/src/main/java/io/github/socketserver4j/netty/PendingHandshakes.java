package io.github.socketserver4j.netty;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Decides when a stream server accepts its next connection, so that connections waiting for a
 * TLS handshake or a PROXY header do not hold the accept path: while {@code getRequest()} waits
 * and every connection accepted for it is still handshaking, the next one is accepted too, up to
 * a bound of pending connections. A connection without a handshake satisfies the wait at once, so
 * a server without TLS or PROXY accepts exactly one connection per {@code getRequest()}, as
 * CPython's does. A bound of 1 is the one-at-a-time parity mode: the next connection waits in the
 * kernel's backlog until the pending one is ready or dropped, as behind CPython's TLS {@code
 * accept()}.
 *
 * <p>Threads: {@link #wanted()} from the serving thread, the others from event loops. Each
 * decision to read is taken under this object's lock; the read is issued outside it.
 */
final class PendingHandshakes {
  private final int max;
  private final Runnable read;

  // Guarded by this.
  /** Connections accepted that are not yet ready for getRequest() nor dropped. */
  private int pending;
  /** getRequest() waits for a connection and none has been made ready for it yet. */
  private boolean demand;
  /** A read (one accept) is outstanding on the listening channel. */
  private boolean reading;

  /**
   * @param max the most connections pending at once, at least 1
   * @param read asks the listening channel for one accept; must not block
   */
  PendingHandshakes(int max, Runnable read) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be positive: " + max);
    }
    this.max = max;
    this.read = read;
  }

  /** One accepted connection's place in the count: released once, when ready or dropped. */
  final class Slot {
    private final AtomicBoolean released = new AtomicBoolean();

    /** The connection needs a handshake or a header first: accept the next one meanwhile. */
    void handshaking() {
      readIfWanted(false);
    }

    /** The connection is ready for getRequest() (plain, or its handshake completed). */
    void ready() {
      if (released.compareAndSet(false, true)) {
        synchronized (PendingHandshakes.this) {
          pending--;
          demand = false;
        }
      }
    }

    /** The connection was dropped before it was ready (failed, timed out, closed). */
    void dropped() {
      if (released.compareAndSet(false, true)) {
        readIfWanted(true);
      }
    }
  }

  /** Serving thread: getRequest() waits for a connection. */
  void wanted() {
    boolean start;
    synchronized (this) {
      demand = true;
      start = startRead();
    }
    if (start) {
      read.run();
    }
  }

  /** The listening channel's loop: its read accepted a connection, pending until released. */
  Slot accepted() {
    synchronized (this) {
      reading = false;
      pending++;
    }
    return new Slot();
  }

  /** The listening channel's loop: its read failed; the next one comes when it is wanted again. */
  synchronized void acceptFailed() {
    reading = false;
  }

  /** The number of connections accepted and neither ready nor dropped, for tests and logs. */
  synchronized int pending() {
    return pending;
  }

  private void readIfWanted(boolean release) {
    boolean start;
    synchronized (this) {
      if (release) {
        pending--;
      }
      start = startRead();
    }
    if (start) {
      read.run();
    }
  }

  /** Lock held: whether to ask for the next accept now (and note that it is asked). */
  private boolean startRead() {
    if (demand && !reading && pending < max) {
      reading = true;
      return true;
    }
    return false;
  }
}
