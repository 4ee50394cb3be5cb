package io.github.socketserver4j;

import io.github.socketserver4j.spi.HandlerThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The request runs a {@link ThreadingMixIn} server waits for in {@code serverClose()}: CPython's
 * {@code _Threads} (and {@code _NoThreads}, when nothing is recorded). A run is a thread of its
 * own or a task on the user's executor.
 *
 * <p>A run is recorded only when the server's {@code blockOnClose()} is true and {@code
 * daemonThreads()} is false (CPython records nothing in {@code _NoThreads} and skips daemon
 * threads). Every new record first reaps the finished ones, so the list holds only live runs
 * (bpo-37193: no growth on a long-running server). Joining takes every run off the list, as
 * CPython's {@code pop_all}: one given up on at a deadline is not waited for again.
 */
final class RequestThreads {
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Run> live = new ArrayList<>();

  /** One recorded run. */
  private interface Run {
    boolean isAlive();

    /** Waits for the run to end, at most {@code nanos} ({@code Long.MAX_VALUE}: no limit). */
    void join(long nanos) throws InterruptedException;
  }

  /** A request thread: joined with {@link Thread#join}, as CPython joins. */
  private static final class ThreadRun implements Run {
    private final Thread thread;

    ThreadRun(Thread thread) {
      this.thread = thread;
    }

    @Override
    public boolean isAlive() {
      return thread.isAlive();
    }

    @Override
    public void join(long nanos) throws InterruptedException {
      if (nanos == Long.MAX_VALUE) {
        thread.join();
      } else if (nanos > 0) {
        thread.join(nanos / 1_000_000, (int) (nanos % 1_000_000));
      }
    }
  }

  /** A task handed to the user's executor: alive from the hand-off until it has run. */
  private static final class TaskRun implements Run {
    private final CountDownLatch done = new CountDownLatch(1);

    @Override
    public boolean isAlive() {
      return done.getCount() > 0;
    }

    @Override
    public void join(long nanos) throws InterruptedException {
      if (nanos == Long.MAX_VALUE) {
        done.await();
      } else {
        done.await(nanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * Starts {@code body} in a new thread (virtual where the JVM has them), recorded first when
   * {@code record}, as CPython appends before {@code t.start()}.
   */
  void start(String name, boolean daemon, boolean record, Runnable body) {
    Thread thread = HandlerThreads.newThread(name, daemon, body);
    if (record) {
      add(new ThreadRun(thread));
    }
    thread.start();
  }

  /**
   * Hands {@code body} to {@code executor}, recorded when {@code record} until it has run. If the
   * executor rejects it, the record is dropped and the exception propagates.
   */
  void execute(Executor executor, boolean record, Runnable body) {
    if (!record) {
      executor.execute(body);
      return;
    }
    TaskRun run = new TaskRun();
    add(run);
    try {
      executor.execute(
          () -> {
            try {
              body.run();
            } finally {
              run.done.countDown();
            }
          });
    } catch (RuntimeException | Error e) {
      run.done.countDown();
      throw e;
    }
  }

  private void add(Run run) {
    lock.lock();
    try {
      live.removeIf(r -> !r.isAlive());
      live.add(run);
    } finally {
      lock.unlock();
    }
  }

  private List<Run> popAll() {
    lock.lock();
    try {
      List<Run> all = new ArrayList<>(live);
      live.clear();
      return all;
    } finally {
      lock.unlock();
    }
  }

  /** CPython's {@code _Threads.join}: every recorded run, without a limit; stops if interrupted. */
  void join() {
    for (Run run : popAll()) {
      try {
        run.join(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Joins the recorded runs until {@code deadline} ({@link System#nanoTime()}); those still
   * running then are forgotten: no later {@link #join()} waits for them.
   */
  void join(long deadline) {
    for (Run run : popAll()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      try {
        run.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The number of recorded runs, live or not yet reaped (CPython's {@code len(_threads)}). */
  int size() {
    lock.lock();
    try {
      return live.size();
    } finally {
      lock.unlock();
    }
  }
}
