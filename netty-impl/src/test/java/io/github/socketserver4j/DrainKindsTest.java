package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.ServerKinds.Kind;
import io.github.socketserver4j.ServerKinds.Model;
import io.github.socketserver4j.netty.EventLoopRequestHandler;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixDatagramClient;
import io.github.socketserver4j.testing.UnixPaths;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code drain(Duration)} on every server class and on the event-loop handler model (issue:
 * reliability). A "fin" request waits until the drain has begun and then replies: it must finish
 * and its reply must arrive. A "stuck" request is still running at the deadline: it is cut.
 */
class DrainKindsTest {
  /** Long enough for a woken handler to reply on a loaded 2-core machine; every cut waits it. */
  static final Duration DEADLINE = Duration.ofSeconds(1);

  /** Stream side: "fin" replies once the drain has begun; "stuck" reads until it is cut. */
  static final class StreamSide extends StreamRequestHandler {
    final CountDownLatch entered;
    final AtomicInteger handled;

    StreamSide(CountDownLatch entered, AtomicInteger handled) {
      this.entered = entered;
      this.handled = handled;
    }

    @Override
    public void handle() throws IOException {
      handled.incrementAndGet();
      String line = new String(rfile().readLine(), US_ASCII);
      entered.countDown();
      if (line.equals("fin\n")) {
        TestRules.awaitTrue(() -> !server().accepting(), "drain began");
        wfile().write("done\n".getBytes(US_ASCII));
      } else {
        rfile().readLine(); // never sent: returns or throws when the drain cuts the connection
      }
    }
  }

  /** Datagram side: "fin" replies once the drain has begun; "stuck" replies after the cut. */
  static final class DatagramSide extends DatagramRequestHandler {
    final CountDownLatch entered;
    final AtomicInteger handled;

    DatagramSide(CountDownLatch entered, AtomicInteger handled) {
      this.entered = entered;
      this.handled = handled;
    }

    @Override
    public void handle() throws IOException {
      handled.incrementAndGet();
      String text = new String(packet(), US_ASCII);
      entered.countDown();
      if (text.equals("fin")) {
        TestRules.awaitTrue(() -> !server().accepting(), "drain began");
        wfile().write("done".getBytes(US_ASCII));
      } else {
        TCPServer server = (TCPServer) server();
        TestRules.awaitTrue(() -> !server.socket().isOpen(), "the drain closed the socket");
        wfile().write("late".getBytes(US_ASCII)); // finish() must fail: the socket is closed
      }
    }
  }

  static List<org.junit.jupiter.params.provider.Arguments> streamKinds() {
    return ServerKinds.streamKindsAndTransports();
  }

