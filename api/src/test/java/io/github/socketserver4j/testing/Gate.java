package io.github.socketserver4j.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Lets a test hold handlers inside {@code handle()}: they count in, then wait for release. */
public final class Gate {
  private final CountDownLatch entered;
  private final CountDownLatch release = new CountDownLatch(1);

  public Gate(int handlers) {
    entered = new CountDownLatch(handlers);
  }

  /** Called by a handler: counts in, then waits (bounded) until the test releases it. */
  public boolean pass() throws InterruptedException {
    entered.countDown();
    return release.await(ApiTestRules.waitBound().toMillis() * 3, TimeUnit.MILLISECONDS);
  }

  /** Called by a handler that only announces itself. */
  public void enter() {
    entered.countDown();
  }

  /** Waits until every expected handler has entered. */
  public void awaitEntered() throws InterruptedException {
    assertTrue(
        entered.await(ApiTestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS),
        "the handlers did not all start; " + entered.getCount() + " missing");
  }

  public void release() {
    release.countDown();
  }

  public boolean released() {
    return release.getCount() == 0;
  }
}
