package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.socketserver4j.LineInputStream;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.netty.channel.WriteBufferWaterMark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Backpressure through the blocking bridge (Netty facts 5.1): a peer that does not read makes
 * {@code wfile.write} block with bounded memory in Netty, and a handler that does not read makes
 * the peer's writes block with bounded memory in the bridge. CPython gets both from the kernel's
 * socket buffers; here Netty's queues sit in between and must not grow without limit. Nothing is
 * lost or truncated on the way (bpo-26721: {@code wfile.write} writes everything or raises).
 */
class BackpressureTest {
  static final int KIB = 1024;
  static final int MIB = 1024 * KIB;

  /**
   * Most bytes Netty may hold for one connection's writes: write() queues one chunk of at most
   * {@link ChannelStream#MAX_WRITE_CHUNK} (64 KiB) and then waits while the channel is above
   * Netty's default high water mark (64 KiB), so at most the mark plus one chunk are queued; plus 4
   * KiB for Netty's bookkeeping, which counts about 100 bytes per queued message.
   */
  static final long OUTBOUND_BOUND =
      WriteBufferWaterMark.DEFAULT.high() + ChannelStream.MAX_WRITE_CHUNK + 4 * KIB;

  /**
   * Most bytes the bridge may buffer from a peer its handler does not read: it asks Netty for more
   * only while below {@link ChannelStream#PREFETCH_BYTES} (64 KiB), and one read delivers at most
   * 64 KiB (the largest buffer of Netty's AdaptiveRecvByteBufAllocator).
   */
  static final long INBOUND_BOUND = ChannelStream.PREFETCH_BYTES + 64 * KIB;

  /** How long a client's write must make no progress at all to count as blocked. */
  static final long STALL_MILLIS = 300;

  /** The byte at {@code position} of a test stream: any loss, duplication or reordering shows. */
  static byte pattern(long position) {
    return (byte) (position * 31 + (position >>> 16));
  }

  static void fill(byte[] b, int len, long position) {
    for (int i = 0; i < len; i++) {
      b[i] = pattern(position + i);
    }
  }

