package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 7: what a server does at its limits. The listen backlog of a synchronous server, the
 * ForkingMixIn mapping's bound on concurrent connections, and a handler that never returns.
 */
class ResourceBoundsTest {

  /**
   * The length of the kernel's accept queue of the listening TCP socket on {@code port}: the
   * {@code rx_queue} column of its LISTEN line in /proc/net/tcp.
   */
  static int acceptQueue(int port) throws IOException {
    String local = String.format(":%04X", port);
    for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 4 && f[1].endsWith(local) && f[3].equals("0A")) {
        return Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
      }
    }
    throw new AssertionError("no listening socket on port " + port);
  }

  static int port(SocketAddress a) {
    return ((InetSocketAddress) a).getPort();
  }

  /** A non-blocking connect, waited for up to {@code wait}: true once connected. */
  static boolean connectWithin(SocketChannel c, Duration wait) throws IOException {
    try (Selector s = Selector.open()) {
      c.register(s, SelectionKey.OP_CONNECT);
      s.select(Math.max(1, wait.toMillis()));
      return c.finishConnect();
    }
  }

  static void sendLine(SocketChannel c, String line) throws IOException {
    c.configureBlocking(true);
    c.socket().setSoTimeout((int) TestRules.waitBound().toMillis());
    c.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
  }

  static String readLine(SocketChannel c) throws IOException {
    InputStream in = c.socket().getInputStream();
    StringBuilder got = new StringBuilder();
    for (int b; (b = in.read()) >= 0; ) {
      got.append((char) b);
      if (b == '\n') {
        break;
      }
    }
    return got.toString();
  }

  @Test
  @DisplayName("issue 7: backlog overflow on a synchronous TCPServer: connects beyond the backlog wait in SYN retries (or are refused, per tcp_abort_on_overflow); all are served afterwards")
  void backlogOverflow() throws Exception {
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger served = new AtomicInteger();
    TCPServer server =
        new TCPServer(anyLoopbackPort(), () -> new StreamRequestHandler() {
          @Override
          public void handle() throws Exception {
            if (served.getAndIncrement() == 0) {
              busy.countDown();
              assertTrue(release.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
            }
            wfile().write(rfile().readLine());
          }
        });
    boolean abortOnOverflow =
        Files.readString(Path.of("/proc/sys/net/ipv4/tcp_abort_on_overflow")).trim().equals("1");
    int backlog = server.requestQueueSize();
    Thread loop = ServerKinds.serveInBackground(server);
    List<SocketChannel> queued = new ArrayList<>();
    List<SocketChannel> waiting = new ArrayList<>();
    try (Client first = Client.connect(server.serverAddress())) {
      first.send("first\n");
      assertTrue(busy.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      // Connect one at a time until three in a row do not complete: the queue is then full.
      while (waiting.size() < 3 && queued.size() < backlog + 10) {
        SocketChannel c = SocketChannel.open();
        c.configureBlocking(false);
        boolean connected;
        try {
          c.connect(server.serverAddress());
          connected = connectWithin(c, Duration.ofMillis(500));
        } catch (ConnectException refused) {
          c.close();
          assertTrue(abortOnOverflow, "refused although tcp_abort_on_overflow is 0: " + refused);
          waiting.add(null);
          continue;
        }
        (connected ? queued : waiting).add(c);
      }
      // Linux keeps backlog + 1 completed connections in the accept queue.
      assertEquals(backlog + 1, queued.size(), "connections the kernel completed");
      assertEquals(backlog + 1, acceptQueue(port(server.serverAddress())), "kernel accept queue");
      assertEquals(1, served.get(), "the server accepted only the request it is handling");
      release.countDown();
      assertEquals("first\n", first.readLine());
      // Every client sends before any reads: the server takes them in the kernel's order,
      // which for the waiting ones is the order their retried SYNs happened to land in.
      for (int i = 0; i < queued.size(); i++) {
        sendLine(queued.get(i), "queued " + i + "\n");
      }
      for (int i = 0; i < waiting.size(); i++) {
        SocketChannel c = waiting.get(i);
        if (c != null) {
          // The SYN is retried after 1 s, 3 s, 7 s...; the queue has room again.
          assertTrue(connectWithin(c, TestRules.waitBound()), "waiting connect " + i + " never completed");
          sendLine(c, "late " + i + "\n");
        }
      }
      for (int i = 0; i < queued.size(); i++) {
        assertEquals("queued " + i + "\n", readLine(queued.get(i)));
      }
      for (int i = 0; i < waiting.size(); i++) {
        if (waiting.get(i) != null) { // null: refused by the kernel (tcp_abort_on_overflow = 1)
          assertEquals("late " + i + "\n", readLine(waiting.get(i)));
        }
      }
      assertEquals(1 + queued.size() + waiting.stream().filter(c -> c != null).count(), served.get());
    } finally {
      release.countDown();
      for (SocketChannel c : queued) {
        c.close();
      }
      for (SocketChannel c : waiting) {
        if (c != null) {
          c.close();
        }
      }
      ServerKinds.stop(server, loop);
    }
  }

  @Test
  @DisplayName("issue 7 / spec 1.8: maxChildren 3 bounds concurrent connections; the others wait in the kernel's backlog, none is accepted and dropped")
  void maxChildrenBoundsConnections() throws Exception {
    Semaphore release = new Semaphore(0);
    CountDownLatch threeRunning = new CountDownLatch(3);
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    ForkingTCPServer server =
        new ForkingTCPServer(anyLoopbackPort(), () -> new StreamRequestHandler() {
          @Override
          public void handle() throws Exception {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            threeRunning.countDown();
            try {
              assertTrue(release.tryAcquire(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
              wfile().write(rfile().readLine());
            } finally {
              running.decrementAndGet();
            }
          }
        }) {
          @Override
          public int maxChildren() {
            return 3;
          }

          @Override
          public int requestQueueSize() {
            return 16;
          }

          @Override
          public ClientRequest getRequest() throws IOException {
            ClientRequest r = super.getRequest();
            accepted.incrementAndGet();
            return r;
          }
        };
    Thread loop = ServerKinds.serveInBackground(server);
    List<Client> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        clients.add(Client.connect(server.serverAddress()).send("client " + i + "\n"));
      }
      assertTrue(threeRunning.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      ForkingTest.awaitBlockedIn(loop, "collectChildren"); // the loop waits for a child to end
      assertEquals(3, accepted.get(), "accepted while 3 were running");
      assertEquals(3, acceptQueue(port(server.serverAddress())), "connections waiting in the kernel");
      release.release(6);
      for (int i = 0; i < 6; i++) {
        assertEquals("client " + i + "\n", clients.get(i).readLine());
      }
      assertEquals(6, accepted.get());
      assertEquals(3, maxRunning.get(), "most requests running at once");
    } finally {
      release.release(100);
      for (Client c : clients) {
        c.close();
      }
      ServerKinds.stop(server, loop);
    }
  }

  static long openFds() throws IOException {
    return SocketServerTest.openFds();
  }

  @Test
  @DisplayName("issue 7: a handler that never returns, blockOnClose false: serverClose returns; only that request's thread, connection and I/O loop stay until it ends")
  void handlerThatNeverReturns() throws Exception {
    hangOnce(false); // warms up: the first server in a JVM opens libraries and jars for good
    hangOnce(true);
  }

  private static void hangOnce(boolean measure) throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1); // released only to clean up
    Set<String> threadsBefore = TestRules.serverThreads();
    long fdsBefore = openFds();
    ThreadingTCPServer server =
        new ThreadingTCPServer(anyLoopbackPort(), () -> new StreamRequestHandler() {
          @Override
          public void handle() throws InterruptedException {
            entered.countDown();
            never.await();
          }
        }) {
          @Override
          public boolean blockOnClose() {
            return false;
          }
        };
    SocketAddress address = server.serverAddress();
    Thread loop = ServerKinds.serveInBackground(server);
    try (Client c = Client.connect(address)) {
      assertTrue(entered.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      server.shutdown();
      loop.join(TestRules.waitBound().toMillis());
      long start = System.nanoTime();
      ServerKinds.closeWithin(server);
      long closeMillis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(closeMillis < TestRules.waitBound().toMillis(), "serverClose took " + closeMillis + " ms");
      assertFalse(server.socket().isOpen());
      assertThrows(ConnectException.class, () -> Client.connect(address).close(), "still listening");
      // What stays: the request thread (a platform thread before JDK 21; virtual threads are
      // not listed) and the server's I/O threads, which carry the hung request's connection.
      Set<String> left =
          TestRules.serverThreads().stream()
              .filter(n -> !threadsBefore.contains(n))
              .collect(Collectors.toSet());
      assertFalse(left.isEmpty(), "the hung connection's I/O loop should still run");
      for (String n : left) {
        assertTrue(n.contains("-io-") || n.contains(" request 1"), "unexpected thread " + n);
      }
      assertFalse(c.seesEndOfStream(Duration.ofMillis(50)), "the hung request's connection was closed");
    } finally {
      never.countDown();
    }
    // Once the handler returns, its connection closes and everything else ends too.
    TestRules.assertServerThreadsWithin(threadsBefore);
    if (measure) {
      long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
      while (openFds() > fdsBefore + 2 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(5_000_000);
      }
      assertTrue(openFds() <= fdsBefore + 2, "fds: before " + fdsBefore + ", after " + openFds());
    }
  }
}
