package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Graceful drain with a deadline (issue: reliability; Netty #3699, reactor-netty #1022). */
class DrainTest {
  static final int FINISHING = 150;
  static final int STUCK = 50;
  static final int BODY = 64 * 1024;

  /** Echoes "hello"; on "bye" waits until the drain has begun, then sends a body and returns. */
  static final class Conversation extends StreamRequestHandler {
    final CountDownLatch drainStarted;
    final CountDownLatch greeted;

    Conversation(CountDownLatch drainStarted, CountDownLatch greeted) {
      this.drainStarted = drainStarted;
      this.greeted = greeted;
    }

    @Override
    public void handle() throws Exception {
      wfile().write(rfile().readLine());
      greeted.countDown();
      byte[] line = rfile().readLine(); // the stuck clients never send this
      if (Arrays.equals(line, "bye\n".getBytes(StandardCharsets.UTF_8))) {
        assertTrue(drainStarted.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
        byte[] body = new byte[BODY];
        Arrays.fill(body, (byte) 'x');
        wfile().write(body);
      }
    }
  }

  @Test
  @DisplayName("200 clients mid-conversation, drain(2 s): finished replies arrive whole, the rest are cut and counted")
  void drainUnderLoad() throws Exception {
    CountDownLatch drainStarted = new CountDownLatch(1);
    CountDownLatch greeted = new CountDownLatch(FINISHING + STUCK);
    ThreadingTCPServer server =
        new ThreadingTCPServer(anyLoopbackPort(), () -> new Conversation(drainStarted, greeted)) {
          @Override
          public int requestQueueSize() {
            return 256;
          }
        };
    Thread loop = new Thread(() -> server.serveForever(Duration.ofMillis(50)), "serve_forever");
    List<Client> clients = new ArrayList<>();
    try {
      loop.start();
      for (int i = 0; i < FINISHING + STUCK; i++) {
        Client c = Client.connect(server.serverAddress());
        clients.add(c);
        c.send("hello " + i + "\n");
      }
      for (int i = 0; i < clients.size(); i++) {
        assertEquals("hello " + i + "\n", clients.get(i).readLine());
      }
      assertTrue(greeted.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      for (int i = 0; i < FINISHING; i++) {
        clients.get(i).send("bye\n");
      }
      CompletableFuture<DrainResult> drained =
          CompletableFuture.supplyAsync(() -> server.drain(Duration.ofSeconds(2)));
      TestRules.awaitTrue(() -> !server.accepting(), "drain began");
      drainStarted.countDown();
      byte[] expected = new byte[BODY];
      Arrays.fill(expected, (byte) 'x');
      for (int i = 0; i < FINISHING; i++) {
        assertArrayEquals(expected, clients.get(i).readExactly(BODY), "client " + i);
        assertTrue(clients.get(i).seesEndOfStream(TestRules.waitBound()), "client " + i);
      }
      DrainResult result =
          drained.get(TestRules.waitBound().toMillis() + 2_000, TimeUnit.MILLISECONDS);
      assertEquals(new DrainResult(FINISHING, STUCK, 0), result);
      for (int i = FINISHING; i < clients.size(); i++) {
        Client c = clients.get(i);
        assertTrue(endsOrResets(c), "cut client " + i + " still open");
      }
      loop.join(TestRules.waitBound().toMillis());
      assertFalse(loop.isAlive(), "serveForever did not end");
      assertEquals(0, server.recordedThreads(), "request threads outlived drain()");
      assertFalse(server.socket().isOpen());
      assertThrows(IllegalStateException.class, server::serveForever);
    } finally {
      server.serverClose();
      for (Client c : clients) {
        c.close();
      }
    }
  }

  @Test
  @DisplayName("drain on a synchronous TCPServer cuts the request in progress at the deadline")
  void drainSynchronousServer() throws Exception {
    CountDownLatch inHandle = new CountDownLatch(1);
    TCPServer server =
        new TCPServer(anyLoopbackPort(), () -> new StreamRequestHandler() {
          @Override
          public void handle() throws IOException {
            inHandle.countDown();
            rfile().readLine(); // never arrives: cut by the drain
          }
        }) {
          @Override
          public void handleError(Request request, java.net.SocketAddress clientAddress) {
            // the cut read fails; expected
          }
        };
    Thread loop = new Thread(server::serveForever, "serve_forever");
    try (Client c = Client.connect(server.serverAddress())) {
      loop.start();
      assertTrue(inHandle.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      DrainResult result = server.drain(Duration.ofMillis(200));
      assertEquals(new DrainResult(0, 1, 0), result);
      loop.join(TestRules.waitBound().toMillis());
      assertFalse(loop.isAlive());
      assertTrue(endsOrResets(c));
    } finally {
      server.serverClose();
    }
  }

  @Test
  @DisplayName("drain on the serving thread throws instead of waiting for itself")
  void drainOnServingThreadThrows() throws Exception {
    List<Throwable> seen = new ArrayList<>();
    TCPServer[] holder = new TCPServer[1];
    TCPServer server =
        new TCPServer(anyLoopbackPort(), () -> new StreamRequestHandler() {
          @Override
          public void handle() {
            holder[0].drain(Duration.ofSeconds(1));
          }
        }) {
          @Override
          public void handleError(Request request, java.net.SocketAddress clientAddress) {
            seen.add(currentException().orElseThrow());
            requestShutdown();
          }
        };
    holder[0] = server;
    try (server; Client c = Client.connect(server.serverAddress())) {
      server.serveForever(Duration.ofMillis(20));
      assertEquals(1, seen.size());
      assertTrue(seen.get(0) instanceof IllegalStateException, String.valueOf(seen));
    }
  }

  @Test
  @DisplayName("a request still in verifyRequest when drain() begins is shut down unprocessed and not counted")
  void requestVerifiedDuringDrainIsNotProcessed() throws Exception {
    CountDownLatch inVerify = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger shutDown = new java.util.concurrent.atomic.AtomicInteger();
    UDPServer server =
        new UDPServer(anyLoopbackPort(), () -> new DatagramRequestHandler() {
          @Override
          public void handle() {
            handled.incrementAndGet();
          }
        }) {
          @Override
          public boolean verifyRequest(Request request, java.net.SocketAddress clientAddress) {
            inVerify.countDown();
            try {
              assertTrue(release.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return true;
          }

          @Override
          public void shutdownRequest(Request request) {
            shutDown.incrementAndGet();
            super.shutdownRequest(request);
          }
        };
    Thread loop = new Thread(() -> server.serveForever(Duration.ofMillis(50)), "serve_forever");
    try (java.net.DatagramSocket client = new java.net.DatagramSocket()) {
      loop.start();
      byte[] one = {1};
      client.send(new java.net.DatagramPacket(one, 1, server.serverAddress()));
      assertTrue(inVerify.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      CompletableFuture<DrainResult> drained =
          CompletableFuture.supplyAsync(() -> server.drain(Duration.ofMillis(200)));
      TestRules.awaitTrue(() -> !server.accepting(), "drain began");
      release.countDown();
      assertEquals(
          new DrainResult(0, 0, 0),
          drained.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      loop.join(TestRules.waitBound().toMillis());
      assertFalse(loop.isAlive(), "serveForever did not end");
      assertEquals(0, handled.get(), "the request was processed after drain() began");
      assertEquals(1, shutDown.get(), "the request was not shut down once");
    } finally {
      release.countDown();
      server.serverClose();
    }
  }

  static boolean endsOrResets(Client c) throws IOException {
    try {
      return c.seesEndOfStream(TestRules.waitBound());
    } catch (java.net.SocketException reset) {
      return true;
    }
  }
}
