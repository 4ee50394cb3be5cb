package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link BoundedForkingServer} with three clients and handlers that wait for the test: two
 * run, the third is accepted only once one of them has ended (CPython's {@code max_children}, whose
 * {@code collect_children} blocks the serving loop in {@code waitpid}).
 */
class BoundedForkingServerTest {

  @Test
  @DisplayName("ForkingMixIn.max_children = 2: the third concurrent request waits until one ends")
  void theThirdRequestWaitsForOneToEnd() throws Exception {
    Semaphore release = new Semaphore(0);
    List<String> started = new CopyOnWriteArrayList<>();
    CountDownLatch two = new CountDownLatch(2);
    CountDownLatch three = new CountDownLatch(3);
    class Waits extends StreamRequestHandler {
      @Override
      public void handle() throws Exception {
        byte[] line = rfile().readLine();
        started.add(new String(line, StandardCharsets.UTF_8));
        two.countDown();
        three.countDown();
        assertTrue(release.tryAcquire(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
        wfile().write(line);
      }
    }
    BoundedForkingServer server = new BoundedForkingServer(anyLoopbackPort(), Waits::new);
    Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
    List<Client> clients = new ArrayList<>();
    try {
      serving.start();
      for (int i = 1; i <= 3; i++) {
        clients.add(Client.connect(server.serverAddress()).send("client " + i + "\n"));
      }
      assertTrue(two.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      awaitBlockedInCollectChildren(serving);
      assertEquals(2, started.size(), "a third request started: " + started);
      assertEquals(2, server.activeChildren());

      release.release(); // one request ends; the loop accepts the third
      assertTrue(three.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      release.release(2);
      for (int i = 1; i <= 3; i++) {
        assertEquals("client " + i + "\n", clients.get(i - 1).readLine());
      }
    } finally {
      release.release(3);
      server.shutdown();
      serving.join(TestRules.waitBound().toMillis());
      server.serverClose(); // waits for the running requests (block_on_close)
      for (Client client : clients) {
        client.close();
      }
    }
    assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
    assertEquals(0, server.activeChildren());
  }

  /**
   * Waits until {@code loop} is parked in {@code ForkingMixIn.collectChildren}, without a limit.
   */
  private static void awaitBlockedInCollectChildren(Thread loop) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (System.nanoTime() < deadline) {
      if (loop.getState() == Thread.State.WAITING
          && Arrays.stream(loop.getStackTrace())
              .anyMatch(f -> f.getMethodName().equals("collectChildren"))) {
        return;
      }
      LockSupport.parkNanos(1_000_000);
    }
    throw new AssertionError(
        "the serving loop never waited in collectChildren: "
            + Arrays.toString(loop.getStackTrace()));
  }
}
