package io.github.socketserver4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The project's test rules, applied to every test class (registered through {@code
 * META-INF/services} and JUnit's extension autodetection):
 *
 * <ul>
 *   <li>A test fails if any thread threw an exception nobody caught during it, unless the test
 *       took that exception with {@link #takeUncaught}.
 *   <li>A test class fails if Netty's leak detector (run at PARANOID by surefire) reported a leaked
 *       buffer.
 *   <li>A test fails if a socketserver4j thread (event loop or platform request thread) is still
 *       alive a few seconds after it ends: every test closes what it opens.
 * </ul>
 */
public final class TestRules
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  private static final List<Throwable> UNCAUGHT = new CopyOnWriteArrayList<>();
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  /** Leaked threads already blamed on a test, weakly held so they are not kept alive. */
  private static final Set<Thread> REPORTED =
      java.util.Collections.synchronizedSet(
          java.util.Collections.newSetFromMap(new java.util.WeakHashMap<>()));
  /** How often bounded waits for an eventual effect look again. */
  private static final long POLL_NANOS = 5_000_000;

  static {
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    Thread.setDefaultUncaughtExceptionHandler(
        (thread, e) -> {
          UNCAUGHT.add(e);
          System.err.println("Uncaught exception in " + thread.getName());
          e.printStackTrace();
        });
  }

  /** Scales every bounded wait in the tests: {@code -Dsocketserver4j.test.timeoutFactor=2}. */
  public static Duration timeout(Duration base) {
    double factor = Double.parseDouble(System.getProperty("socketserver4j.test.timeoutFactor", "1"));
    return Duration.ofMillis((long) (base.toMillis() * factor));
  }

  /** A generous bound for things that should happen at once. */
  public static Duration waitBound() {
    return timeout(Duration.ofSeconds(10));
  }

  /**
   * Removes and returns the uncaught exceptions of type {@code type} seen so far, waiting up to
   * {@link #waitBound()} for at least one.
   */
  public static <T extends Throwable> List<T> takeUncaught(Class<T> type) throws InterruptedException {
    long deadline = System.nanoTime() + waitBound().toNanos();
    while (true) {
      List<T> found = new ArrayList<>();
      for (Throwable t : UNCAUGHT) {
        if (type.isInstance(t)) {
          found.add(type.cast(t));
        }
      }
      if (!found.isEmpty() || System.nanoTime() > deadline) {
        UNCAUGHT.removeAll(found);
        return found;
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    LEAKS.clear();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    UNCAUGHT.clear();
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (!UNCAUGHT.isEmpty()) {
      List<Throwable> seen = new ArrayList<>(UNCAUGHT);
      UNCAUGHT.clear();
      AssertionError error = new AssertionError("a thread threw an uncaught exception: " + seen);
      seen.forEach(error::addSuppressed);
      throw error;
    }
    assertNoServerThreads();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    // Leaks are reported when a leaked buffer is collected and a later allocation polls.
    for (int i = 0; i < 3; i++) {
      System.gc();
      for (int j = 0; j < 64; j++) {
        ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(8);
        probe.release();
      }
    }
    if (!LEAKS.isEmpty()) {
      List<String> leaks = new ArrayList<>(LEAKS);
      LEAKS.clear();
      fail("Netty reported " + leaks.size() + " leaked buffer(s):\n" + String.join("\n", leaks));
    }
  }

  /** Waits, polling, at most {@link #waitBound()} until {@code condition} holds; else fails. */
  public static void awaitTrue(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + waitBound().toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never: " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** Waits (bounded) until no socketserver4j thread is alive. */
  public static void assertNoServerThreads() throws InterruptedException {
    assertServerThreadsWithin(Set.of());
  }

  /**
   * Waits (bounded) until every live socketserver4j thread is one of {@code allowed}. A thread
   * reported here once is not reported again: the test that leaked it fails, the tests after it
   * are judged on their own threads.
   */
  public static void assertServerThreadsWithin(Set<String> allowed) throws InterruptedException {
    long deadline = System.nanoTime() + waitBound().toNanos();
    List<Thread> alive;
    do {
      alive = new ArrayList<>();
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.isAlive()
            && t.getName().startsWith("socketserver4j")
            && !allowed.contains(t.getName())
            && !REPORTED.contains(t)) {
          alive.add(t);
        }
      }
      if (alive.isEmpty()) {
        return;
      }
      LockSupport.parkNanos(POLL_NANOS);
    } while (System.nanoTime() < deadline);
    REPORTED.addAll(alive);
    Thread first = alive.get(0);
    AssertionError error =
        new AssertionError(
            "socketserver4j threads outlived the test (a server or connection was not closed): "
                + alive.stream().map(Thread::getName).collect(Collectors.toList())
                + "; the first one's stack is attached");
    Throwable stack = new Throwable(first.getName() + " " + first.getState());
    stack.setStackTrace(first.getStackTrace());
    error.addSuppressed(stack);
    throw error;
  }

  /** The names of live socketserver4j threads. */
  public static Set<String> serverThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("socketserver4j"))
        .collect(Collectors.toCollection(java.util.HashSet::new));
  }

  private static final class RecordingFactory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(
        Class<T> resource, int samplingInterval, long maxActive) {
      return new ResourceLeakDetector<T>(resource, samplingInterval) {
        @Override
        protected void reportTracedLeak(String resourceType, String records) {
          LEAKS.add(resourceType + " leaked:" + records);
          super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
          LEAKS.add(resourceType + " leaked");
          super.reportUntracedLeak(resourceType);
        }
      };
    }
  }
}
