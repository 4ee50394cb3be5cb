package io.github.socketserver4j.memory;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of an in-memory connection: bytes written by one end, read by the other. The
 * writer may shut it down (the reader reads what is left, then end of stream) or either end may
 * fail it (a reset: both ends then throw, and the bytes still queued are discarded).
 */
final class Pipe {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private byte[] buf = new byte[256];
  private int start;
  private int end;
  private boolean shutdown;
  private IOException failure;

  void write(byte[] b, int off, int len) throws IOException {
    lock.lock();
    try {
      if (failure != null) {
        throw rethrown(failure);
      }
      if (shutdown) {
        throw new SocketException("Broken pipe");
      }
      if (end + len > buf.length) {
        int live = end - start;
        byte[] grown = new byte[Math.max(buf.length * 2, live + len)];
        System.arraycopy(buf, start, grown, 0, live);
        buf = grown;
        start = 0;
        end = live;
      }
      System.arraycopy(b, off, buf, end, len);
      end += len;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Reads what has arrived (at least one byte), -1 once shut down and empty; throws the failure,
   * or {@link SocketTimeoutException} after {@code timeoutNanos} ({@code Long.MAX_VALUE}: none).
   */
  int read(byte[] b, int off, int len, long timeoutNanos) throws IOException {
    if (len == 0) {
      return 0;
    }
    long deadline = System.nanoTime() + timeoutNanos;
    lock.lock();
    try {
      while (true) {
        if (failure != null) {
          throw rethrown(failure);
        }
        if (end > start) {
          int n = Math.min(len, end - start);
          System.arraycopy(buf, start, b, off, n);
          start += n;
          return n;
        }
        if (shutdown) {
          return -1;
        }
        if (timeoutNanos == Long.MAX_VALUE) {
          changed.awaitUninterruptibly();
        } else {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new SocketTimeoutException("timed out");
          }
          try {
            changed.awaitNanos(left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // PEP 475: carry on, the status is kept
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The writer's FIN: the reader gets what is queued, then end of stream. */
  void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** A reset: queued bytes are discarded, and every read and write throws {@code cause}. */
  void fail(IOException cause) {
    lock.lock();
    try {
      if (failure == null) {
        failure = cause;
      }
      start = end = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean isShutdown() {
    lock.lock();
    try {
      return shutdown;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the pipe is shut down or failed, for at most {@code millis}. */
  boolean awaitEnded(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    lock.lock();
    try {
      while (!shutdown && failure == null) {
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

  byte[] queued() {
    lock.lock();
    try {
      return Arrays.copyOfRange(buf, start, end);
    } finally {
      lock.unlock();
    }
  }

  private static IOException rethrown(IOException failure) {
    IOException e = new SocketException(failure.getMessage());
    e.initCause(failure);
    return e;
  }
}
