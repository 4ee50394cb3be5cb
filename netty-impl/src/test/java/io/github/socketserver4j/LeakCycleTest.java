package io.github.socketserver4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.ServerKinds.Kind;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixDatagramClient;
import io.github.socketserver4j.testing.UnixPaths;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 7, leaks: 1,000 open/close cycles on every server class, each serving one request,
 * alternating the transports the class runs on ({@code -Dsocketserver4j.leak.cycles} changes the
 * count). Afterwards the live platform threads, the open file descriptors and the direct memory
 * must be back at their counts before, within a small margin: threads +2 (JVM compiler threads
 * come and go), descriptors +2, direct memory +1 MiB (allocator caches).
 */
class LeakCycleTest {
  static final int THREAD_MARGIN = 2;
  static final int FD_MARGIN = 2;
  static final long DIRECT_MARGIN = 1024 * 1024;

  record Counts(int threads, long fds, long direct) {}

  static Counts counts() throws Exception {
    return new Counts(
        ManagementFactory.getThreadMXBean().getThreadCount(),
        SocketServerTest.openFds(),
        OversizedInputTest.directMemory());
  }

  /** One client per kind for all its cycles; stream clients connect anew each cycle. */
  static final class OneRequest implements AutoCloseable {
    private final Kind kind;
    private final UnixPaths paths;
    private DatagramSocket udp;
    private UnixDatagramClient unixDgram;

    OneRequest(Kind kind, UnixPaths paths) throws Exception {
      this.kind = kind;
      this.paths = paths;
      if (!kind.stream && !kind.unix) {
        udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        udp.setSoTimeout((int) TestRules.waitBound().toMillis());
      } else if (!kind.stream) {
        unixDgram = new UnixDatagramClient(paths.next());
      }
    }

    /** Serves one request on {@code server} with handleRequest() and checks the echo. */
    void serveOne(TCPServer server, int i) throws Exception {
      byte[] msg = ("cycle " + i + "\n").getBytes(StandardCharsets.UTF_8);
      SocketAddress to = server.serverAddress();
      if (kind.stream) {
        try (FaultClient c = new FaultClient(to)) {
          c.send("cycle " + i + "\n");
          server.handleRequest();
          assertEquals("cycle " + i + "\n", c.readLine());
        }
      } else if (udp != null) {
        udp.send(new DatagramPacket(msg, msg.length, to));
        server.handleRequest();
        byte[] buf = new byte[64];
        DatagramPacket reply = new DatagramPacket(buf, buf.length);
        udp.receive(reply);
        assertEquals("cycle " + i + "\n", new String(buf, 0, reply.getLength(), StandardCharsets.UTF_8));
      } else {
        unixDgram.send(msg, (UnixDomainSocketAddress) to);
        server.handleRequest();
        assertArrayEquals(msg, unixDgram.receive());
      }
    }

    @Override
    public void close() throws Exception {
      if (udp != null) {
        udp.close();
      }
      if (unixDgram != null) {
        unixDgram.close();
      }
    }
  }

  static void cycle(Kind kind, String transport, UnixPaths paths, OneRequest client, int i)
      throws Exception {
    SocketAddress address = kind.address(paths);
    TCPServer server =
        Transports.with(
            transport,
            () ->
                kind.create(
                    address,
                    kind.stream ? SocketServerTest.EchoLine::new : SocketTypesTest.EchoDatagram::new,
                    e -> {
                      throw new AssertionError("handleError in a leak cycle", e);
                    }));
    try {
      client.serveOne(server, i);
    } finally {
      server.serverClose(); // joins the request thread of a threading or forking server
      if (address instanceof UnixDomainSocketAddress) {
        Files.deleteIfExists(((UnixDomainSocketAddress) address).getPath()); // CPython's os.unlink
      }
    }
  }

  static void awaitAtMost(LongSupplier value, long bound) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (value.getAsLong() > bound && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Kind.class)
  @DisplayName("issue 7: 1,000 open/serve/close cycles leave threads, file descriptors and direct memory where they were")
  void openCloseCycles(Kind kind) throws Exception {
    int cycles = Integer.getInteger("socketserver4j.leak.cycles", 1000);
    List<String> transports = new ArrayList<>();
    for (String t : Transports.available()) {
      if (kind.runsOn(t)) {
        transports.add(t);
      }
    }
    try (UnixPaths paths = new UnixPaths(); OneRequest client = new OneRequest(kind, paths)) {
      for (int i = 0; i < 10; i++) { // warm up: classes, native libraries, allocator caches
        cycle(kind, transports.get(i % transports.size()), paths, client, i);
      }
      TestRules.assertNoServerThreads();
      Counts before = counts();
      long start = System.nanoTime();
      for (int i = 0; i < cycles; i++) {
        cycle(kind, transports.get(i % transports.size()), paths, client, i);
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      TestRules.assertNoServerThreads();
      awaitAtMost(() -> ManagementFactory.getThreadMXBean().getThreadCount(), before.threads() + THREAD_MARGIN);
      awaitAtMost(
          () -> {
            try {
              return SocketServerTest.openFds();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          },
          before.fds() + FD_MARGIN);
      Counts after = counts();
      System.out.printf(
          "%s: %d cycles on %s in %d ms; threads %d -> %d, fds %d -> %d, direct memory %d -> %d bytes%n",
          kind, cycles, transports, millis, before.threads(), after.threads(), before.fds(), after.fds(),
          before.direct(), after.direct());
      assertTrue(after.threads() <= before.threads() + THREAD_MARGIN, "threads " + before + " -> " + after);
      assertTrue(after.fds() <= before.fds() + FD_MARGIN, "fds " + before + " -> " + after);
      assertTrue(after.direct() <= before.direct() + DIRECT_MARGIN, "direct memory " + before + " -> " + after);
    }
  }
}
