package io.github.socketserver4j;

import static io.github.socketserver4j.memory.MemoryNetwork.anyPort;
import static io.github.socketserver4j.testing.ApiTestRules.awaitEnded;
import static io.github.socketserver4j.testing.ApiTestRules.awaitTrue;
import static io.github.socketserver4j.testing.ApiTestRules.waitBound;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.memory.MemoryClient;
import io.github.socketserver4j.memory.MemoryNetwork;
import io.github.socketserver4j.testing.Gate;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, "one public seam to run requests on the user's own executor": {@link
 * ThreadingMixIn#requestExecutor()}, which {@code serverClose()}, {@code blockOnClose()} and
 * {@code drain} still cover (a {@code processRequest} override that submits to a pool defeats
 * them).
 */
class RequestExecutorTest {
  private final ExecutorService pool =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "user-pool");
            t.setDaemon(true);
            return t;
          });

  @AfterEach
  void shutDownPool() throws InterruptedException {
    pool.shutdownNow();
    assertTrue(pool.awaitTermination(waitBound().toMillis(), TimeUnit.MILLISECONDS));
  }

  /** A threading server on the test's pool; its hook reads a field the constructor sets. */
  static class Pooled extends ThreadingTCPServer {
    private final Executor executor;
    final AtomicInteger executorReads = new AtomicInteger();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    volatile boolean daemon;
    volatile boolean blockOnClose = true;

    Pooled(Executor executor, RequestHandlerFactory factory) throws IOException {
      super(anyPort(), factory);
      this.executor = executor; // set after super(): the hook must not be read before a request
    }

    @Override
    public Optional<Executor> requestExecutor() {
      executorReads.incrementAndGet();
      return Optional.of(executor);
    }

    @Override
    public boolean daemonThreads() {
      return daemon;
    }

    @Override
    public boolean blockOnClose() {
      return blockOnClose;
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      errors.add(currentException().orElseThrow());
    }
  }

  /** Replies with the name of the thread it ran on. */
  static final class WhereAmI extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      rfile().readLine();
      wfile().write((Thread.currentThread().getName() + "\n").getBytes());
    }
  }

  /** Waits at the gate, then records that it ended. */
  static final class Held extends StreamRequestHandler {
    private final Gate gate;
    private final AtomicInteger ended;

    Held(Gate gate, AtomicInteger ended) {
      this.gate = gate;
      this.ended = ended;
    }

    @Override
    public void handle() throws InterruptedException {
      gate.pass();
      ended.incrementAndGet();
    }
  }

  @Test
  @DisplayName(
      "issue 10: requests run on the executor requestExecutor() returns, read once and after"
          + " construction")
  void requestsRunOnTheExecutor() throws Exception {
    try (Pooled server = new Pooled(pool, WhereAmI::new)) {
      assertEquals(0, server.executorReads.get(), "the hook was read during construction");
      for (int i = 0; i < 3; i++) {
        try (MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
          client.send("where?\n");
          server.handleRequest();
          assertEquals("user-pool\n", client.readLine(waitBound()));
          assertTrue(client.seesEnd(waitBound()), "the request was not shut down");
        }
      }
      assertEquals(1, server.executorReads.get());
    }
  }

  @Test
  @DisplayName(
      "issue 10 / bpo-31233: serverClose() waits for a request running on the user's pool and for"
          + " one still queued there")
  void serverCloseWaitsForPooledRequests() throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor();
    Gate gate = new Gate(1);
    AtomicInteger ended = new AtomicInteger();
    Pooled server = new Pooled(one, () -> new Held(gate, ended));
    try (MemoryClient first = MemoryNetwork.connect(server.serverAddress());
        MemoryClient queued = MemoryNetwork.connect(server.serverAddress())) {
      server.handleRequest();
      server.handleRequest(); // queued behind the first on the one-thread pool
      gate.awaitEntered();
      AtomicInteger endedAtReturn = new AtomicInteger(-1);
      Thread closer =
          new Thread(
              () -> {
                server.serverClose();
                endedAtReturn.set(ended.get());
              },
              "closer");
      closer.start();
      awaitTrue(() -> closer.getState() == Thread.State.WAITING, "serverClose() to wait");
      assertEquals(0, ended.get());
      gate.release();
      awaitEnded(closer, "serverClose()");
      assertEquals(2, endedAtReturn.get(), "serverClose() returned before the pooled requests");
      assertTrue(first.seesEnd(waitBound()));
      assertTrue(queued.seesEnd(waitBound()));
    } finally {
      gate.release();
      one.shutdownNow();
      server.serverClose();
    }
  }

  @Test
  @DisplayName(
      "bpo-33540 on the pool: serverClose() does not wait with blockOnClose() false or"
          + " daemonThreads() true")
  void serverCloseDoesNotWaitWhenNotBlocking() throws Exception {
    for (boolean daemon : new boolean[] {true, false}) {
      Gate gate = new Gate(1);
      AtomicInteger ended = new AtomicInteger();
      Pooled server = new Pooled(pool, () -> new Held(gate, ended));
      server.daemon = daemon;
      server.blockOnClose = daemon; // (true, true), then (false, false)
      try (MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
        server.handleRequest();
        gate.awaitEntered();
        Thread closer = new Thread(server::serverClose, "closer");
        closer.start();
        awaitEnded(closer, "serverClose() with daemonThreads " + daemon);
        assertEquals(0, ended.get());
      } finally {
        gate.release();
      }
      awaitTrue(() -> ended.get() == 1, "the handler to end");
    }
  }

  /** "fin" replies once the drain has begun; "stuck" reads until it is cut. */
  static final class FinOrStuck extends StreamRequestHandler {
    private final Gate entered;

    FinOrStuck(Gate entered) {
      this.entered = entered;
    }

    @Override
    public void handle() throws IOException {
      String line = new String(rfile().readLine());
      entered.enter();
      if (line.equals("fin\n")) {
        awaitTrue(() -> !server().accepting(), "the drain to begin");
        wfile().write("done\n".getBytes());
      } else {
        rfile().readLine(); // never sent: throws when the drain cuts the connection
      }
    }
  }

  @Test
  @DisplayName(
      "issue 10: drain() waits for a request on the user's pool and cuts the one still running"
          + " at the deadline")
  void drainCoversThePool() throws Exception {
    Gate entered = new Gate(2);
    Pooled server = new Pooled(pool, () -> new FinOrStuck(entered));
    try (server;
        MemoryClient fin = MemoryNetwork.connect(server.serverAddress());
        MemoryClient stuck = MemoryNetwork.connect(server.serverAddress())) {
      fin.send("fin\n");
      stuck.send("stuck\n");
      server.handleRequest();
      server.handleRequest();
      entered.awaitEntered();
      assertEquals(2, server.activeRequests());
      DrainResult result = server.drain(Duration.ofMillis(300));
      assertEquals(new DrainResult(1, 1, 0), result);
      assertEquals("done\n", fin.readLine(waitBound()));
      assertTrue(stuck.wasReset(waitBound()), "the stuck request was not cut");
      assertEquals(0, server.activeRequests());
    }
  }

  @Test
  @DisplayName(
      "issue 10: a task the executor rejects goes to handleError and the request is shut down, as"
          + " CPython does when Thread.start fails")
  void rejectedTaskIsHandled() throws Exception {
    RejectedExecutionException rejected = new RejectedExecutionException("pool is full");
    Executor refusing =
        task -> {
          throw rejected;
        };
    AtomicBoolean ran = new AtomicBoolean();
    Pooled server =
        new Pooled(
            refusing,
            () ->
                new StreamRequestHandler() {
                  @Override
                  public void handle() {
                    ran.set(true);
                  }
                });
    try (server;
        MemoryClient client = MemoryNetwork.connect(server.serverAddress())) {
      server.handleRequest();
      assertEquals(List.of(rejected), server.errors);
      assertTrue(client.seesEnd(waitBound()), "the rejected request was not shut down");
      assertFalse(ran.get());
      assertEquals(0, server.activeRequests());
      Thread closer = new Thread(server::serverClose, "closer");
      closer.start();
      awaitEnded(closer, "serverClose() after a rejected task");
    }
  }
}
