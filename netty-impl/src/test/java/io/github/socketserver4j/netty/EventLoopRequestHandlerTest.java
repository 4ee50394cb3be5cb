package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.Request;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EventLoopRequestHandler}: Netty channel handlers serve the connection on the event loop,
 * under the server's lifecycle (verifyRequest, handleError, shutdown, serverClose and
 * blockOnClose).
 */
class EventLoopRequestHandlerTest {

  /** What the server's hooks saw. */
  static final List<String> EVENTS = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * Echoes bytes on the event loop; "boom" throws; at the client's half-close it says bye and
   * closes. Records the thread it runs on.
   */
  static final class EchoHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      EVENTS.add("active on " + Thread.currentThread().getName());
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      if (buf.toString(US_ASCII).contains("boom")) {
        buf.release();
        throw new IllegalStateException("boom from the event loop");
      }
      ctx.writeAndFlush(buf);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.writeAndFlush(Unpooled.copiedBuffer("bye\n", US_ASCII))
            .addListener(ChannelFutureListener.CLOSE);
      }
      ctx.fireUserEventTriggered(evt);
    }
  }

  /** Opts in to half-closure, so EchoHandler sees the client's half-close and says bye. */
  static final class Echo extends EventLoopRequestHandler {
    @Override
    protected void initChannel(Channel channel) {
      channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
      channel.pipeline().addLast(new EchoHandler());
    }
  }

  /**
   * The documented Counter's shape: echoes lines, closes on "quit", and ignores everything else,
   * including a ChannelInputShutdownEvent; does not opt in to half-closure.
   */
  static final class QuitOnly extends EventLoopRequestHandler {
    @Override
    protected void initChannel(Channel channel) {
      channel
          .pipeline()
          .addLast(
              new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                  ByteBuf buf = (ByteBuf) msg;
                  if (buf.toString(US_ASCII).startsWith("quit")) {
                    buf.release();
                    ctx.close();
                  } else {
                    ctx.writeAndFlush(buf);
                  }
                }
              });
    }
  }

  /** A threading server that records verifyRequest and handleError. */
  static class Recording extends ThreadingTCPServer {
    volatile boolean reject;

    Recording(RequestHandlerFactory handler) throws IOException {
      super(anyLoopbackPort(), handler);
    }

    @Override
    public boolean verifyRequest(Request request, SocketAddress clientAddress) {
      EVENTS.add("verify " + clientAddress);
      return !reject;
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      EVENTS.add("error " + clientAddress + " " + currentException().orElseThrow().getMessage());
    }

    @Override
    public void shutdownRequest(Request request) {
      EVENTS.add("shutdown_request");
      super.shutdownRequest(request);
    }
  }

  static Recording server(RequestHandlerFactory handler) throws IOException {
    return new Recording(handler);
  }

  @Test
  @DisplayName("issue 5 event loop: verifyRequest, then handlers on the event loop; two clients at once; the request ends when the channel closes")
  void lifecycle() throws Exception {
    EVENTS.clear();
    try (Recording server = server(Echo::new); Serving serving = Serving.start(server)) {
      try (Client a = Client.connect(server.serverAddress());
          Client b = Client.connect(server.serverAddress())) {
        a.send("one\n");
        b.send("two\n");
        assertEquals("two\n", b.readLine());
        assertEquals("one\n", a.readLine()); // both open at once on a threading server
        a.shutdownOutput();
        assertEquals("bye\n", a.readAllText());
        b.shutdownOutput();
        assertEquals("bye\n", b.readAllText());
        awaitEvents(e -> e.equals("shutdown_request"), 2);
        List<String> seen = new ArrayList<>(EVENTS);
        assertEquals(2, seen.stream().filter(e -> e.startsWith("verify ")).count(), seen.toString());
        assertTrue(
            seen.stream()
                .filter(e -> e.startsWith("active on "))
                .allMatch(e -> e.startsWith("active on socketserver4j-")),
            "not on the server's event loop: " + seen);
        assertTrue(seen.indexOf("verify " + a.socket().getLocalSocketAddress())
            < seen.indexOf("shutdown_request"));
      }
    }
  }

  @Test
  @DisplayName("issue 5 event loop: a rejected request never reaches the handlers and is shut down (bpo-26309)")
  void rejected() throws Exception {
    EVENTS.clear();
    AtomicInteger inits = new AtomicInteger();
    try (Recording server =
            server(
                () ->
                    new EventLoopRequestHandler() {
                      @Override
                      protected void initChannel(Channel channel) {
                        inits.incrementAndGet();
                      }
                    });
        Serving serving = Serving.start(server)) {
      server.reject = true;
      try (Client c = Client.connect(server.serverAddress())) {
        assertTrue(c.seesEndOfStream(TestRules.waitBound()));
      }
      awaitEvents(e -> e.equals("shutdown_request"), 1);
    }
    assertEquals(0, inits.get());
  }

  @Test
  @DisplayName("issue 5 event loop: an exception no handler caught closes the connection and reaches handleError; serving goes on")
  void errorReachesHandleError() throws Exception {
    EVENTS.clear();
    try (Recording server = server(Echo::new); Serving serving = Serving.start(server)) {
      SocketAddress clientAddress;
      try (Client c = Client.connect(server.serverAddress())) {
        clientAddress = c.socket().getLocalSocketAddress();
        c.send("boom\n");
        assertTrue(c.seesEndOfStream(TestRules.waitBound()));
      }
      awaitEvents(e -> e.equals("shutdown_request"), 1);
      assertTrue(EVENTS.contains("error " + clientAddress + " boom from the event loop"), EVENTS.toString());
      assertTrue(
          EVENTS.indexOf("error " + clientAddress + " boom from the event loop")
              < EVENTS.indexOf("shutdown_request"));
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("still serving\n");
        assertEquals("still serving\n", c.readLine());
      }
    }
  }

  @Test
  @DisplayName("issue 5 event loop: serverClose waits for an open connection (blockOnClose), which keeps working")
  void serverCloseWaitsForOpenConnections() throws Exception {
    EVENTS.clear();
    Recording server = server(Echo::new);
    Serving serving = Serving.start(server);
    Thread closing = null;
    try (Client c = Client.connect(server.serverAddress())) {
      c.send("open\n");
      assertEquals("open\n", c.readLine());
      server.shutdown();
      closing = new Thread(server::serverClose, "server_close");
      closing.start();
      awaitState(closing, Thread.State.WAITING); // joining the request thread
      c.send("after close\n");
      assertEquals("after close\n", c.readLine());
      assertTrue(closing.isAlive(), "serverClose returned while a connection was open");
      c.shutdownOutput();
      assertEquals("bye\n", c.readAllText());
      closing.join(TestRules.waitBound().toMillis());
      assertFalse(closing.isAlive(), "serverClose did not return after the connection closed");
    } finally {
      serving.close();
      if (closing != null) {
        closing.join(TestRules.waitBound().toMillis());
      }
    }
  }

  @Test
  @DisplayName("issue 5 event loop: with daemonThreads serverClose does not wait; the connection still ends cleanly")
  void daemonThreadsDoNotWait() throws Exception {
    EVENTS.clear();
    Recording server =
        new Recording(Echo::new) {
          @Override
          public boolean daemonThreads() {
            return true;
          }
        };
    try (Client c = Client.connect(server.serverAddress())) {
      try (Serving serving = Serving.start(server)) { // shutdown() and serverClose() at once
        c.send("open\n");
        assertEquals("open\n", c.readLine());
      }
      c.send("still open\n");
      assertEquals("still open\n", c.readLine());
      c.shutdownOutput();
      assertEquals("bye\n", c.readAllText());
    }
    awaitEvents(e -> e.equals("shutdown_request"), 1);
  }

  @Test
  @DisplayName("issue 5 event loop: bytes read before the hand-off (after a PROXY header) reach the handlers first")
  void earlyBytesAreReplayed() throws Exception {
    EVENTS.clear();
    NettyOptions proxy =
        NettyOptions.builder()
            .pipeline(ch -> ch.pipeline().addLast(new HAProxyMessageDecoder()))
            .build();
    try (TCPServer server =
            new TCPServer(anyLoopbackPort(), Echo::new) {
              @Override
              protected SocketProvider socketProvider() {
                return proxy;
              }
            };
        Serving serving = Serving.start(server);
        Client c = Client.connect(server.serverAddress())) {
      // Header, request and half-close at once: the bridge holds "early" before the hand-off.
      c.send("PROXY TCP4 203.0.113.1 192.0.2.1 1000 443\r\nearly\n").shutdownOutput();
      assertEquals("early\nbye\n", c.readAllText());
    }
  }

  static List<String> transports() {
    return Transports.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 5: a client that just closes ends the request: no CLOSE-WAIT, the request thread ends, serverClose returns")
  void clientCloseEndsRequest(String transport) throws Exception {
    EVENTS.clear();
    Transports.with(transport, () -> {
      Recording server = server(QuitOnly::new);
      Serving serving = Serving.start(server);
      Thread closing = null;
      try {
        int serverPort = ((InetSocketAddress) server.serverAddress()).getPort();
        int clientPort;
        try (Client c = Client.connect(server.serverAddress())) {
          clientPort = c.socket().getLocalPort();
          c.send("hello\n");
          assertEquals("hello\n", c.readLine()); // handed off: the handlers serve it
        } // the client closes without "quit"
        TestRules.awaitTrue(
            () -> !TcpStates.closeWait(serverPort, clientPort),
            "the server's end of the connection left CLOSE-WAIT");
        awaitEvents(e -> e.equals("shutdown_request"), 1); // the request thread went on
        server.shutdown();
        closing = new Thread(server::serverClose, "server_close");
        closing.start();
        closing.join(TestRules.waitBound().toMillis());
        assertFalse(closing.isAlive(), "serverClose did not return");
      } finally {
        serving.close();
        if (closing != null) {
          closing.join(TestRules.waitBound().toMillis());
        }
      }
      return null;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 5: a client that half-closed before the hand-off: its bytes are served, then the channel closes")
  void halfClosedBeforeHandOffWithoutOptIn(String transport) throws Exception {
    EVENTS.clear();
    NettyOptions proxy =
        NettyOptions.builder()
            .pipeline(ch -> ch.pipeline().addLast(new HAProxyMessageDecoder()))
            .build();
    Transports.with(transport, () -> {
      try (TCPServer server =
              new TCPServer(anyLoopbackPort(), QuitOnly::new) {
                @Override
                protected SocketProvider socketProvider() {
                  return proxy;
                }
              };
          Serving serving = Serving.start(server);
          Client c = Client.connect(server.serverAddress())) {
        // Header, request and half-close at once: the bridge holds "early" and the end of input.
        c.send("PROXY TCP4 203.0.113.1 192.0.2.1 1000 443\r\nearly\n").shutdownOutput();
        assertEquals("early\n", c.readAllText());
      }
      return null;
    });
  }

  static void awaitEvents(java.util.function.Predicate<String> which, int count) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (EVENTS.stream().filter(which).count() < count) {
      assertTrue(System.nanoTime() < deadline, "events so far: " + EVENTS);
      LockSupport.parkNanos(1_000_000);
    }
  }

  static void awaitState(Thread thread, Thread.State state) {
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    while (thread.getState() != state) {
      assertTrue(System.nanoTime() < deadline, thread.getName() + " is " + thread.getState());
      LockSupport.parkNanos(1_000_000);
    }
  }
}
