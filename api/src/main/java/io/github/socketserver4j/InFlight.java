package io.github.socketserver4j;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The requests a server is processing, for {@link BaseServer#drain}, {@link
 * BaseServer#activeRequests()} and {@code ForkingMixIn}'s children: each is added when it passes
 * {@code verifyRequest}, and removed when its processing ends, on the serving thread or in the
 * request thread it was handed to.
 */
final class InFlight {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Request to whether it was handed to another thread. */
  private final Map<Request, Boolean> requests = new IdentityHashMap<>();
  private long ended;
  /** Written under the lock; read without it by {@link #isClosed()}. */
  private volatile boolean closed;

  /**
   * Adds a request about to be processed; false, adding nothing, once {@link #close()} ran: the
   * drain has begun, and the request must be shut down unprocessed.
   */
  boolean begin(Request request) {
    lock.lock();
    try {
      if (closed) {
        return false;
      }
      requests.put(request, Boolean.FALSE);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Lets no more requests {@link #begin}: called by the drain when it starts. */
  void close() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  /** Whether {@link #close()} ran: the drain has begun. */
  boolean isClosed() {
    return closed;
  }

  /** How many of {@code some} are still being processed. */
  int countStill(List<Request> some) {
    lock.lock();
    try {
      int n = 0;
      for (Request r : some) {
        if (requests.containsKey(r)) {
          n++;
        }
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The request's processing continues in a thread already started, which calls {@link #end}; if
   * that thread has ended already, nothing is left to mark.
   */
  void handOff(Request request) {
    lock.lock();
    try {
      requests.replace(request, Boolean.TRUE);
    } finally {
      lock.unlock();
    }
  }

  /** The serving thread is done with the request; ends it unless another thread has it. */
  void endOnCaller(Request request) {
    lock.lock();
    try {
      if (Boolean.FALSE.equals(requests.get(request))) {
        remove(request);
      }
    } finally {
      lock.unlock();
    }
  }

  void end(Request request) {
    lock.lock();
    try {
      remove(request);
    } finally {
      lock.unlock();
    }
  }

  private void remove(Request request) {
    if (requests.remove(request) != null) {
      ended++;
      changed.signalAll();
    }
  }

  /** How many requests have ended so far. */
  long ended() {
    lock.lock();
    try {
      return ended;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until none is in flight or {@code deadline} (System.nanoTime) passes. */
  boolean awaitEmpty(long deadline) {
    try {
      return awaitAtMost(0, deadline - System.nanoTime());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return count() == 0;
    }
  }

  /**
   * Waits until at most {@code atMost} requests are in flight, for at most {@code nanos} ({@code
   * Long.MAX_VALUE}: no limit); returns whether that happened.
   */
  boolean awaitAtMost(int atMost, long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    lock.lock();
    try {
      while (requests.size() > atMost) {
        if (nanos == Long.MAX_VALUE) {
          changed.await();
          continue;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** How many requests are in flight. */
  int count() {
    lock.lock();
    try {
      return requests.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops counting {@code given} as in flight, without counting them as ended: the drain gave up
   * on them, and nothing waits for them from now on. If one ends later, nothing changes.
   */
  void forget(List<Request> given) {
    lock.lock();
    try {
      for (Request r : given) {
        if (requests.remove(r) != null) {
          changed.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  List<Request> snapshot() {
    lock.lock();
    try {
      return new ArrayList<>(requests.keySet());
    } finally {
      lock.unlock();
    }
  }
}
