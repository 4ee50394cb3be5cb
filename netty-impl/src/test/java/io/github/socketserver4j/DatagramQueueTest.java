package io.github.socketserver4j;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.ServerKinds.Kind;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixPaths;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.DisplayName;

/**
 * Datagrams that queue in the socket while a synchronous server is busy are each served once, in
 * the order they arrived, as CPython's {@code select} + {@code recvfrom} loop serves them. On
 * epoll the serving thread takes queued datagrams below Netty and falls back to Netty's read
 * when the socket is empty; this mixes both paths on every run.
 */
class DatagramQueueTest {
  /**
   * Below Linux's default {@code net.unix.max_dgram_qlen} (10): a Unix datagram sender blocks
   * when the receiver's queue holds that many.
   */
  static final int QUEUED = 8;

  static List<Arguments> synchronousDatagramKinds() {
    List<Arguments> all = new ArrayList<>();
    for (Arguments a : ServerKinds.datagramKindsAndTransports()) {
      if (((Kind) a.get()[0]).model == ServerKinds.Model.SYNC) {
        all.add(a);
      }
    }
    return all;
  }

  /** Echoes the datagram; the first one waits until the test has queued the others. */
  static final class FirstWaits extends DatagramRequestHandler {
    final CountDownLatch queued;
    final List<String> seen;

    FirstWaits(CountDownLatch queued, List<String> seen) {
      this.queued = queued;
      this.seen = seen;
    }

    @Override
    public void handle() throws Exception {
      String text = new String(packet(), US_ASCII);
      seen.add(text);
      if (text.equals("0")) {
        assertTrue(queued.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      }
      wfile().write(packet());
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("synchronousDatagramKinds")
  @DisplayName("datagrams queued while the server is busy are served once each, in arrival order, then the server waits for more")
  void queuedDatagramsServedInOrder(Kind kind, String transport) throws Exception {
    CountDownLatch queued = new CountDownLatch(1);
    List<String> seen = new CopyOnWriteArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (UnixPaths paths = new UnixPaths()) {
      TCPServer server =
          Transports.with(
              transport,
              () -> kind.create(kind.address(paths), () -> new FirstWaits(queued, seen), errors::add));
      Thread loop = ServerKinds.serveInBackground(server);
      try (DrainKindsTest.Peer client = DrainKindsTest.Peer.open(kind, paths)) {
        SocketAddress to = server.serverAddress();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i <= QUEUED; i++) {
          client.send(Integer.toString(i), to);
          expected.add(Integer.toString(i));
        }
        queued.countDown();
        List<String> replies = new ArrayList<>();
        for (int i = 0; i <= QUEUED; i++) {
          replies.add(client.receive());
        }
        assertEquals(expected, replies);
        // The socket is empty now: the next datagram is one the server waits for.
        client.send("after", to);
        assertEquals("after", client.receive());
        expected.add("after");
        assertEquals(expected, seen);
        assertEquals(List.of(), errors);
      } finally {
        ServerKinds.stop(server, loop);
      }
    }
  }
}
