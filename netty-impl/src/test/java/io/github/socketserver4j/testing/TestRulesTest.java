package io.github.socketserver4j.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The thread rule itself: it fails the test that leaks, and only that one. */
class TestRulesTest {
  @Test
  @DisplayName("a leaked socketserver4j thread fails the check once, naming it; later checks pass")
  void leakedThreadReportedOnce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Thread probe =
        new Thread(
            () -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "socketserver4j rule probe");
    String factor = System.getProperty("socketserver4j.test.timeoutFactor");
    probe.start();
    try {
      System.setProperty("socketserver4j.test.timeoutFactor", "0.02"); // a 200 ms bound
      AssertionError leak = assertThrows(AssertionError.class, TestRules::assertNoServerThreads);
      assertTrue(leak.getMessage().contains("socketserver4j rule probe"), leak.getMessage());
      TestRules.assertNoServerThreads(); // already blamed: no cascade into later tests
    } finally {
      if (factor == null) {
        System.clearProperty("socketserver4j.test.timeoutFactor");
      } else {
        System.setProperty("socketserver4j.test.timeoutFactor", factor);
      }
      release.countDown();
      probe.join(TestRules.waitBound().toMillis());
    }
    assertFalse(probe.isAlive());
  }
}
