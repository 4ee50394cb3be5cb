package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ForkingMixIn mapping: what CPython users rely on (max_children, reaping, the 300 s timeout,
 * block_on_close) without fork; spec 1.8 and 2.3 #5.
 */
class ForkingTest {

  @Test
  @DisplayName("spec 2.3 #5: ForkingTCPServer.timeout == 300; ThreadingTCPServer.timeout is None")
  void forkingTimeoutIs300() throws Exception {
    try (ForkingTCPServer f = new ForkingTCPServer(anyLoopbackPort(), StreamRequestHandler::new);
        ThreadingTCPServer t = new ThreadingTCPServer(anyLoopbackPort(), StreamRequestHandler::new)) {
      assertEquals(Optional.of(Duration.ofSeconds(300)), f.timeout());
      assertEquals(Optional.empty(), t.timeout());
      assertEquals(40, f.maxChildren());
      assertTrue(f.blockOnClose());
    }
  }

  @Test
  @DisplayName("max_children: with 40 requests running, the 41st waits until one finishes")
  void the41stRequestWaits() throws Exception {
    Semaphore release = new Semaphore(0);
    AtomicInteger started = new AtomicInteger();
    CountDownLatch fortyRunning = new CountDownLatch(40);
    CountDownLatch fortyFirst = new CountDownLatch(41);
    ForkingTCPServer server =
        new ForkingTCPServer(anyLoopbackPort(), () -> new StreamRequestHandler() {
          @Override
          public void handle() throws Exception {
            started.incrementAndGet();
            fortyRunning.countDown();
            fortyFirst.countDown();
            release.acquire();
            wfile().write(rfile().readLine());
          }
        }) {
          @Override
          public int requestQueueSize() {
            return 64; // all 41 clients fit in the backlog
          }
        };
    Thread loop = new Thread(() -> server.serveForever(Duration.ofMillis(20)), "serve_forever");
    List<Client> clients = new ArrayList<>();
    try {
      loop.start();
      for (int i = 0; i < 41; i++) {
        clients.add(Client.connect(server.serverAddress()).send("line " + i + "\n"));
      }
      assertTrue(fortyRunning.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      // The loop is now blocked in collectChildren, as CPython's parent blocks in waitpid.
      awaitBlockedIn(loop, "collectChildren");
      assertEquals(40, started.get(), "the 41st request started while 40 were running");
      assertEquals(40, server.activeChildren());
      release.release(); // one request ends, so the 41st may start
      assertTrue(fortyFirst.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      release.release(40);
      for (int i = 0; i < 41; i++) {
        assertEquals("line " + i + "\n", clients.get(i).readLine());
      }
    } finally {
      release.release(100);
      server.shutdown();
      loop.join(TestRules.waitBound().toMillis());
      server.serverClose();
      for (Client c : clients) {
        c.close();
      }
    }
    assertFalse(loop.isAlive());
    assertEquals(0, server.activeChildren(), "bpo-31151: server_close waited for the children");
  }

  @Test
  @DisplayName("ServerExit in a 'child' ends only that request, silently (os._exit(1)); shutdownRequest runs")
  void serverExitInChildIsSilent() throws Exception {
    CountDownLatch shut = new CountDownLatch(1);
    ForkingTCPServer server =
        new ForkingTCPServer(anyLoopbackPort(), () -> new StreamRequestHandler() {
          @Override
          public void handle() {
            throw new ServerExit("bye");
          }
        }) {
          @Override
          public void shutdownRequest(Request request) {
            super.shutdownRequest(request);
            shut.countDown();
          }

          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            throw new AssertionError("handleError must not run for ServerExit");
          }
        };
    try (server; Client c = Client.connect(server.serverAddress())) {
      server.handleRequest();
      assertTrue(shut.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      assertTrue(c.seesEndOfStream(TestRules.waitBound()));
    }
  }

  static void awaitBlockedIn(Thread t, String method) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (System.nanoTime() < deadline) {
      if (t.getState() == Thread.State.WAITING
          && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals(method))) {
        return;
      }
      LockSupport.parkNanos(1_000_000);
    }
    throw new AssertionError(t.getName() + " never blocked in " + method + ": " + Arrays.toString(t.getStackTrace()));
  }

}