  static void await(CountDownLatch latch) throws InterruptedException {
    assertTrue(latch.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS), "timed out");
  }

  @Test
  @DisplayName(
      "bpo-26721: 64 MiB written in 1 MiB writes to a client that does not read: write()"
          + " blocks with bounded memory, then the client receives all of it")
  void writeBlocksWhilePeerDoesNotRead() throws Exception {
    long total = 64L * MIB;
    AtomicLong written = new AtomicLong();
    AtomicReference<ChannelStream> stream = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(1);
    class Writer extends StreamRequestHandler {
      @Override
      public void handle() throws IOException {
        stream.set((ChannelStream) connection());
        started.countDown();
        byte[] chunk = new byte[MIB];
        for (long position = 0; position < total; position += MIB) {
          fill(chunk, MIB, position);
          wfile().write(chunk);
          written.addAndGet(MIB);
        }
      }
    }
    try (TCPServer server = new TCPServer(anyLoopbackPort(), Writer::new);
        Client client = Client.connect(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      await(started);
      ChannelStream connection = stream.get();
      // Blocked: parked in write() with no progress at all, in Netty or in the handler, for a
      // while.
      long blockedAt = -1;
      long pendingWhileBlocked = -1;
      long maxPending = 0;
      long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
      while (blockedAt < 0) {
        long before = written.get();
        long pendingBefore = connection.pendingOutboundBytes();
        maxPending = Math.max(maxPending, pendingBefore);
        Thread.sleep(STALL_MILLIS); // the observation window is what is being measured
        boolean parked = Background.isParkedIn(call.thread(), "ChannelStream", "write");
        if (parked
            && written.get() == before
            && connection.pendingOutboundBytes() == pendingBefore) {
          blockedAt = before;
          pendingWhileBlocked = pendingBefore;
        } else if (System.nanoTime() > deadline || !call.thread().isAlive()) {
          fail("write() never blocked; wrote " + written.get() + " bytes");
        }
      }
      assertTrue(blockedAt < total, "write() never blocked: wrote " + blockedAt);
      assertTrue(
          pendingWhileBlocked <= OUTBOUND_BOUND,
          "Netty queued " + pendingWhileBlocked + " bytes, bound " + OUTBOUND_BOUND);

      long received = 0;
      byte[] buf = new byte[64 * KIB];
      InputStream in = client.input();
      for (int n; (n = in.read(buf)) > 0; ) {
        for (int i = 0; i < n; i++) {
          if (buf[i] != pattern(received + i)) {
            fail("byte " + (received + i) + " differs: the stream was corrupted");
          }
        }
        received += n;
        maxPending = Math.max(maxPending, connection.pendingOutboundBytes());
      }
      call.join();
      System.out.printf(
          Locale.ROOT,
          "write side: handler blocked after %d MiB; pending in Netty %d bytes while blocked,"
              + " max %d over the run (bound %d)%n",
          blockedAt / MIB,
          pendingWhileBlocked,
          maxPending,
          OUTBOUND_BOUND);
      assertEquals(total, received, "bytes received before end of stream");
      assertEquals(total, written.get());
      assertTrue(maxPending <= OUTBOUND_BOUND, "Netty queued up to " + maxPending + " bytes");
    }
  }

  @Test
  @DisplayName(
      "a client sending 32 MiB to a handler that stops reading blocks; the bridge"
          + " buffers a bounded amount; the handler then reads all of it")
  void peerWriteBlocksWhileHandlerDoesNotRead() throws Exception {
    long total = 32L * MIB;
    AtomicReference<LineInputStream> rfile = new AtomicReference<>();
    CountDownLatch readingStarted = new CountDownLatch(1);
    CountDownLatch readOn = new CountDownLatch(1);
    class Sink extends StreamRequestHandler {
      @Override
      public void handle() throws Exception {
        LineInputStream in = rfile();
        rfile.set(in);
        long count = 0;
        long firstBad = -1;
        // One byte starts the bridge reading ahead; then the handler stops reading for a while.
        if (in.read() != (pattern(0) & 0xff)) {
          firstBad = 0;
        }
        count++;
        readingStarted.countDown();
        if (!readOn.await(2 * TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS)) {
          throw new AssertionError("the test never let the handler read on");
        }
        byte[] buf = new byte[64 * KIB];
        for (int n; (n = in.read(buf)) > 0; ) {
          for (int i = 0; i < n && firstBad < 0; i++) {
            if (buf[i] != pattern(count + i)) {
              firstBad = count + i;
            }
          }
          count += n;
        }
        wfile().write((count + " " + firstBad + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
    try (TCPServer server = new TCPServer(anyLoopbackPort(), Sink::new);
        Background call = Background.start("handle_request", server::handleRequest);
        SocketChannel ch = SocketChannel.open(server.serverAddress());
        Selector selector = Selector.open()) {
      ch.configureBlocking(false);
      SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
      Producer out = new Producer(total);
      long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
      long maxAvailable = 0;
      // Phase 1: write until no progress is possible for STALL_MILLIS after the handler stopped.
      while (true) {
        if (out.write(ch) == 0) {
          boolean writable = selector.select(STALL_MILLIS) > 0;
          selector.selectedKeys().clear();
          if (!writable && readingStarted.getCount() == 0) {
            break;
          }
        }
        LineInputStream in = rfile.get();
        if (in != null) {
          maxAvailable = Math.max(maxAvailable, in.available());
        }
        if (out.sent == total) {
          fail("the client wrote all 32 MiB to a handler that reads nothing");
        }
        if (System.nanoTime() > deadline) {
          fail("the client's writes never stalled; sent " + out.sent);
        }
      }
      long sentAtStall = out.sent;
      long availableAtStall = rfile.get().available();
      maxAvailable = Math.max(maxAvailable, availableAtStall);

      // Phase 2: the handler reads everything; the client finishes, half-closes, reads the count.
      readOn.countDown();
      deadline = System.nanoTime() + TestRules.waitBound().toNanos();
      while (out.sent < total) {
        if (out.write(ch) == 0) {
          selector.select(100);
          selector.selectedKeys().clear();
        }
        maxAvailable = Math.max(maxAvailable, rfile.get().available());
        if (System.nanoTime() > deadline) {
          fail("the handler did not take the rest; sent " + out.sent);
        }
      }
      ch.shutdownOutput();
      key.interestOps(SelectionKey.OP_READ);
      String reply = readToEnd(ch, selector);
      call.join();
      System.out.printf(
          Locale.ROOT,
          "read side: client stalled after %d KiB; bridge buffered %d bytes at the stall, max %d"
              + " (bound %d)%n",
          sentAtStall / KIB,
          availableAtStall,
          maxAvailable,
          INBOUND_BOUND);
      assertTrue(sentAtStall < total);
      assertTrue(
          maxAvailable <= INBOUND_BOUND,
          "the bridge buffered " + maxAvailable + " bytes, bound " + INBOUND_BOUND);
      assertEquals(total + " -1\n", reply, "handler's count and first corrupted byte");
    }
  }

  /** Writes the test pattern to a non-blocking channel, 64 KiB at a time. */
  private static final class Producer {
    final long total;
    final ByteBuffer chunk = ByteBuffer.allocate(64 * KIB).flip();
    long produced;
    long sent;

    Producer(long total) {
      this.total = total;
    }

    int write(SocketChannel ch) throws IOException {
      if (!chunk.hasRemaining()) {
        int len = (int) Math.min(chunk.capacity(), total - produced);
        fill(chunk.clear().array(), len, produced);
        chunk.limit(len);
        produced += len;
      }
      int n = ch.write(chunk);
      sent += n;
      return n;
    }
  }

  private static String readToEnd(SocketChannel ch, Selector selector) throws IOException {
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(256);
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (System.nanoTime() < deadline) {
      selector.select(100);
      selector.selectedKeys().clear();
      int n = ch.read(buf.clear());
      if (n < 0) {
        return reply.toString(StandardCharsets.US_ASCII);
      }
      reply.write(buf.array(), 0, n);
    }
    throw new AssertionError("no end of stream; reply so far: " + reply);
  }
}
