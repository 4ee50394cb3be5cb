package io.github.socketserver4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * A task on its own platform thread, for a serving loop or a blocked call under test: CPython's
 * tests start {@code serve_forever} in a daemon thread and join it. Every join is bounded and
 * rethrows what the task threw, so a broken server fails a test instead of hanging it.
 */
public final class Background implements AutoCloseable {

  /** A task that may throw anything. */
  @FunctionalInterface
  public interface Task {
    void run() throws Throwable;
  }

  private static final long POLL_NANOS = 2_000_000;

  private final Thread thread;
  private volatile Throwable failure;

  private Background(String name, Task task) {
    thread =
        new Thread(
            () -> {
              try {
                task.run();
              } catch (Throwable t) {
                failure = t;
              }
            },
            name);
    thread.setDaemon(true);
  }

  /** Starts {@code task} in a new daemon thread called {@code name}. */
  public static Background start(String name, Task task) {
    Background b = new Background(name, task);
    b.thread.start();
    return b;
  }

  public Thread thread() {
    return thread;
  }

  /** Waits at most {@link TestRules#waitBound()} for the task to end; rethrows its failure. */
  public void join() throws InterruptedException {
    join(TestRules.waitBound());
  }

  /** Waits at most {@code bound} for the task to end; fails if it did not, rethrows its failure. */
  public void join(Duration bound) throws InterruptedException {
    thread.join(Math.max(1, bound.toMillis()));
    if (thread.isAlive()) {
      fail(
          thread.getName()
              + " did not finish within "
              + bound
              + "; it is at "
              + Arrays.toString(thread.getStackTrace()));
    }
    Throwable t = failure;
    if (t != null) {
      throw new AssertionError(thread.getName() + " failed: " + t, t);
    }
  }

  /**
   * Waits (bounded) until the thread is parked (WAITING or TIMED_WAITING) inside a method {@code
   * method} of a class whose name ends with {@code classSuffix}; fails otherwise.
   */
  public void awaitParkedIn(String classSuffix, String method) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (!isParkedIn(thread, classSuffix, method)) {
      if (!thread.isAlive() || System.nanoTime() > deadline) {
        fail(
            thread.getName()
                + " is not parked in "
                + classSuffix
                + "."
                + method
                + ": "
                + thread.getState()
                + " at "
                + Arrays.toString(thread.getStackTrace()));
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** Whether {@code t} is parked inside {@code classSuffix.method}. */
  public static boolean isParkedIn(Thread t, String classSuffix, String method) {
    Thread.State state = t.getState();
    if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
      return false;
    }
    for (StackTraceElement frame : t.getStackTrace()) {
      if (frame.getClassName().endsWith(classSuffix) && frame.getMethodName().equals(method)) {
        return true;
      }
    }
    return false;
  }

  /** Interrupts a task that is still running and waits for it briefly; for cleanup paths. */
  @Override
  public void close() throws InterruptedException {
    if (thread.isAlive()) {
      thread.interrupt();
      thread.join(TestRules.waitBound().toMillis());
    }
  }
}
