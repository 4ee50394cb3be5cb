package io.github.socketserver4j;

import static io.github.socketserver4j.ServerKinds.CHANNEL_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.ServerKinds.Kind;
import io.github.socketserver4j.ServerKinds.Model;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixDatagramClient;
import io.github.socketserver4j.testing.UnixPaths;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 7, fault injection: clients that reset at every stage of a request, on every stream
 * server class and both transports, and datagram clients that vanish before their reply, on every
 * datagram server class. The half-close case is {@code HalfCloseTest}'s.
 *
 * <p>CPython's rule (spec 1.4, {@code _handle_request_noblock}; 1.9 for threads): a
 * {@code ConnectionResetError} or {@code BrokenPipeError} raised in {@code handle} is an {@code
 * Exception}, so {@code handle_error} runs once and the server goes on serving. Checked against
 * python3 3.11: a connection reset before accept is still accepted and its {@code recv} raises
 * {@code ConnectionResetError(104)}; a reply {@code sendto} to a closed UDP port succeeds; to a
 * Unix datagram path whose socket is closed it raises {@code ConnectionRefusedError(111)}.
 */
class FaultInjectionTest {

  /** When the client resets. */
  enum Fault {
    /** Greeted, but resets before sending a byte. */
    BEFORE_SENDING,
    /** Sends half a line, and resets while the handler waits in readLine for the rest. */
    MID_REQUEST,
    /** Asks for a large response, reads 256 KiB of it, resets. */
    MID_RESPONSE,
    /** Asks for a large response, reads nothing, resets once the handler blocks in write. */
    BLOCKED_IN_WRITE
  }

  static List<Arguments> streamCases() {
    List<Arguments> all = new ArrayList<>();
    for (Arguments kt : ServerKinds.streamKindsAndTransports()) {
      for (Fault f : Fault.values()) {
        all.add(Arguments.of(kt.get()[0], kt.get()[1], f));
      }
    }
    return all;
  }

  /** What the handlers saw, shared by one test's handlers. */
  static final class Seen {
    final List<IOException> inHandle = new CopyOnWriteArrayList<>();
    final List<Throwable> inHandleError = new CopyOnWriteArrayList<>();
    final CountDownLatch errorHandled = new CountDownLatch(1);
    final BlockingQueue<Thread> greeted = new LinkedBlockingQueue<>();

    Thread nextGreeted() throws InterruptedException {
      Thread t = greeted.poll(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(t, "no handler greeted the client");
      return t;
    }
  }

  /**
   * Greets ("hi"), reads one line and echoes it; for "big" it writes 64 KiB blocks until a write
   * fails. Records the IOException it sees, then rethrows it to the server.
   */
  static final class Probe extends StreamRequestHandler {
    private final Seen seen;

    Probe(Seen seen) {
      this.seen = seen;
    }

    @Override
    public void handle() throws IOException {
      try {
        wfile().write("hi\n".getBytes(StandardCharsets.UTF_8));
        seen.greeted.add(Thread.currentThread());
        byte[] line = rfile().readLine();
        if (Arrays.equals(line, "big\n".getBytes(StandardCharsets.UTF_8))) {
          byte[] block = new byte[64 * 1024];
          long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
          while (System.nanoTime() < deadline) {
            wfile().write(block);
          }
          throw new AssertionError("writes to a reset client kept succeeding");
        }
        wfile().write(line);
      } catch (IOException e) {
        seen.inHandle.add(e);
        throw e;
      }
    }
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("streamCases")
  @DisplayName("issue 7: a client reset reaches handle as an IOException, handleError runs once, other clients are served")
  void clientReset(Kind kind, String transport, Fault fault) throws Exception {
    Seen seen = new Seen();
    try (UnixPaths paths = new UnixPaths()) {
      TCPServer server =
          Transports.with(
              transport,
              () ->
                  kind.create(
                      kind.address(paths),
                      () -> new Probe(seen),
                      e -> {
                        seen.inHandleError.add(e);
                        seen.errorHandled.countDown();
                      }));
      Thread loop = ServerKinds.serveInBackground(server);
      SocketAddress address = server.serverAddress();
      FaultClient bystander = null;
      try {
        if (kind.model != Model.SYNC) {
          // Mid-conversation while the fault happens: greeted, request not yet sent.
          bystander = new FaultClient(address);
          assertEquals("hi\n", bystander.readLine());
          seen.nextGreeted();
        }
        try (FaultClient faulty = new FaultClient(address)) {
          faulty.awaitReadable(); // the greeting waits unread (for Unix, that makes the reset)
          Thread handler = seen.nextGreeted();
          switch (fault) {
            case BEFORE_SENDING:
              break;
            case MID_REQUEST:
              faulty.send("half a li");
              ServerKinds.awaitBlockedIn(handler, CHANNEL_STREAM, "readLine");
              break;
            case MID_RESPONSE:
              faulty.send("big\n");
              faulty.skip("hi\n".length() + 256 * 1024);
              break;
            case BLOCKED_IN_WRITE:
              faulty.send("big\n");
              ServerKinds.awaitBlockedIn(handler, CHANNEL_STREAM, "write");
              break;
            default:
              throw new AssertionError(fault);
          }
          faulty.abort();
        }
        assertTrue(
            seen.errorHandled.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS),
            "handleError did not run");
        if (bystander != null) {
          assertEquals("still here\n", bystander.send("still here\n").readLine());
        }
        try (FaultClient next = new FaultClient(address)) {
          assertEquals("hi\n", next.readLine());
          assertEquals("next\n", next.send("next\n").readLine());
        }
      } finally {
        if (bystander != null) {
          bystander.close();
        }
        ServerKinds.stop(server, loop);
      }
    }
    assertEquals(1, seen.inHandle.size(), "IOExceptions seen in handle: " + seen.inHandle);
    assertEquals(1, seen.inHandleError.size(), "handleError calls: " + seen.inHandleError);
    assertSame(seen.inHandle.get(0), seen.inHandleError.get(0), "handleError saw another exception");
    assertInstanceOf(IOException.class, seen.inHandleError.get(0));
  }

