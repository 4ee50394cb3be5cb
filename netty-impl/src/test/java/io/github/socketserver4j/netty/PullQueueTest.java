package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.TestRules;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link PullQueue} without Netty or sockets: CPython's pull model as a state machine (issue 10,
 * "netty-impl split"). A fake source counts what it is asked; a fake clock drives the backoff.
 */
class PullQueueTest {
  private static final long BACKOFF = TimeUnit.MILLISECONDS.toNanos(100);

  /** Counts requests, hands out items for direct reads, records discarded items. */
  static final class FakeSource implements PullQueue.Source<String> {
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger directReads = new AtomicInteger();
    final ArrayDeque<String> ready = new ArrayDeque<>();
    final List<String> discarded = new CopyOnWriteArrayList<>();

    @Override
    public void request() {
      requests.incrementAndGet();
    }

    @Override
    public String readNow() {
      directReads.incrementAndGet();
      return ready.poll();
    }

    @Override
    public void discard(String item) {
      discarded.add(item);
    }
  }

  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final FakeSource source = new FakeSource();
  private final PullQueue<String> queue = new PullQueue<>(BACKOFF, now::get);

  private PullQueue<String> open() {
    queue.open(source);
    return queue;
  }

  @Test
  @DisplayName("one item is asked for at a time; it is parked until taken; then the next is asked")
  void oneRequestAtATime() throws Exception {
    open();
    assertFalse(queue.poll(0));
    assertFalse(queue.poll(0));
    assertEquals(1, source.requests.get(), "a second poll must not ask again");
    queue.arrived("a");
    assertTrue(queue.poll(0));
    assertTrue(queue.poll(0), "a parked item stays ready");
    assertEquals(1, source.requests.get());
    assertEquals("a", queue.take());
    assertFalse(queue.poll(0));
    assertEquals(2, source.requests.get());
  }

