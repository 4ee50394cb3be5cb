package io.github.socketserver4j.netty;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that lines still being read may use, together, across every connection of the JVM:
 * half of the maximum heap. A {@code readLine} whose line would take more fails with a {@code
 * LineTooLongException} instead of an {@code OutOfMemoryError} that could strike any thread.
 *
 * <p>CPython's {@code readline()} has no such bound; it raises {@code MemoryError} when {@code
 * malloc} fails, which {@code handle_error} reports like any other exception. The JVM's {@code
 * OutOfMemoryError} is not that: it hits whichever thread allocates next (an event loop, another
 * request), and {@code -XX:+ExitOnOutOfMemoryError} ends the process. So the bridge checks before
 * it allocates.
 */
final class LineMemory {
  private static final long LIMIT = Runtime.getRuntime().maxMemory() / 2;
  private static final AtomicLong USED = new AtomicLong();

  private LineMemory() {}

  /** The bytes all lines in progress may hold together. */
  static long limit() {
    return LIMIT;
  }

  /** Takes {@code bytes} from the budget; false (and nothing taken) if they do not fit. */
  static boolean reserve(long bytes) {
    while (true) {
      long used = USED.get();
      if (used + bytes > LIMIT) {
        return false;
      }
      if (USED.compareAndSet(used, used + bytes)) {
        return true;
      }
    }
  }

  /** Gives back {@code bytes} taken with {@link #reserve}. */
  static void release(long bytes) {
    USED.addAndGet(-bytes);
  }
}
