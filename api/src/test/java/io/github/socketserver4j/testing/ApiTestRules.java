package io.github.socketserver4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The api module's test rules, applied to every test class (JUnit extension autodetection): a
 * test fails if any thread threw an exception nobody caught during it, unless the test took it
 * with {@link #takeUncaught}. Also the bounded waits the tests share.
 */
public final class ApiTestRules implements BeforeEachCallback, AfterEachCallback {
  private static final List<Throwable> UNCAUGHT = new CopyOnWriteArrayList<>();

  static {
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, e) -> {
          UNCAUGHT.add(e);
          System.err.println("Uncaught exception in " + thread.getName());
          e.printStackTrace();
        });
  }

  /** A generous bound for things that should happen at once, scaled by the timeout factor. */
  public static Duration waitBound() {
    double factor =
        Double.parseDouble(System.getProperty("socketserver4j.test.timeoutFactor", "1"));
    return Duration.ofMillis((long) (10_000 * factor));
  }

  /** Waits up to {@link #waitBound()} for {@code condition}, failing with {@code what} if not. */
  public static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + waitBound().toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("timed out waiting: " + what);
      }
      LockSupport.parkNanos(2_000_000);
    }
  }

  /** Removes and returns the uncaught exceptions of {@code type}, waiting for at least one. */
  public static <T extends Throwable> List<T> takeUncaught(Class<T> type) {
    List<T> found = new ArrayList<>();
    awaitTrue(() -> UNCAUGHT.stream().anyMatch(type::isInstance), "an uncaught " + type.getName());
    for (Throwable t : UNCAUGHT) {
      if (type.isInstance(t)) {
        found.add(type.cast(t));
        UNCAUGHT.remove(t);
      }
    }
    return found;
  }

  /** Waits until {@code thread} has ended, failing if it has not within the bound. */
  public static void awaitEnded(Thread thread, String what) throws InterruptedException {
    thread.join(waitBound().toMillis());
    if (thread.isAlive()) {
      StringBuilder stack = new StringBuilder();
      for (StackTraceElement e : thread.getStackTrace()) {
        stack.append("\n  at ").append(e);
      }
      fail("timed out waiting: " + what + stack);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    UNCAUGHT.clear();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!UNCAUGHT.isEmpty()) {
      List<Throwable> seen = new ArrayList<>(UNCAUGHT);
      UNCAUGHT.clear();
      AssertionError e = new AssertionError("uncaught exceptions in other threads: " + seen);
      seen.forEach(e::addSuppressed);
      throw e;
    }
  }
}
