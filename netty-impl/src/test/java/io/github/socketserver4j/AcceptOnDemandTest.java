package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Accept on demand (spec 1.5 {@code get_request}, Netty facts 4.1): connections wait in the
 * kernel's backlog until {@code handle_request()} takes them, one per call, exactly as with
 * CPython's {@code listen(request_queue_size)} and {@code accept()}. On Linux the accept queue
 * holds backlog + 1 connections; further SYNs are dropped and retransmitted by the client's kernel
 * (after about 1 s, 3 s, 7 s), so those clients neither connect nor get refused until the server
 * accepts. Checked with CPython 3.11.7: with {@code request_queue_size = 1}, 2 of 4 non-blocking
 * connects complete, and each {@code handle_request()} lowers the listener's accept queue by one.
 */
class AcceptOnDemandTest {
  /** SYN retransmits come after about 1 s and 3 s; allow for a slow machine. */
  static final Duration RETRANSMIT_BOUND = TestRules.timeout(Duration.ofSeconds(20));

  static final Path PROC_NET_TCP = Path.of("/proc/net/tcp");

  /** Echoes one line. */
  static final class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      ((Backlogged) server()).handled.incrementAndGet();
      wfile().write(rfile().readLine());
    }
  }

  /** A TCPServer with a given backlog; its handleRequest() gives up after a generous bound. */
  static final class Backlogged extends TCPServer {
    final int backlog;
    final AtomicInteger handled = new AtomicInteger();
    final AtomicInteger timeouts = new AtomicInteger();

    Backlogged(int backlog) throws IOException {
      super(anyLoopbackPort(), EchoLine::new, false);
      this.backlog = backlog; // read by serverBind(), so bind after setting it
      try {
        serverBind();
        serverActivate();
      } catch (IOException e) {
        serverClose();
        throw e;
      }
    }

    @Override
    public int requestQueueSize() {
      return backlog;
    }

    @Override
    public Optional<Duration> timeout() {
      return Optional.of(RETRANSMIT_BOUND);
    }

    @Override
    public void handleTimeout() {
      timeouts.incrementAndGet();
    }

    int port() {
      return ((InetSocketAddress) serverAddress()).getPort();
    }
  }

  /** One non-blocking client: connect, send a line, read the echo. */
  static final class Pending {
    final String line;
    final SocketChannel channel;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean connected;

    Pending(int index, SocketChannel channel) {
      this.line = "client " + index + "\n";
      this.channel = channel;
    }

    boolean echoed() {
      return received.toString(StandardCharsets.UTF_8).equals(line);
    }
  }

  @Test
  @DisplayName(
      "listen(request_queue_size=1): 2 of 4 connects complete while nobody accepts; four"
          + " handle_request() calls then serve all four")
  void backlogHoldsQueueSizePlusOne() throws Exception {
    List<Pending> clients = new ArrayList<>();
    try (Backlogged server = new Backlogged(1);
        Selector selector = Selector.open()) {
      try {
        for (int i = 0; i < 4; i++) {
          SocketChannel ch = SocketChannel.open();
          Pending client = new Pending(i, ch);
          clients.add(client);
          ch.configureBlocking(false);
          client.connected = ch.connect(server.serverAddress());
          ch.register(selector, client.connected ? 0 : SelectionKey.OP_CONNECT, client);
        }
        // The bounded wait is the behaviour under test: the others stay unconnected, as their
        // SYNs are dropped while the queue is full (retransmits too, as nobody accepts).
        drive(selector, clients, Duration.ofMillis(500), false);
        long connected = clients.stream().filter(c -> c.connected).count();
        assertEquals(2, connected, "connections completed by the kernel while nobody accepts");
        assertEquals(2, acceptQueue(server.port()), "the server accepted before handle_request()");
        assertEquals(0, server.handled.get());

        long start = System.nanoTime();
        try (Background serving =
            Background.start(
                "handle_request x4",
                () -> {
                  for (int i = 0; i < 4; i++) {
                    server.handleRequest();
                  }
                })) {
          drive(selector, clients, RETRANSMIT_BOUND, true);
          serving.join();
        }
        System.out.printf(
            Locale.ROOT,
            "backlog 1: all 4 clients echoed %d ms after serving began%n",
            (System.nanoTime() - start) / 1_000_000);
        for (Pending c : clients) {
          assertTrue(c.echoed(), c.line.trim() + " got " + c.received);
        }
        assertEquals(4, server.handled.get());
        assertEquals(0, server.timeouts.get());
      } finally {
        for (Pending c : clients) {
          c.channel.close();
        }
      }
    }
  }

  @Test
  @DisplayName(
      "get_request() takes exactly one connection per handle_request(); the others stay"
          + " in the kernel's backlog")
  void eachHandleRequestTakesOneConnection() throws Exception {
    try (Backlogged server = new Backlogged(5)) {
      List<Client> clients = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          clients.add(Client.connect(server.serverAddress()).send("client " + i + "\n"));
        }
        awaitAcceptQueue(server.port(), 3);
        for (int i = 0; i < 3; i++) {
          try (Background call = Background.start("handle_request", server::handleRequest)) {
            call.join();
          }
          assertEquals(i + 1, server.handled.get());
          // Connections are accepted in arrival order, one per call.
          assertEquals("client " + i + "\n", clients.get(i).readLine());
          assertEquals(2 - i, acceptQueue(server.port()), "connections left in the backlog");
        }
      } finally {
        for (Client c : clients) {
          c.close();
        }
      }
    }
  }

  /**
   * Runs the clients' selector until {@code bound} passes or, when {@code untilEchoed}, every
   * client has its echo. A connected client sends its line at once when {@code untilEchoed}.
   */
  static void drive(Selector selector, List<Pending> clients, Duration bound, boolean untilEchoed)
      throws IOException {
    long deadline = System.nanoTime() + bound.toNanos();
    if (untilEchoed) {
      for (Pending c : clients) {
        if (c.connected) {
          sendLine(selector, c);
        }
      }
    }
    while (!(untilEchoed && clients.stream().allMatch(Pending::echoed))) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        if (untilEchoed) {
          fail("not all clients were served within " + bound + ": " + describe(clients));
        }
        return;
      }
      selector.select(Math.max(1, left / 1_000_000));
      for (SelectionKey key : selector.selectedKeys()) {
        Pending c = (Pending) key.attachment();
        if (key.isConnectable() && c.channel.finishConnect()) {
          c.connected = true;
          key.interestOps(0);
          if (untilEchoed) {
            sendLine(selector, c);
          }
        } else if (key.isReadable()) {
          ByteBuffer buf = ByteBuffer.allocate(256);
          int n = c.channel.read(buf);
          if (n < 0) {
            fail(c.line.trim() + " saw end of stream after " + c.received);
          }
          c.received.write(buf.array(), 0, n);
          if (c.echoed()) {
            key.interestOps(0); // done; the server's FIN follows
          }
        }
      }
      selector.selectedKeys().clear();
    }
  }

  private static void sendLine(Selector selector, Pending c) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(c.line.getBytes(StandardCharsets.UTF_8));
    while (out.hasRemaining()) {
      c.channel.write(out); // a few bytes on a fresh connection: the send buffer takes them
    }
    c.channel.keyFor(selector).interestOps(SelectionKey.OP_READ);
  }

  private static String describe(List<Pending> clients) {
    StringBuilder sb = new StringBuilder();
    for (Pending c : clients) {
      sb.append(c.line.trim()).append(c.connected ? " connected" : " not connected");
      sb.append(c.echoed() ? ", echoed; " : ", no echo; ");
    }
    return sb.toString();
  }

  /**
   * The number of connections waiting in the accept queue of the listener on 127.0.0.1:{@code
   * port}: the {@code rx_queue} column of its LISTEN row in /proc/net/tcp (Linux).
   */
  static int acceptQueue(int port) throws IOException {
    assumeTrue(Files.isReadable(PROC_NET_TCP), "needs Linux /proc/net/tcp");
    String local = String.format(Locale.ROOT, "0100007F:%04X", port);
    for (String row : Files.readAllLines(PROC_NET_TCP)) {
      String[] f = row.trim().split("\\s+");
      if (f.length > 4 && f[1].equals(local) && f[3].equals("0A")) {
        return Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
      }
    }
    throw new AssertionError("no listening socket on " + local + " in " + PROC_NET_TCP);
  }

  private static void awaitAcceptQueue(int port, int expected) throws IOException {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    int seen;
    while ((seen = acceptQueue(port)) != expected) {
      if (System.nanoTime() > deadline) {
        fail("accept queue holds " + seen + " connections, expected " + expected);
      }
      LockSupport.parkNanos(2_000_000);
    }
  }
}
