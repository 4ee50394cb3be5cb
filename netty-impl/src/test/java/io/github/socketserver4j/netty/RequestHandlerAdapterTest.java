package io.github.socketserver4j.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.github.socketserver4j.testing.TestCertificates;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.DisplayName;

/**
 * {@link RequestHandlerAdapter} inside a plain Netty {@code ServerBootstrap} that the test owns, as
 * an application would: a ported {@code StreamRequestHandler} gets rfile/wfile, timeouts,
 * half-closure and backpressure, and its errors reach the application's callback.
 */
class RequestHandlerAdapterTest {

  /** The application: its own group and ServerBootstrap, with the adapter last in the pipeline. */
  static final class App implements AutoCloseable {
    final EventLoopGroup group;
    final Channel server;

    App(String transport, Supplier<RequestHandlerAdapter> adapter) throws InterruptedException {
      this(transport, ch -> ch.pipeline().addLast(adapter.get()));
    }

    /** An application whose children get the handlers {@code init} adds. */
    App(String transport, Consumer<Channel> init) throws InterruptedException {
      group =
          new MultiThreadIoEventLoopGroup(
              1, new DefaultThreadFactory("app", true), NettyOptions.ioHandlerFactory(transport));
      ServerBootstrap b =
          new ServerBootstrap()
              .group(group)
              .channel(
                  transport.equals("epoll")
                      ? EpollServerSocketChannel.class
                      : NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      init.accept(ch);
                    }
                  });
      server = b.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    SocketAddress address() {
      return server.localAddress();
    }