  // ---- Datagrams: there is no connection to reset; the client can only vanish ----

  /** Echoes; for "gone" waits until the test closed the client, then replies to it. */
  static final class LateReply extends DatagramRequestHandler {
    private final CountDownLatch inHandle;
    private final CountDownLatch clientClosed;
    private final CountDownLatch lateReplied;

    LateReply(CountDownLatch inHandle, CountDownLatch clientClosed, CountDownLatch lateReplied) {
      this.inHandle = inHandle;
      this.clientClosed = clientClosed;
      this.lateReplied = lateReplied;
    }

    @Override
    public void finish() throws Exception {
      try {
        super.finish(); // sends the reply
      } finally {
        if (Arrays.equals(packet(), "gone".getBytes(StandardCharsets.UTF_8))) {
          lateReplied.countDown();
        }
      }
    }

    @Override
    public void handle() throws Exception {
      byte[] packet = packet();
      if (Arrays.equals(packet, "gone".getBytes(StandardCharsets.UTF_8))) {
        inHandle.countDown();
        assertTrue(clientClosed.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
        wfile().write("too late".getBytes(StandardCharsets.UTF_8));
      } else {
        wfile().write(packet);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("io.github.socketserver4j.ServerKinds#datagramKindsAndTransports")
  @DisplayName("issue 7: a datagram client gone before its reply: UDP drops the reply silently, Unix raises ECONNREFUSED to handleError once; others are served")
  void datagramClientGone(Kind kind, String transport) throws Exception {
    CountDownLatch inHandle = new CountDownLatch(1);
    CountDownLatch clientClosed = new CountDownLatch(1);
    CountDownLatch lateReplied = new CountDownLatch(1);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (UnixPaths paths = new UnixPaths()) {
      TCPServer server =
          Transports.with(
              transport,
              () ->
                  kind.create(
                      kind.address(paths),
                      () -> new LateReply(inHandle, clientClosed, lateReplied),
                      errors::add));
      Thread loop = ServerKinds.serveInBackground(server);
      try {
        if (kind.unix) {
          UnixDomainSocketAddress to = (UnixDomainSocketAddress) server.serverAddress();
          try (UnixDatagramClient gone = new UnixDatagramClient(paths.next())) {
            gone.send("gone".getBytes(StandardCharsets.UTF_8), to);
            assertTrue(inHandle.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
          }
          clientClosed.countDown();
          try (UnixDatagramClient next = new UnixDatagramClient(paths.next())) {
            next.send("next".getBytes(StandardCharsets.UTF_8), to);
            assertEquals("next", new String(next.receive(), StandardCharsets.UTF_8));
          }
        } else {
          SocketAddress to = server.serverAddress();
          try (DatagramSocket gone = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] data = "gone".getBytes(StandardCharsets.UTF_8);
            gone.send(new DatagramPacket(data, data.length, to));
            assertTrue(inHandle.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
          }
          clientClosed.countDown();
          // Twice: the ICMP "port unreachable" the late reply caused must not disturb later reads.
          for (int i = 0; i < 2; i++) {
            byte[] reply = SocketTypesTest.udpRoundTrip(to, ("next" + i).getBytes(StandardCharsets.UTF_8));
            assertEquals("next" + i, new String(reply, StandardCharsets.UTF_8));
          }
        }
        // A threading server's late reply may still be under way; closing first would fail it.
        assertTrue(lateReplied.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      } finally {
        clientClosed.countDown();
        ServerKinds.stop(server, loop);
      }
    }
    if (kind.unix) {
      assertEquals(1, errors.size(), "handleError calls: " + errors);
      assertInstanceOf(IOException.class, errors.get(0));
      assertTrue(
          String.valueOf(errors.get(0).getMessage()).contains("refused"),
          "expected ECONNREFUSED: " + errors.get(0));
    } else {
      assertEquals(List.of(), errors, "CPython's sendto to a closed UDP port succeeds");
    }
  }
}