  @Test
  @DisplayName("a waiting poll returns when the item arrives, and a waiting take returns it")
  void waitersAreWoken() throws Exception {
    open();
    CompletableFuture<Boolean> polled = CompletableFuture.supplyAsync(() -> poll(Long.MAX_VALUE));
    TestRules.awaitTrue(() -> source.requests.get() == 1, "poll asked the source");
    queue.arrived("a");
    assertTrue(polled.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    assertEquals("a", queue.take());

    CompletableFuture<Object[]> taken = takeAsync();
    TestRules.awaitTrue(() -> source.requests.get() == 2, "take asked the source");
    queue.arrived("b");
    assertEquals("b", outcome(taken)[0]);
  }

  @Test
  @DisplayName("wakeup ends a waiting poll with false, and a wakeup before a poll ends that poll")
  void wakeup() throws Exception {
    open();
    CompletableFuture<Boolean> polled = CompletableFuture.supplyAsync(() -> poll(Long.MAX_VALUE));
    TestRules.awaitTrue(() -> source.requests.get() == 1, "poll asked the source");
    queue.wakeup();
    assertFalse(polled.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    queue.wakeup();
    assertFalse(queue.poll(Long.MAX_VALUE), "the pending wakeup ends the next poll at once");
    queue.arrived("a");
    queue.wakeup();
    assertTrue(queue.poll(0), "a parked item wins over a wakeup");
  }

  @Test
  @DisplayName("a direct read is tried only while nothing is asked of the source")
  void directReadsOnlyWhileQuiet() throws Exception {
    open();
    source.ready.add("direct");
    assertTrue(queue.poll(0));
    assertEquals(0, source.requests.get(), "an item read directly needs no request");
    assertEquals("direct", queue.take());

    assertFalse(queue.poll(0)); // nothing ready: asks the source
    assertEquals(1, source.requests.get());
    int reads = source.directReads.get();
    source.ready.add("too early");
    assertFalse(queue.poll(0));
    assertEquals(reads, source.directReads.get(), "no direct read while a request is outstanding");

    queue.ended(); // the request brought nothing, but the source may still deliver on it
    assertFalse(queue.poll(0));
    assertEquals(reads, source.directReads.get(), "no direct read after an empty request");
    assertEquals(2, source.requests.get(), "an ended request is asked again");

    queue.arrived("from the source");
    assertEquals("from the source", queue.take());
    assertTrue(queue.poll(0), "quiet again: the direct read works");
    assertEquals("too early", queue.take());
  }

  @Test
  @DisplayName("after a failed read nothing is asked or read directly until the backoff has passed")
  void backoffAfterFailure() throws Exception {
    open();
    assertFalse(queue.poll(0));
    queue.failed();
    source.ready.add("waiting in the kernel");
    int reads = source.directReads.get();
    assertFalse(queue.poll(0));
    assertEquals(1, source.requests.get());
    assertEquals(reads, source.directReads.get());
    now.addAndGet(BACKOFF - 1);
    assertFalse(queue.poll(0));
    assertEquals(1, source.requests.get(), "asked again before the backoff passed");
    now.addAndGet(1);
    assertTrue(queue.poll(0), "the direct read is tried again");
    assertEquals("waiting in the kernel", queue.take());
    assertFalse(queue.poll(0));
    assertEquals(2, source.requests.get());
  }

  @Test
  @DisplayName("close: a waiting take throws, parked and late items are discarded, poll asks nothing")
  void close() throws Exception {
    open();
    CompletableFuture<Object[]> taken = takeAsync();
    TestRules.awaitTrue(() -> source.requests.get() == 1, "take asked the source");
    assertTrue(queue.close());
    Object thrown = outcome(taken)[0];
    assertTrue(thrown instanceof SocketException, String.valueOf(thrown));
    assertEquals("Socket is closed", ((SocketException) thrown).getMessage());
    queue.arrived("late");
    assertEquals(List.of("late"), source.discarded);
    assertFalse(queue.poll(0));
    assertEquals(1, source.requests.get());
    assertFalse(queue.close(), "closing twice does nothing");
    assertFalse(queue.isOpen());
  }

  @Test
  @DisplayName("stop (a drain's first step): a waiting take throws, parked and later items are discarded, nothing is asked; the queue stays open until closed")
  void stop() throws Exception {
    open();
    queue.poll(0);
    queue.arrived("parked");
    queue.stop();
    assertEquals(List.of("parked"), source.discarded);
    SocketException e = assertThrows(SocketException.class, queue::take);
    assertEquals("Socket takes no more requests (drain)", e.getMessage());
    queue.arrived("late");
    assertEquals(List.of("parked", "late"), source.discarded);
    source.ready.add("not read");
    assertFalse(queue.poll(0));
    assertEquals(1, source.requests.get());
    assertTrue(queue.isOpen(), "a stopped socket stays open for replies");
    assertTrue(queue.close());
    assertFalse(queue.isOpen());
  }

  @Test
  @DisplayName("close discards the items nobody took")
  void closeDiscardsParked() throws Exception {
    open();
    queue.poll(0);
    queue.arrived("parked");
    queue.close();
    assertEquals(List.of("parked"), source.discarded);
    assertThrows(SocketException.class, queue::take);
  }

  @Test
  @DisplayName("before the socket is bound: take throws, poll waits out its timeout asking nothing")
  void notYetOpen() throws Exception {
    SocketException e = assertThrows(SocketException.class, queue::take);
    assertEquals("Socket is not bound", e.getMessage());
    assertFalse(queue.poll(0));
    assertTrue(queue.isOpen());
    assertTrue(queue.close());
    queue.open(source);
    assertFalse(queue.isOpen(), "a closed queue stays closed");
  }

  @Test
  @DisplayName("an interrupted take throws InterruptedIOException and keeps the interrupt status")
  void interruptedTake() throws Exception {
    open();
    CompletableFuture<Object[]> taken = new CompletableFuture<>();
    Thread t = new Thread(() -> taken.complete(takeOutcome()), "take");
    t.start();
    TestRules.awaitTrue(() -> source.requests.get() == 1, "take asked the source");
    t.interrupt();
    Object[] outcome = outcome(taken);
    assertTrue(outcome[0] instanceof InterruptedIOException, String.valueOf(outcome[0]));
    assertEquals(Boolean.TRUE, outcome[1]);
    t.join();
  }

  /** What take() returned or threw, and whether the thread was interrupted after. */
  private Object[] takeOutcome() {
    Object result;
    try {
      result = queue.take();
    } catch (java.io.IOException e) {
      result = e;
    }
    return new Object[] {result, Thread.currentThread().isInterrupted()};
  }

  private CompletableFuture<Object[]> takeAsync() {
    return CompletableFuture.supplyAsync(this::takeOutcome);
  }

  private static Object[] outcome(CompletableFuture<Object[]> taken) throws Exception {
    return taken.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
  }

  private boolean poll(long nanos) {
    try {
      return queue.poll(nanos);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
