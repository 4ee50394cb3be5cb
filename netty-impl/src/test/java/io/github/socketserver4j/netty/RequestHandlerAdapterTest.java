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
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
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
                      ch.pipeline().addLast(adapter.get());
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
}
