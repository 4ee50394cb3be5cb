package io.github.socketserver4j.netty;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * CPython's pull model for a server socket, as a state machine with no Netty in it: nothing is
 * read until the server asks, one item (a connection, or a datagram) is asked of the {@link
 * Source} at a time, and an item that arrives is parked here until {@link #take()} takes it.
 * Everything else waits in the kernel.
 *
 * <p>Threads: {@link #poll}, {@link #take()} and {@link #close()} come from the serving thread,
 * {@link #wakeup()} from any thread, and {@link #arrived}, {@link #ended()} and {@link #failed()}
 * from the thread the source delivers on (an event loop). Every wait is on a {@link Condition} and
 * is woken by what it waits for; the only timed waits are the caller's timeout and the backoff
 * after a failed read, which is the behaviour asked for.
 *
 * @param <T> what one read brings
 */
final class PullQueue<T> {

  /** Where items come from: the socket's channel. Its methods are called with the lock held. */
  interface Source<T> {
    /**
     * Asks for exactly one item, which comes later through {@link #arrived}, or the request ends
     * with {@link #ended()} or {@link #failed()}. Must not block.
     */
    void request();

    /**
     * No request is outstanding: reads one item on the calling thread if one is ready at once,
     * else returns null. Never blocks.
     */
    T readNow();

    /** Disposes of an item no one will take. Called without the lock. */
    void discard(T item);
  }

  /** The state of the request to the source. */
  private enum Ask {
    /** Nothing asked: the source is quiet, and an item may be read directly. */
    NONE,
    /** Asked, nothing came yet. */
    OUTSTANDING,
    /**
     * A request ended without an item, but the source may still deliver on it (Netty keeps its
     * read interest armed), so only the source may read: no direct reads until an item arrives.
     */
    SPENT
  }

  private enum Life {
    /** Not yet bound: nothing to ask. */
    NEW,
    OPEN,
    /** Open, but asks for, parks and hands out nothing more (the drain's first step). */
    STOPPED,
    CLOSED
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<T> parked = new ArrayDeque<>(2);
  private final long backoffNanos;
  private final LongSupplier clock;

  // Guarded by lock.
  private Source<T> source;
  private Life life = Life.NEW;
  private Ask ask = Ask.NONE;
  private boolean wakeupPending;
  /** No request, direct or not, before this time (after a failed read); 0: none pending. */
  private long retryAt;
  private boolean backingOff;

  /**
   * @param backoffNanos how long to wait after a failed read before asking again
   * @param clock the time source, {@link System#nanoTime} outside tests
   */
  PullQueue(long backoffNanos, LongSupplier clock) {
    this.backoffNanos = backoffNanos;
    this.clock = clock;
  }

  /** Opens the queue on a bound socket's source; a closed queue discards nothing and stays shut. */
  void open(Source<T> source) {
    lock.lock();
    try {
      if (life == Life.NEW) {
        this.source = source;
        life = Life.OPEN;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@link #take()} will not block: CPython's {@code selector.select}. Asks the source
   * for one item if none is parked and none is asked for. Returns false when the timeout passes,
   * after {@link #wakeup()}, or at once when {@code nanos} is 0. A queue not yet open, stopped or
   * closed asks nothing and waits out the timeout: a serving loop on it does not spin.
   *
   * @param nanos how long to wait; {@code Long.MAX_VALUE} for ever
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  boolean poll(long nanos) throws InterruptedException {
    boolean forever = nanos == Long.MAX_VALUE;
    long deadline = clock.getAsLong() + (forever ? 0 : nanos);
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
        long backoff = life == Life.OPEN ? ask() : 0;
        long remaining = forever ? Long.MAX_VALUE : deadline - clock.getAsLong();
        if (remaining <= 0) {
          return false;
        }
        changed.awaitNanos(backoff > 0 ? Math.min(remaining, backoff) : remaining);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Makes a current or the next {@link #poll} return at once. Any thread. */
  void wakeup() {
    lock.lock();
    try {
      wakeupPending = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the next item, waiting for one: CPython's blocking {@code accept} / {@code recvfrom}.
   *
   * @throws SocketException if the queue is closed (or closes while waiting), stopped, or not yet
   *     open
   * @throws InterruptedIOException if the thread is interrupted while waiting; its interrupt
   *     status is set again
   */
  T take() throws IOException {
    lock.lock();
    try {
      while (parked.isEmpty()) {
        if (life != Life.OPEN) {
          throw new SocketException(
              life == Life.CLOSED
                  ? "Socket is closed"
                  : life == Life.STOPPED
                      ? "Socket takes no more requests (drain)"
                      : "Socket is not bound");
        }
        if (readDirectly()) {
          break;
        }
        long backoff = ask();
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

  /** Source's thread: an item arrived. Parked, or discarded if the queue is stopped or closed. */
  void arrived(T item) {
    Source<T> discardTo;
    lock.lock();
    try {
      ask = Ask.NONE;
      if (life == Life.OPEN) {
        parked.add(item);
        changed.signalAll();
        return;
      }
      discardTo = source;
    } finally {
      lock.unlock();
    }
    discardTo.discard(item);
  }

  /** Source's thread: a request ended without an item (say, a datagram read found none). */
  void ended() {
    lock.lock();
    try {
      if (ask == Ask.OUTSTANDING) {
        ask = Ask.SPENT;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * A request failed (for example accept() for lack of file descriptors): nothing is asked, and
   * nothing read directly, for the backoff. The source must have cancelled its pending read.
   */
  void failed() {
    lock.lock();
    try {
      ask = Ask.NONE;
      retryAt = clock.getAsLong() + backoffNanos;
      backingOff = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Whether the queue is open or not yet opened: true until {@link #close()}. */
  boolean isOpen() {
    lock.lock();
    try {
      return life != Life.CLOSED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops taking items while the socket stays open, the first step of a drain: nothing more is
   * asked for, waiting callers of {@link #take()} throw, parked items are discarded, and so are
   * later arrivals. Does nothing on a closed queue.
   */
  void stop() {
    end(Life.STOPPED);
  }

  /**
   * Closes the queue: waiting callers of {@link #take()} throw, parked items are discarded, later
   * arrivals too. Returns false if it was closed already.
   */
  boolean close() {
    return end(Life.CLOSED);
  }

  private boolean end(Life to) {
    List<T> unclaimed;
    Source<T> discardTo;
    lock.lock();
    try {
      if (life == Life.CLOSED || life == to) {
        return false;
      }
      life = to;
      unclaimed = new ArrayList<>(parked);
      parked.clear();
      discardTo = source;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (T item : unclaimed) {
      discardTo.discard(item); // only an opened queue has items, and so a source
    }
    return true;
  }

  /** Lock held: parks an item the source read at once, if it may read directly and did. */
  private boolean readDirectly() {
    if (life != Life.OPEN || ask != Ask.NONE || backoffLeft() > 0) {
      return false;
    }
    T item = source.readNow();
    if (item == null) {
      return false;
    }
    parked.add(item);
    return true;
  }

  /** Lock held, open: asks for one item unless one is asked for; returns the backoff left. */
  private long ask() {
    if (ask == Ask.OUTSTANDING) {
      return 0;
    }
    long backoff = backoffLeft();
    if (backoff > 0) {
      return backoff;
    }
    ask = Ask.OUTSTANDING;
    source.request();
    return 0;
  }

  /** Lock held: nanos until requests may be made again after a failure; 0 if they may now. */
  private long backoffLeft() {
    if (!backingOff) {
      return 0;
    }
    long left = retryAt - clock.getAsLong();
    if (left > 0) {
      return left;
    }
    backingOff = false;
    return 0;
  }

  /** The backoff, for messages. */
  long backoffMillis() {
    return TimeUnit.NANOSECONDS.toMillis(backoffNanos);
  }
}
