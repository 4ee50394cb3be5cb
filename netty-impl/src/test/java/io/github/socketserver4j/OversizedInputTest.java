package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7, oversized input: a line longer than the {@code readLine} limit, and datagrams longer
 * than {@code maxPacketSize}. CPython's rules, checked with python3 3.11.7: {@code
 * readline(limit)} returns {@code limit} bytes of a longer line (the rest stays for the next
 * read), and {@code recvfrom(max_packet_size)} truncates (spec 1.6). Neither may make the server
 * hold the whole input: direct memory is sampled by the handler as it reads.
 */
class OversizedInputTest {
  static final int LIMIT = 8192;
  static final long LINE_BYTES = 32L * 1024 * 1024;
  static final int DATAGRAMS = 1000;
  /** Allowed growth of direct memory: far below what is sent (32 MiB, 64 MB). */
  static final long MEMORY_BOUND = 8L * 1024 * 1024;

  static List<String> transports() {
    return Transports.available();
  }

  /** Direct memory in use: Netty's own counter (its cleaner-less buffers) plus the JDK's pool. */
  static long directMemory() {
    long netty = Math.max(0, PlatformDependent.usedDirectMemory());
    long jdk = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        jdk = pool.getMemoryUsed();
      }
    }
    return netty + jdk;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 7: a 32 MiB line read with readLine(8192) comes as 8192-byte partial lines; direct memory stays bounded")
  void lineLongerThanLimit(String transport) throws Exception {
    AtomicLong peak = new AtomicLong();
    AtomicLong total = new AtomicLong();
    AtomicLong wrongSizes = new AtomicLong();
    CompletableFuture<byte[]> last = new CompletableFuture<>();
    Transports.with(
        transport,
        () -> {
          long before = directMemory();
          try (TCPServer server =
              new TCPServer(anyLoopbackPort(), () -> new StreamRequestHandler() {
                @Override
                public void handle() throws IOException {
                  while (true) {
                    byte[] part = rfile().readLine(LIMIT);
                    total.addAndGet(part.length);
                    peak.accumulateAndGet(directMemory(), Math::max);
                    if (part.length == 0 || part[part.length - 1] == '\n') {
                      last.complete(part);
                      return;
                    }
                    if (part.length != LIMIT) {
                      wrongSizes.incrementAndGet();
                    }
                  }
                }
              })) {
            Thread t = SocketTypesTest.serveOne(server);
            try (Client c = Client.connect(server.serverAddress())) {
              OutputStream out = c.socket().getOutputStream();
              byte[] block = new byte[64 * 1024];
              Arrays.fill(block, (byte) 'x');
              for (long sent = 0; sent < LINE_BYTES; sent += block.length) {
                out.write(block);
              }
              out.write("tail\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              byte[] end = last.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
              // 32 MiB is a whole number of 8 KiB parts, so the tail is a line of its own.
              assertEquals("tail\n", new String(end, StandardCharsets.US_ASCII));
            }
            t.join(TestRules.waitBound().toMillis());
          }
          long growth = peak.get() - before;
          System.out.printf(
              "%s: %d bytes read as %d-byte parts; direct memory peak growth %d KiB%n",
              transport, total.get(), LIMIT, growth / 1024);
          assertEquals(LINE_BYTES + 5, total.get());
          assertEquals(0, wrongSizes.get(), "parts that were not exactly the limit");
          assertTrue(growth < MEMORY_BOUND, "direct memory grew by " + growth + " bytes");
          return null;
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 7: 1,000 datagrams of 65,507 bytes arrive truncated to 8,192 (max_packet_size); direct memory stays bounded")
  void oversizedDatagrams(String transport) throws Exception {
    AtomicLong peak = new AtomicLong();
    Transports.with(
        transport,
        () -> {
          long before = directMemory();
          try (UDPServer server =
              new UDPServer(anyLoopbackPort(), () -> new DatagramRequestHandler() {
                @Override
                public void handle() throws IOException {
                  peak.accumulateAndGet(directMemory(), Math::max);
                  byte[] p = packet();
                  wfile().write((p.length + " " + (p[0] == 7 && p[p.length - 1] == 7)).getBytes(StandardCharsets.US_ASCII));
                }
              })) {
            Thread loop = ServerKinds.serveInBackground(server);
            try (DatagramSocket c = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
              c.setSoTimeout((int) TestRules.waitBound().toMillis());
              byte[] big = new byte[65_507]; // the largest UDP payload over IPv4
              Arrays.fill(big, (byte) 7);
              byte[] buf = new byte[100];
              for (int i = 0; i < DATAGRAMS; i++) {
                c.send(new DatagramPacket(big, big.length, server.serverAddress()));
                DatagramPacket reply = new DatagramPacket(buf, buf.length);
                c.receive(reply);
                assertEquals("8192 true", new String(buf, 0, reply.getLength(), StandardCharsets.US_ASCII));
              }
            } finally {
              ServerKinds.stop(server, loop);
            }
          }
          long growth = peak.get() - before;
          System.out.printf(
              "%s: %d datagrams of 65507 bytes truncated to 8192; direct memory peak growth %d KiB%n",
              transport, DATAGRAMS, growth / 1024);
          assertTrue(growth < MEMORY_BOUND, "direct memory grew by " + growth + " bytes");
          return null;
        });
  }
}