    @Override
    public void close() throws InterruptedException {
      server.close().sync();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      assertTrue(group.awaitTermination(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    }
  }

  static List<String> transports() {
    return Transports.available();
  }

  /** Echoes every line until end of stream. */
  static final class Echo extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
      wfile().write("bye\n".getBytes(US_ASCII)); // after the client's half-close
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 5 adapter: a ported StreamRequestHandler echoes lines, reads a half-close as EOF, replies")
  void echo(String transport) throws Exception {
    try (App app = new App(transport, () -> new RequestHandlerAdapter(Echo::new));
        Client c = Client.connect(app.address())) {
      c.send("hello world\n");
      assertEquals("hello world\n", c.readLine());
      c.send("two\nlines\n");
      assertEquals("two\n", c.readLine());
      assertEquals("lines\n", c.readLine());
      c.send("last").shutdownOutput();
      assertEquals("lastbye\n", c.readAllText());
    }
  }

  /** Fails after reading one line. */
  static final class Fails extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      rfile().readLine();
      throw new IllegalStateException("handler failed on purpose");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 5 adapter: the handler's exception reaches the callback with the request and the client address")
  void errorCallback(String transport) throws Exception {
    CompletableFuture<Object[]> reported = new CompletableFuture<>();
    try (App app =
            new App(
                transport,
                () ->
                    new RequestHandlerAdapter(
                        Fails::new,
                        (request, clientAddress, error) ->
                            reported.complete(
                                new Object[] {
                                  request, clientAddress, error, Thread.currentThread().getName()
                                })));
        Client c = Client.connect(app.address())) {
      c.send("boom\n");
      Object[] report = reported.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      assertInstanceOf(StreamRequest.class, report[0]);
      assertEquals(c.socket().getLocalSocketAddress(), report[1]);
      assertEquals("handler failed on purpose", ((Throwable) report[2]).getMessage());
      assertTrue(((String) report[3]).startsWith("socketserver4j-adapter"), (String) report[3]);
      assertTrue(c.seesEndOfStream(TestRules.waitBound()), "the connection was not shut down");
    }
  }

  /** Times out on a silent client, says so, then echoes a line. */
  static final class TimesOut extends StreamRequestHandler {
    @Override
    public Optional<Duration> timeout() {
      return Optional.of(Duration.ofMillis(200));
    }

    @Override
    public void handle() throws IOException {
      try {
        rfile().readLine();
      } catch (SocketTimeoutException e) {
        wfile().write("timed out\n".getBytes(US_ASCII));
      }
      // rfile refuses reads after its timeout, as CPython's; the connection reads on.
      wfile().write(connection().openInputStream().readLine());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 5 adapter: StreamRequestHandler.timeout raises; the connection stays usable")
  void timeout(String transport) throws Exception {
    try (App app = new App(transport, () -> new RequestHandlerAdapter(TimesOut::new));
        Client c = Client.connect(app.address())) {
      assertEquals("timed out\n", c.readLine());
      c.send("still here\n");
      assertEquals("still here\n", c.readLine());
    }
  }

  static final AtomicReference<ChannelStream> CONNECTION = new AtomicReference<>();
  static final AtomicReference<Thread> HANDLER = new AtomicReference<>();
  static final int CHUNK = 65536;
  static final int CHUNKS = 64;

  /** Writes 4 MiB. */
  static final class Floods extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      HANDLER.set(Thread.currentThread());
      CONNECTION.set((ChannelStream) connection());
      byte[] chunk = new byte[CHUNK];
      for (int i = 0; i < CHUNKS; i++) {
        wfile().write(chunk);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 5 adapter: a client that does not read blocks wfile.write with bounded memory; then every byte arrives")
  void backpressure(String transport) throws Exception {
    CONNECTION.set(null);
    HANDLER.set(null);
    try (App app = new App(transport, () -> new RequestHandlerAdapter(Floods::new));
        Client c = Client.connect(app.address())) {
      long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
      ChannelStream connection;
      // Wait until the handler is parked in a write that cannot proceed.
      while ((connection = CONNECTION.get()) == null
          || connection.pendingOutboundBytes() == 0
          || HANDLER.get().getState() != Thread.State.WAITING) {
        assertTrue(System.nanoTime() < deadline, "the handler never blocked");
        LockSupport.parkNanos(1_000_000);
      }
      // Netty holds at most the high water mark (64 KiB), the chunk being written and a few
      // bytes of bookkeeping per message, however much the handler has left to write.
      long pending = connection.pendingOutboundBytes();
      assertTrue(pending <= 64 * 1024 + CHUNK + 1024, "queued " + pending + " bytes");
      assertEquals(CHUNK * CHUNKS, c.readToEnd().length);
    }
  }

  /** Replies with the client address, the TCP peer, and one line, as ProxyProtocolTest's Who. */
  static final class Who extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      byte[] line = rfile().readLine();
      InetSocketAddress client = (InetSocketAddress) clientAddress();
      InetSocketAddress peer = (InetSocketAddress) connection().remoteAddress();
      String reply =
          client.getAddress().getHostAddress() + " " + client.getPort() + " via "
              + peer.getAddress().getHostAddress() + ": " + new String(line, US_ASCII);
      wfile().write(reply.getBytes(US_ASCII));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 6: behind HAProxyMessageDecoder the handler's clientAddress is the header's source; the header is released")
  void behindProxyDecoder(String transport) throws Exception {
    try (App app =
            new App(
                transport,
                ch ->
                    ch.pipeline()
                        .addLast(new HAProxyMessageDecoder())
                        .addLast(new RequestHandlerAdapter(Who::new)));
        Client c = Client.connect(app.address())) {
      // The header and the request in one write: the decoder must hand the rest on.
      c.send("PROXY TCP4 203.0.113.7 192.0.2.1 56324 443\r\nhello\n");
      assertEquals("203.0.113.7 56324 via 127.0.0.1: hello\n", c.readLine());
    } // PARANOID leak detection (TestRules) fails the class if the decoded header leaked
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 6: behind HAProxyMessageDecoder the error callback gets the header's source address")
  void proxiedAddressReachesCallback(String transport) throws Exception {
    CompletableFuture<SocketAddress> reported = new CompletableFuture<>();
    try (App app =
            new App(
                transport,
                ch ->
                    ch.pipeline()
                        .addLast(new HAProxyMessageDecoder())
                        .addLast(
                            new RequestHandlerAdapter(
                                Fails::new,
                                (request, clientAddress, error) ->
                                    reported.complete(clientAddress))));
        Client c = Client.connect(app.address())) {
      c.send("PROXY TCP4 203.0.113.8 192.0.2.1 1000 443\r\nboom\n");
      assertEquals(
          new InetSocketAddress("203.0.113.8", 1000),
          reported.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      assertTrue(c.seesEndOfStream(TestRules.waitBound()), "the connection was not shut down");
    }
  }

  static final AtomicReference<Boolean> HANDSHAKE_DONE_AT_SETUP = new AtomicReference<>();

  /** Echoes a line; records whether the TLS handshake had completed when the handler began. */
  static final class TlsEcho extends StreamRequestHandler {
    @Override
    public void setup() throws Exception {
      super.setup();
      SslHandler ssl = ((ChannelStream) connection()).channel().pipeline().get(SslHandler.class);
      HANDSHAKE_DONE_AT_SETUP.set(ssl.handshakeFuture().isSuccess());
    }

    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  static SslContext serverTls() throws Exception {
    return SslContextBuilder.forServer(TestCertificates.keyManagers()).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 6: behind SslHandler the handler starts after the handshake")
  void behindTls(String transport) throws Exception {
    HANDSHAKE_DONE_AT_SETUP.set(null);
    SslContext tls = serverTls();
    try (App app =
        new App(
            transport,
            ch ->
                ch.pipeline()
                    .addLast(tls.newHandler(ch.alloc()))
                    .addLast(new RequestHandlerAdapter(TlsEcho::new)))) {
      InetSocketAddress address = (InetSocketAddress) app.address();
      try (SSLSocket client =
          (SSLSocket)
              TestCertificates.clientContext()
                  .getSocketFactory()
                  .createSocket(address.getAddress(), address.getPort())) {
        client.setSoTimeout((int) TestRules.waitBound().toMillis());
        client.getOutputStream().write("over tls\n".getBytes(US_ASCII));
        byte[] reply = new byte[9];
        int n = 0;
        while (n < reply.length) {
          int r = client.getInputStream().read(reply, n, reply.length - n);
          assertTrue(r > 0, "end of stream after " + n + " bytes");
          n += r;
        }
        assertEquals("over tls\n", new String(reply, US_ASCII));
      }
    }
    assertEquals(Boolean.TRUE, HANDSHAKE_DONE_AT_SETUP.get(), "the handler began before the handshake");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 6: behind SslHandler a failed handshake closes the connection; no handler runs")
  void failedHandshake(String transport) throws Exception {
    AtomicInteger handlers = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    SslContext tls = serverTls();
    try (App app =
            new App(
                transport,
                ch ->
                    ch.pipeline()
                        .addLast(tls.newHandler(ch.alloc()))
                        .addLast(
                            new RequestHandlerAdapter(
                                () -> {
                                  handlers.incrementAndGet();
                                  return new Echo();
                                },
                                (request, clientAddress, error) -> errors.incrementAndGet())));
        Client plain = Client.connect(app.address())) {
      plain.send("GET / HTTP/1.0\r\n\r\n"); // not a ClientHello
      assertTrue(plain.seesEndOfStream(TestRules.waitBound()), "the server kept a bad handshake");
    }
    assertEquals(0, handlers.get());
    assertEquals(0, errors.get());
  }

  /** Reads a line. */
  static final class ReadsLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      rfile().readLine();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 6: a message that is not a ByteBuf is released and fails the request with a clear error")
  void nonByteBufMessage(String transport) throws Exception {
    CompletableFuture<Throwable> reported = new CompletableFuture<>();
    try (App app =
            new App(
                transport,
                ch ->
                    ch.pipeline()
                        .addLast(new NettyOptionsTest.Holders())
                        .addLast(
                            new RequestHandlerAdapter(
                                ReadsLine::new,
                                (request, clientAddress, error) -> reported.complete(error))));
        Client c = Client.connect(app.address())) {
      c.send("hello\n");
      Throwable error = reported.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      assertInstanceOf(IOException.class, error);
      assertTrue(
          error.getMessage().contains("io.netty.buffer.DefaultByteBufHolder")
              && error.getMessage().contains("reads ByteBufs only"),
          error.getMessage());
      assertTrue(c.seesEndOfStream(TestRules.waitBound()), "the connection was not shut down");
    } // PARANOID leak detection fails the class if the holder's buffer leaked
  }

  /** Calls each serving method of its server and writes what each threw. */
  static final class TriesToServe extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      StringBuilder out = new StringBuilder();
      List<Runnable> calls =
          List.of(
              () -> server().serveForever(),
              () -> server().handleRequest(),
              () -> server().shutdown());
      for (Runnable call : calls) {
        try {
          call.run();
          out.append("returned\n");
        } catch (UnsupportedOperationException e) {
          out.append(e.getMessage()).append('\n');
        }
      }
      wfile().write(out.toString().getBytes(US_ASCII));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("issue 10 item 8: the adapter's stand-in server: serveForever, handleRequest and shutdown throw UnsupportedOperationException")
  void standInServerServesNothing(String transport) throws Exception {
    try (App app = new App(transport, () -> new RequestHandlerAdapter(TriesToServe::new));
        Client c = Client.connect(app.address())) {
      for (String method : List.of("serveForever()", "handleRequest()", "shutdown()")) {
        String line = c.readLine();
        assertTrue(
            line.startsWith(method + " is not available on a RequestHandlerAdapter's server"),
            line);
      }
    }
  }
}
