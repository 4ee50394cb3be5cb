package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.DatagramRequestHandler;
import io.github.socketserver4j.Request;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.UDPServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link NettyOptions}'s settings over real sockets: shared event loop groups, the transport
 * choice, the pipeline hook (stream and datagram) and child channel options.
 */
class NettyOptionsTest {

  /** CPython's {@code MyHandler} of test_socketserver: echo one line. */
  static final class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  static TCPServer server(NettyOptions netty, RequestHandlerFactory handler) throws IOException {
    return new TCPServer(anyLoopbackPort(), handler) {
      @Override
      protected SocketProvider socketProvider() {
        return netty;
      }
    };
  }

  /** CPython's {@code stream_examine}. */
  static void echoes(SocketAddress address) throws IOException {
    try (Client c = Client.connect(address)) {
      c.send("hello world\n");
      assertEquals("hello world\n", c.readLine());
    }
  }

  static EventLoopGroup applicationGroup(String name) {
    return new MultiThreadIoEventLoopGroup(
        1, new DefaultThreadFactory(name, true), NettyOptions.ioHandlerFactory("auto"));
  }

  static void shutDown(EventLoopGroup group) throws InterruptedException {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    assertTrue(group.awaitTermination(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
  }

  static Set<String> ioThreads() {
    return TestRules.serverThreads().stream()
        .filter(n -> n.endsWith("-io") || n.contains("-io-"))
        .collect(Collectors.toSet());
  }

  @Test
  @DisplayName("issue 5: a server on the application's group uses no loops of its own; serverClose leaves the group running")
  void sharedGroupSurvivesServerClose() throws Exception {
    EventLoopGroup group = applicationGroup("app-loop");
    try {
      NettyOptions netty = NettyOptions.builder().eventLoopGroup(group).build();
      try (TCPServer server = server(netty, EchoLine::new); Serving serving = Serving.start(server)) {
        echoes(server.serverAddress());
        assertEquals(Set.of(), ioThreads(), "the server made event loops of its own");
      }
      assertFalse(group.isShuttingDown(), "serverClose shut the application's group down");
      assertEquals(42, group.submit(() -> 42).get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      // And it still carries servers.
      try (TCPServer again = server(netty, EchoLine::new); Serving serving = Serving.start(again)) {
        echoes(again.serverAddress());
      }
      assertFalse(group.isShuttingDown());
    } finally {
      shutDown(group);
    }
  }

  @Test
  @DisplayName("issue 5: two servers on one group serve at once; closing one leaves the other serving")
  void twoServersOnOneGroup() throws Exception {
    EventLoopGroup group = applicationGroup("app-loop");
    try {
      NettyOptions netty = NettyOptions.builder().eventLoopGroup(group).build();
      try (TCPServer first = server(netty, EchoLine::new);
          Serving servingFirst = Serving.start(first)) {
        try (TCPServer second = server(netty, EchoLine::new);
            Serving servingSecond = Serving.start(second)) {
          echoes(first.serverAddress());
          echoes(second.serverAddress());
        }
        echoes(first.serverAddress());
      }
      assertFalse(group.isShuttingDown());
    } finally {
      shutDown(group);
    }
  }

  @Test
  @DisplayName("issue 5: a server without a group runs on its own small named group, gone after serverClose")
  void ownLoopsByDefault() throws Exception {
    try (TCPServer server = server(NettyOptions.builder().build(), EchoLine::new);
        Serving serving = Serving.start(server)) {
      echoes(server.serverAddress());
      Set<String> loops = ioThreads();
      assertEquals(1, loops.size(), "a synchronous server has one event loop: " + loops);
      // The server is an anonymous TCPServer subclass: its loops are named after TCPServer.
      assertTrue(loops.iterator().next().startsWith("socketserver4j-TCPServer-"), loops.toString());
    }
    TestRules.assertNoServerThreads();
  }

  /** Answers with the name of the thread that runs it. */
  static final class ThreadName extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write((Thread.currentThread().getName() + "\n").getBytes(US_ASCII));
    }
  }

  @Test
  @DisplayName("issue 5: request threads of an anonymous server subclass are named after its base class")
  void anonymousServerThreadNames() throws Exception {
    NettyOptions netty = NettyOptions.builder().build();
    try (TCPServer server =
            new io.github.socketserver4j.ThreadingTCPServer(anyLoopbackPort(), ThreadName::new) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }
            };
        Serving serving = Serving.start(server);
        Client c = Client.connect(server.serverAddress())) {
      InetSocketAddress address = (InetSocketAddress) server.serverAddress();
      assertEquals(
          "socketserver4j ThreadingTCPServer 127.0.0.1:" + address.getPort() + " request 1\n",
          c.readLine());
    }
  }

  static List<String> transports() {
    return Transports.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 5: a forced transport is used and reported (NIO everywhere, epoll on Linux)")
  void forcedTransport(String name) throws Exception {
    NettyOptions netty = NettyOptions.builder().transport(name).build();
    assertEquals(name, netty.transportName());
    try (TCPServer server = server(netty, EchoLine::new); Serving serving = Serving.start(server)) {
      assertEquals(name, NettyOptions.transportOf(server));
      // Only epoll exposes file descriptors (CPython's fileno()).
      assertEquals(name.equals("epoll"), server.fileno() >= 0);
      echoes(server.serverAddress());
    }
  }

  @Test
  @DisplayName("issue 5: auto picks epoll where available, else NIO; the system property forces; the option wins")
  void transportChoice() throws Exception {
    String auto = Epoll.isAvailable() ? "epoll" : "nio";
    assertEquals(auto, NettyOptions.builder().build().transportName());
    assertEquals(
        "nio",
        Transports.with("nio", () -> NettyOptions.builder().build().transportName()));
    assertEquals(
        auto,
        Transports.with(
            "nio", () -> NettyOptions.builder().transport(auto).build().transportName()));
    IllegalArgumentException uring =
        assertThrows(
            IllegalArgumentException.class, () -> NettyOptions.builder().transport("io_uring"));
    assertTrue(uring.getMessage().contains("multishot accept"), uring.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NettyOptions.builder().transport("kqueue"));
  }

  @Test
  @DisplayName("issue 11: maxPendingHandshakes defaults to 64, handshakesInOrder() is 1, 0 is refused")
  void maxPendingHandshakes() {
    assertEquals(64, NettyOptions.builder().build().maxPendingHandshakes);
    assertEquals(64, NettyOptions.DEFAULT_MAX_PENDING_HANDSHAKES);
    assertEquals(1, NettyOptions.builder().handshakesInOrder().build().maxPendingHandshakes);
    assertEquals(7, NettyOptions.builder().maxPendingHandshakes(7).build().maxPendingHandshakes);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> NettyOptions.builder().maxPendingHandshakes(0));
    assertTrue(e.getMessage().contains("maxPendingHandshakes"), e.getMessage());
  }

  @Test
  @DisplayName("issue 5: the group decides the transport; asking for another one fails naming both")
  void groupDecidesTheTransport() throws Exception {
    EventLoopGroup nio =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("app-nio", true), NioIoHandler.newFactory());
    try {
      NettyOptions onNio = NettyOptions.builder().eventLoopGroup(nio).build();
      assertEquals("nio", onNio.transportName());
      if (Epoll.isAvailable()) {
        NettyOptions conflicting =
            NettyOptions.builder().eventLoopGroup(nio).transport("epoll").build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> server(conflicting, EchoLine::new));
        assertTrue(e.getMessage().contains("epoll") && e.getMessage().contains("nio"), e.getMessage());
      }
      try (TCPServer server = server(onNio, EchoLine::new); Serving serving = Serving.start(server)) {
        assertEquals("nio", NettyOptions.transportOf(server));
        echoes(server.serverAddress());
      }
    } finally {
      shutDown(nio);
    }
  }

  /** Upper-cases what the client sends: a decoder in front of the bridge. */
  static final class UpperCase extends MessageToMessageDecoder<ByteBuf> {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      out.add(ctx.alloc().buffer().writeBytes(in.toString(US_ASCII).toUpperCase(Locale.ROOT).getBytes(US_ASCII)));
    }
  }

  @Test
  @DisplayName("issue 5: pipeline handlers sit in front of the bridge: rfile reads what they pass on")
  void pipelineHookStream() throws Exception {
    NettyOptions netty =
        NettyOptions.builder().pipeline(ch -> ch.pipeline().addLast(new UpperCase())).build();
    try (TCPServer server = server(netty, EchoLine::new);
        Serving serving = Serving.start(server);
        Client c = Client.connect(server.serverAddress())) {
      c.send("hello world\n");
      assertEquals("HELLO WORLD\n", c.readLine());
    }
  }

  /** Wraps each ByteBuf in a ByteBufHolder: no longer bytes, to the bridge. */
  static final class Holders extends io.netty.channel.ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.fireChannelRead(new io.netty.buffer.DefaultByteBufHolder((ByteBuf) msg));
    }
  }

  @Test
  @DisplayName("issue 10 item 6: a pipeline handler that passes on a non-ByteBuf fails that request with a clear error; nothing leaks")
  void nonByteBufFromPipeline() throws Exception {
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(ch -> ch.pipeline().addLast(new Holders()))
            .build();
    try (TCPServer server =
            new TCPServer(anyLoopbackPort(), EchoLine::new) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }

              @Override
              public void handleError(Request request, SocketAddress clientAddress) {
                errors.add(currentException().orElseThrow());
              }
            };
        Serving serving = Serving.start(server)) {
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("hello\n");
        assertTrue(c.seesEndOfStream(TestRules.waitBound()));
      }
      TestRules.awaitTrue(() -> errors.size() == 1, "handleError ran");
      assertTrue(
          errors.get(0).getMessage().contains("DefaultByteBufHolder on; the blocking bridge reads"
              + " ByteBufs only"),
          errors.get(0).toString());
    } // PARANOID leak detection fails the class if the holder's buffer leaked
  }

  @Test
  @DisplayName("issue 5: a pipeline initializer that throws costs that connection only")
  void pipelineInitializerFails() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(
                ch -> {
                  if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("first connection refused by the test");
                  }
                })
            .build();
    try (TCPServer server = server(netty, EchoLine::new); Serving serving = Serving.start(server)) {
      try (Client c = Client.connect(server.serverAddress())) {
        assertTrue(c.seesEndOfStream(TestRules.waitBound()));
      }
      echoes(server.serverAddress());
    }
    assertEquals(2, calls.get());
  }

  /** The options of an accepted connection, read when the pipeline hook runs. */
  record Seen(boolean keepAlive, boolean noDelay, int receiveBuffer) {
    static Seen of(Channel ch) {
      return new Seen(
          ch.config().getOption(ChannelOption.SO_KEEPALIVE),
          ch.config().getOption(ChannelOption.TCP_NODELAY),
          ch.config().getOption(ChannelOption.SO_RCVBUF));
    }
  }

  @Test
  @DisplayName("issue 5: child options reach accepted connections and override the defaults")
  void childOptions() throws Exception {
    AtomicReference<Seen> seen = new AtomicReference<>();
    NettyOptions netty =
        NettyOptions.builder()
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childOption(ChannelOption.SO_RCVBUF, 32768)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .pipeline(ch -> seen.set(Seen.of(ch)))
            .build();
    try (TCPServer server = server(netty, EchoLine::new); Serving serving = Serving.start(server)) {
      echoes(server.serverAddress());
    }
    assertTrue(seen.get().keepAlive());
    assertTrue(seen.get().noDelay()); // Python's default is off
    int rcvbuf = seen.get().receiveBuffer();
    assertTrue(rcvbuf >= 32768 && rcvbuf <= 2 * 32768, "SO_RCVBUF " + rcvbuf); // Linux doubles it
    // Without the options: Python's defaults.
    try (TCPServer server =
            server(NettyOptions.builder().pipeline(ch -> seen.set(Seen.of(ch))).build(), EchoLine::new);
        Serving serving = Serving.start(server)) {
      echoes(server.serverAddress());
    }
    assertFalse(seen.get().keepAlive());
    assertFalse(seen.get().noDelay());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NettyOptions.builder().childOption(ChannelOption.AUTO_READ, true));
    assertTrue(e.getMessage().contains("AUTO_READ"));
  }

  /** CPython's test_socketserver UDP echo: send back the datagram. */
  static final class EchoDatagram extends DatagramRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readAllBytes());
    }
  }

  /** Counts what passes in and out of a datagram channel. */
  static final class Counter extends ChannelDuplexHandler {
    final AtomicInteger in = new AtomicInteger();
    final AtomicInteger out = new AtomicInteger();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      in.incrementAndGet();
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      out.incrementAndGet();
      ctx.write(msg, promise);
    }
  }

  @Test
  @DisplayName("issue 5: the pipeline hook also runs for datagram servers, in front of the receiver")
  void pipelineHookDatagram() throws Exception {
    CountDownLatch allSent = new CountDownLatch(1);
    Counter counter = new Counter();
    AtomicInteger inits = new AtomicInteger();
    NettyOptions netty =
        NettyOptions.builder()
            .pipeline(
                ch -> {
                  inits.incrementAndGet();
                  ch.pipeline().addLast(counter);
                })
            .build();
    // The first request waits until the rest are queued in the socket: those are the ones a
    // server without handlers would receive below Netty; here the handlers must see each one.
    RequestHandlerFactory handler =
        () ->
            new DatagramRequestHandler() {
              @Override
              public void handle() throws Exception {
                assertTrue(allSent.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
                wfile().write(rfile().readAllBytes());
              }
            };
    try (UDPServer server =
            new UDPServer(anyLoopbackPort(), handler) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }
            };
        Serving serving = Serving.start(server);
        DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      client.setSoTimeout((int) TestRules.waitBound().toMillis());
      for (int i = 0; i < 5; i++) {
        byte[] sent = ("hello " + i + "\n").getBytes(US_ASCII);
        client.send(new DatagramPacket(sent, sent.length, server.serverAddress()));
      }
      allSent.countDown();
      for (int i = 0; i < 5; i++) {
        DatagramPacket reply = new DatagramPacket(new byte[100], 100);
        client.receive(reply);
        assertEquals(
            "hello " + i + "\n", new String(reply.getData(), 0, reply.getLength(), US_ASCII));
      }
      assertEquals(1, inits.get());
      assertEquals(5, counter.in.get());
      assertEquals(5, counter.out.get());
    }
  }

  @Test
  @DisplayName("issue 5: servers on one group keep their own lifecycles: shutdown of one, the other serves")
  void independentLifecyclesOnOneGroup() throws Exception {
    EventLoopGroup group = applicationGroup("app-loop");
    try {
      NettyOptions netty = NettyOptions.builder().eventLoopGroup(group).build();
      try (TCPServer first = server(netty, EchoLine::new); TCPServer second = server(netty, EchoLine::new)) {
        Serving servingFirst = Serving.start(first);
        try (Serving servingSecond = Serving.start(second)) {
          servingFirst.close(); // shutdown() and serverClose() of the first
          echoes(second.serverAddress());
          CompletableFuture<Void> refused =
              CompletableFuture.runAsync(
                  () -> {
                    try (Client c = Client.connect(first.serverAddress())) {
                      throw new AssertionError("connected to a closed server");
                    } catch (IOException expected) {
                      // connection refused
                    }
                  });
          refused.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
        }
      }
    } finally {
      shutDown(group);
    }
  }
}
