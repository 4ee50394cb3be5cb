package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.DrainResult;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The drain example: a client mid-conversation is cut at the deadline and counted. */
class GracefulDrainTest {

  @Test
  void drainCutsTheOpenConversation() throws Exception {
    ThreadingTCPServer server = GracefulDrain.newServer(new InetSocketAddress("127.0.0.1", 0));
    try (Client done = Client.connect(server.serverAddress());
        Client open = Client.connect(server.serverAddress())) {
      CompletableFuture<DrainResult> drained = new CompletableFuture<>();
      CountDownLatch stop = new CountDownLatch(1);
      Thread example =
          new Thread(
              () -> {
                try {
                  // The example serves until `stop`, then drains; the clients talk meanwhile.
                  drained.complete(
                      GracefulDrain.serveThenDrain(server, stop, Duration.ofMillis(500)));
                } catch (Throwable t) {
                  drained.completeExceptionally(t);
                }
              });
      example.start();
      // Both conversations start before the drain: each client is echoed once.
      done.send("one\n");
      open.send("two\n");
      assertEquals("one\n", done.readLine());
      assertEquals("two\n", open.readLine());
      done.shutdownOutput(); // this handler finishes by itself
      assertTrue(done.seesEndOfStream(TestRules.waitBound()));
      stop.countDown();
      DrainResult result =
          drained.get(TestRules.waitBound().toMillis() + 500, TimeUnit.MILLISECONDS);
      // The finished conversation ended before the drain began, so only the open one counts.
      assertEquals(new DrainResult(0, 1, 0), result);
      assertTrue(open.seesEndOfStream(TestRules.waitBound()));
      example.join(TestRules.waitBound().toMillis());
    } finally {
      server.serverClose();
    }
  }
}