  static List<org.junit.jupiter.params.provider.Arguments> datagramKinds() {
    return ServerKinds.datagramKindsAndTransports();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("streamKinds")
  @DisplayName("drain on a stream server: the running reply arrives, the stuck request is cut, the backlog is closed")
  void drainStream(Kind kind, String transport) throws Exception {
    boolean concurrent = kind.model != Model.SYNC;
    CountDownLatch entered = new CountDownLatch(concurrent ? 2 : 1);
    AtomicInteger handled = new AtomicInteger();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (UnixPaths paths = new UnixPaths()) {
      TCPServer server =
          Transports.with(
              transport,
              () -> kind.create(kind.address(paths), () -> new StreamSide(entered, handled), errors::add));
      Thread loop = ServerKinds.serveInBackground(server);
      try (FaultClient fin = new FaultClient(server.serverAddress());
          FaultClient other = new FaultClient(server.serverAddress())) {
        fin.send("fin\n");
        if (concurrent) {
          other.send("stuck\n");
        } else {
          TestRules.awaitTrue(() -> entered.getCount() == 0, "fin handled");
          other.send("fin\n"); // waits in the backlog of the synchronous server
        }
        assertTrue(entered.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
        DrainResult result = server.drain(DEADLINE);
        assertEquals(new DrainResult(1, concurrent ? 1 : 0, 0), result);
        assertEquals("done\n", fin.readLine());
        assertEquals("", fin.readLine(), "no end of stream after the reply");
        assertTrue(endsOrResets(other), "the cut or waiting client is still open");
        assertEquals(concurrent ? 2 : 1, handled.get(), "a request was taken after drain()");
        loop.join(TestRules.waitBound().toMillis());
        assertFalse(loop.isAlive(), "serveForever did not end");
        assertFalse(server.socket().isOpen());
        assertThrows(IllegalStateException.class, server::handleRequest);
      } finally {
        ServerKinds.closeWithin(server);
      }
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("datagramKinds")
  @DisplayName("drain on a datagram server: the running reply is sent, a reply after the deadline fails, queued datagrams are not taken")
  void drainDatagram(Kind kind, String transport) throws Exception {
    boolean concurrent = kind.model != Model.SYNC;
    CountDownLatch entered = new CountDownLatch(concurrent ? 2 : 1);
    AtomicInteger handled = new AtomicInteger();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (UnixPaths paths = new UnixPaths()) {
      TCPServer server =
          Transports.with(
              transport,
              () -> kind.create(kind.address(paths), () -> new DatagramSide(entered, handled), errors::add));
      Thread loop = ServerKinds.serveInBackground(server);
      try (Peer fin = Peer.open(kind, paths);
          Peer other = Peer.open(kind, paths)) {
        SocketAddress to = server.serverAddress();
        fin.send("fin", to);
        if (concurrent) {
          other.send("stuck", to);
        } else {
          TestRules.awaitTrue(() -> entered.getCount() == 0, "fin handled");
          other.send("fin", to); // stays queued in the socket of the synchronous server
        }
        assertTrue(entered.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
        DrainResult result = server.drain(DEADLINE);
        assertEquals(new DrainResult(1, concurrent ? 1 : 0, 0), result);
        assertEquals("done", fin.receive());
        assertEquals(concurrent ? 2 : 1, handled.get(), "a datagram was taken after drain()");
        if (concurrent) {
          assertEquals(1, errors.size(), "the cut request's reply did not fail: " + errors);
          assertTrue(errors.get(0) instanceof IOException, String.valueOf(errors));
        } else {
          assertEquals(List.of(), errors);
        }
        loop.join(TestRules.waitBound().toMillis());
        assertFalse(loop.isAlive(), "serveForever did not end");
        assertFalse(server.socket().isOpen());
      } finally {
        ServerKinds.closeWithin(server);
      }
    }
  }

  /** Event-loop side: echoes each read; on "fin" replies "done" and closes. */
  static final class EventLoopSide extends EventLoopRequestHandler {
    @Override
    protected void initChannel(Channel channel) {
      channel
          .pipeline()
          .addLast(
              new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                  ByteBuf buf = (ByteBuf) msg;
                  if (buf.toString(US_ASCII).equals("fin\n")) {
                    buf.release();
                    ctx.writeAndFlush(Unpooled.copiedBuffer("done\n", US_ASCII))
                        .addListener(ChannelFutureListener.CLOSE);
                  } else {
                    ctx.writeAndFlush(buf);
                  }
                }
              });
    }
  }

  @Test
  @DisplayName("drain with event-loop handlers: a connection that closes in time finishes, an open one is cut")
  void drainEventLoopHandlers() throws Exception {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    TCPServer server = Kind.THREADING_TCP.create(anyLoopbackPort(), EventLoopSide::new, errors::add);
    Thread loop = ServerKinds.serveInBackground(server);
    try (Client fin = Client.connect(server.serverAddress());
        Client open = Client.connect(server.serverAddress())) {
      fin.send("hi\n");
      open.send("hi\n");
      assertEquals("hi\n", fin.readLine()); // both are now served on the event loop
      assertEquals("hi\n", open.readLine());
      CompletableFuture<DrainResult> drained =
          CompletableFuture.supplyAsync(() -> server.drain(DEADLINE));
      TestRules.awaitTrue(() -> !server.accepting(), "drain began");
      fin.send("fin\n");
      assertEquals("done\n", fin.readLine());
      assertTrue(fin.seesEndOfStream(TestRules.waitBound()));
      DrainResult result = drained.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      assertEquals(new DrainResult(1, 1, 0), result);
      assertTrue(endsOrResets(open), "the cut connection is still open");
      loop.join(TestRules.waitBound().toMillis());
      assertFalse(loop.isAlive(), "serveForever did not end");
      assertEquals(List.of(), errors);
    } finally {
      ServerKinds.closeWithin(server);
    }
  }

  /** Whether {@code c} sees end of stream or a reset, with no bytes before it. */
  static boolean endsOrResets(FaultClient c) {
    try {
      return c.readLine().isEmpty();
    } catch (IOException reset) {
      return true;
    }
  }

  static boolean endsOrResets(Client c) throws IOException {
    try {
      return c.seesEndOfStream(TestRules.waitBound());
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  /** A datagram client of either family, bound so that it can receive a reply. */
  interface Peer extends AutoCloseable {
    void send(String text, SocketAddress to) throws Exception;

    /** The next reply as text; fails if none arrives within the wait bound. */
    String receive() throws Exception;

    static Peer open(Kind kind, UnixPaths paths) throws Exception {
      if (kind.unix) {
        UnixDatagramClient client = new UnixDatagramClient(paths.next());
        return new Peer() {
          @Override
          public void send(String text, SocketAddress to) throws Exception {
            client.send(text.getBytes(US_ASCII), (UnixDomainSocketAddress) to);
          }

          @Override
          public String receive() throws Exception {
            byte[] reply = client.receive();
            assertTrue(reply != null, "no reply within the wait bound");
            return new String(reply, US_ASCII);
          }

          @Override
          public void close() throws Exception {
            client.close();
          }
        };
      }
      DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
      socket.setSoTimeout((int) TestRules.waitBound().toMillis());
      return new Peer() {
        @Override
        public void send(String text, SocketAddress to) throws IOException {
          byte[] data = text.getBytes(US_ASCII);
          socket.send(new DatagramPacket(data, data.length, to));
        }

        @Override
        public String receive() throws IOException {
          DatagramPacket p = new DatagramPacket(new byte[64], 64);
          socket.receive(p);
          return new String(p.getData(), 0, p.getLength(), US_ASCII);
        }

        @Override
        public void close() {
          socket.close();
        }
      };
    }
  }
}
