package io.github.socketserver4j;

import io.github.socketserver4j.spi.HandlerThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The request threads of a {@link ThreadingMixIn} server: CPython's {@code _Threads} and {@code
 * _NoThreads} in one class.
 *
 * <p>A thread is recorded only when the server's {@code blockOnClose()} is true and {@code
 * daemonThreads()} is false (CPython records nothing in {@code _NoThreads} and skips daemon
 * threads). Every new thread first reaps the finished ones, so the list holds only live threads
 * (bpo-37193: no growth on a long-running server).
 */
final class RequestThreads {
  private final ReentrantLock lock = new ReentrantLock();
  private final java.util.concurrent.locks.Condition ended = lock.newCondition();
  private final List<Thread> live = new ArrayList<>();
  private final java.util.Set<Thread> children = new java.util.HashSet<>();
  private final AtomicLong requests = new AtomicLong();

  void start(ThreadingMixIn server, String prefix, Runnable body) {
    boolean daemon = server.daemonThreads();
    String name = prefix + " request " + requests.incrementAndGet();
    Thread thread = HandlerThreads.newThread(name, daemon, body);
    if (server.blockOnClose() && !daemon) {
      lock.lock();
      try {
        live.removeIf(t -> !t.isAlive());
        live.add(thread); // before start(), as CPython appends before t.start()
      } finally {
        lock.unlock();
      }
    }
    thread.start();
  }

  /**
   * Starts a {@link ForkingMixIn} "child": recorded until its body ends, whatever {@code
   * blockOnClose} says, as CPython records every child pid.
   */
  void startChild(String prefix, Runnable body) {
    Thread thread =
        HandlerThreads.newThread(
            prefix + " request " + requests.incrementAndGet(),
            false,
            () -> {
              try {
                body.run();
              } finally {
                lock.lock();
                try {
                  children.remove(Thread.currentThread());
                  ended.signalAll();
                } finally {
                  lock.unlock();
                }
              }
            });
    lock.lock();
    try {
      children.add(thread);
    } finally {
      lock.unlock();
    }
    thread.start();
  }

  /**
   * CPython's {@code collect_children}: waits while {@code max} or more children run, and with
   * {@code blocking} until none does. Stops early if this thread is interrupted.
   */
  void collect(int max, boolean blocking) {
    lock.lock();
    try {
      while (children.size() >= Math.max(1, max) || (blocking && !children.isEmpty())) {
        try {
          ended.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits until every ForkingMixIn request has ended, or {@code deadline} (nanoTime) passes. */
  void awaitChildren(long deadline) {
    lock.lock();
    try {
      while (!children.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          ended.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The number of children still running. */
  int alive() {
    lock.lock();
    try {
      return children.size();
    } finally {
      lock.unlock();
    }
  }

  /** Joins the recorded threads until {@code deadline} (System.nanoTime); forgets the ended ones. */
  void join(long deadline) {
    List<Thread> all;
    lock.lock();
    try {
      all = new ArrayList<>(live);
    } finally {
      lock.unlock();
    }
    for (Thread t : all) {
      long left = deadline - System.nanoTime();
      try {
        if (left <= 0) {
          break;
        }
        t.join(left / 1_000_000, (int) (left % 1_000_000));
        if (t.isAlive()) {
          break;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    lock.lock();
    try {
      live.removeIf(t -> !t.isAlive());
    } finally {
      lock.unlock();
    }
  }

  /** Joins every recorded thread, without a deadline; stops early if this thread is interrupted. */
  void join() {
    List<Thread> all;
    lock.lock();
    try {
      all = new ArrayList<>(live);
      live.clear();
    } finally {
      lock.unlock();
    }
    for (Thread t : all) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The number of recorded threads, live or not yet reaped (CPython's {@code len(_threads)}). */
  int size() {
    lock.lock();
    try {
      return live.size();
    } finally {
      lock.unlock();
    }
  }
}
