package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.Request;
import io.github.socketserver4j.RunningServer;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 14, "timeouts in the pipeline": a {@code ReadTimeoutHandler} that closes a connection
 * reaches the handler's read as {@link SocketTimeoutException}, as the handler's own {@code
 * timeout()} does (CPython's {@code socket.timeout}), not as a {@code SocketException}; an
 * {@code IdleStateHandler} whose event closes the channel reads as end of stream. And the
 * documented semantics: the bridge reads only when the handler asks, so a pipeline timeout
 * measures the handler, not the peer.
 *
 * <p>The timeouts here are short because the timeout firing is the behaviour under test; no test
 * asserts how long anything took.
 */
class PipelineTimeoutTest {
  static final long TIMEOUT_MILLIS = 200;

  static List<String> transports() {
    return Transports.available();
  }

  /** A server that records what its handler's read threw, and what reached handleError. */
  static final class Recording extends ThreadingTCPServer {
    final CompletableFuture<Throwable> errors = new CompletableFuture<>();

    Recording(Class<? extends StreamRequestHandler> handler) throws IOException {
      super(anyLoopbackPort(), () -> newHandler(handler));
    }

    @Override
    public void handleError(Request request, SocketAddress clientAddress) {
      errors.complete(currentException().orElseThrow());
    }

    private static StreamRequestHandler newHandler(Class<? extends StreamRequestHandler> type) {
      try {
        return type.getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static Recording start(NettyOptions options, Class<? extends StreamRequestHandler> handler)
      throws IOException {
    return TCPServer.withSocketProvider(options, () -> new Recording(handler));
  }

  static Throwable awaitError(Recording server) throws Exception {
    return server.errors.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reads a line and echoes it. */
  public static final class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("ReadTimeoutHandler: the waiting read throws SocketTimeoutException, the client sees the close")
  void readTimeoutIsSocketTimeout(String transport) throws Exception {
    NettyOptions options =
        NettyOptions.builder()
            .transport(transport)
            .pipeline(ch -> ch.pipeline()
                .addLast(new ReadTimeoutHandler(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)))
            .build();
    Recording server = start(options, EchoLine.class);
    RunningServer running = server.start();
    try (Client silent = Client.connect(running.serverAddress())) {
      Throwable error = awaitError(server);
      assertTrue(error instanceof SocketTimeoutException, error.toString());
      assertTrue(error.getMessage().contains("ReadTimeoutHandler"), error.getMessage());
      assertTrue(silent.seesEndOfStream(TestRules.waitBound()), "the pipeline closed it");
    } finally {
      running.close(Duration.ofSeconds(5));
    }
  }

  /**
   * Reads what came before a timeout: as after the handler's own timeout (TimeoutTest, CPython's
   * SocketIO), rfile refuses to read on, and a new stream reads the bytes that had arrived.
   */
  public static final class ReadAfterTimeout extends StreamRequestHandler {
    static volatile CompletableFuture<byte[]> partial;
    static volatile CompletableFuture<String> refused;

    @Override
    public void handle() throws IOException {
      try {
        rfile().readLine(); // "abc" and no newline: waits, then the timeout
      } catch (SocketTimeoutException e) {
        try {
          rfile().read();
          refused.complete("read worked");
        } catch (IOException again) {
          refused.complete(again.getMessage());
        }
        partial.complete(connection().openInputStream().readNBytes(3)); // the bytes are kept
        throw e;
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("ReadTimeoutHandler: rfile then refuses, as after timeout(); a new stream reads the bytes that came")
  void bytesBeforeTheTimeoutAreKept(String transport) throws Exception {
    NettyOptions options =
        NettyOptions.builder()
            .transport(transport)
            .pipeline(ch -> ch.pipeline()
                .addLast(new ReadTimeoutHandler(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)))
            .build();
    ReadAfterTimeout.partial = new CompletableFuture<>();
    ReadAfterTimeout.refused = new CompletableFuture<>();
    Recording server = start(options, ReadAfterTimeout.class);
    RunningServer running = server.start();
    try (Client client = Client.connect(running.serverAddress())) {
      client.send("abc");
      Throwable error = awaitError(server);
      assertTrue(error instanceof SocketTimeoutException, error.toString());
      assertArrayEquals(
          "abc".getBytes(US_ASCII),
          ReadAfterTimeout.partial.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      assertEquals(
          "cannot read from timed out object",
          ReadAfterTimeout.refused.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    } finally {
      running.close(Duration.ofSeconds(5));
    }
  }

  /** Closes the channel when IdleStateHandler reports it idle, as docs/netty.md shows. */
  static final class CloseWhenIdle extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }
  }

  /** Reads a line; records it (empty at end of stream). */
  public static final class RecordLine extends StreamRequestHandler {
    static volatile CompletableFuture<byte[]> line;

    @Override
    public void handle() throws IOException {
      line.complete(rfile().readLine());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("IdleStateHandler and a close on its event: the waiting read returns end of stream, no error")
  void idleCloseIsEndOfStream(String transport) throws Exception {
    NettyOptions options =
        NettyOptions.builder()
            .transport(transport)
            .pipeline(ch -> ch.pipeline()
                .addLast(new IdleStateHandler(0, 0, TIMEOUT_MILLIS, TimeUnit.MILLISECONDS))
                .addLast(new CloseWhenIdle()))
            .build();
    RecordLine.line = new CompletableFuture<>();
    Recording server = start(options, RecordLine.class);
    RunningServer running = server.start();
    try (Client silent = Client.connect(running.serverAddress())) {
      assertEquals(
          0, RecordLine.line.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS).length);
      assertTrue(silent.seesEndOfStream(TestRules.waitBound()));
    } finally {
      running.close(Duration.ofSeconds(5));
    }
    assertTrue(!server.errors.isDone(), "handleError was not called");
  }

  /** Waits until told, then reads. */
  public static final class LateReader extends StreamRequestHandler {
    static volatile CountDownLatch mayRead;

    @Override
    public void handle() throws IOException {
      try {
        mayRead.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      wfile().write(rfile().readLine());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName("documented: a pipeline timeout measures the handler, not the peer (data sent at once is not read)")
  void pipelineTimeoutMeasuresTheHandler(String transport) throws Exception {
    NettyOptions options =
        NettyOptions.builder()
            .transport(transport)
            .pipeline(ch -> ch.pipeline()
                .addLast(new ReadTimeoutHandler(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)))
            .build();
    LateReader.mayRead = new CountDownLatch(1);
    Recording server = start(options, LateReader.class);
    RunningServer running = server.start();
    try (Client client = Client.connect(running.serverAddress())) {
      client.send("sent at once\n");
      // The handler has not asked to read, so the bridge has not read: the timeout fires and
      // closes the connection with the line still unread (the client may see a reset).
      boolean closed;
      try {
        closed = client.seesEndOfStream(TestRules.waitBound());
      } catch (java.net.SocketException reset) {
        closed = true;
      }
      assertTrue(closed, "the pipeline timed the connection out");
      LateReader.mayRead.countDown();
      assertTrue(awaitError(server) instanceof SocketTimeoutException);
    } finally {
      LateReader.mayRead.countDown();
      running.close(Duration.ofSeconds(5));
    }
  }
}
