package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.DrainResult;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pooled-server example: requests run on the application's pool, and drain covers them. */
class PooledServerTest {

  /** Answers with the name of the thread it runs on, then echoes. */
  static final class WhereAmI extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write((Thread.currentThread().getName() + "\n").getBytes());
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
    }
  }

  /** Whether the server ended the connection: end of stream, or a reset (a cut). */
  private static boolean endsOrResets(Client c) throws IOException {
    try {
      return c.seesEndOfStream(TestRules.waitBound());
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  @Test
  @DisplayName(
      "requests run on the pool; drain() waits for a pooled request and cuts the one still open")
  void requestsRunOnThePoolAndDrainCoversThem() throws Exception {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "app-pool");
              t.setDaemon(true);
              return t;
            });
    PooledServer server = new PooledServer(anyLoopbackPort(), WhereAmI::new, pool);
    Thread loop = new Thread(() -> server.serveForever(Duration.ofMillis(50)), "serve_forever");
    try (Client finishing = Client.connect(server.serverAddress());
        Client open = Client.connect(server.serverAddress())) {
      loop.start();
      assertEquals("app-pool", finishing.readLine().strip());
      assertEquals("app-pool", open.readLine().strip());
      finishing.send("last words\n");
      assertEquals("last words\n", finishing.readLine());
      CompletableFuture<DrainResult> drained =
          CompletableFuture.supplyAsync(() -> server.drain(Duration.ofSeconds(2)));
      TestRules.awaitTrue(() -> !server.socket().isOpen(), "the drain to stop accepting");
      finishing.shutdownOutput(); // this request ends by itself, after the drain began
      assertTrue(finishing.seesEndOfStream(TestRules.waitBound()));
      DrainResult result = drained.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(new DrainResult(1, 1, 0), result);
      assertTrue(endsOrResets(open), "the open request was not cut");
      loop.join(TestRules.waitBound().toMillis());
    } finally {
      server.serverClose();
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    }
  }
}
