package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.BaseRequestHandler;
import io.github.socketserver4j.Request;
import io.github.socketserver4j.StreamRequest;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.UnixStreamServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.github.socketserver4j.testing.UnixPaths;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 10, item 3: CPython's {@code socket.close()} only marks the socket closed while files
 * made by {@code makefile()} are open ({@code _io_refs}); the descriptor is closed ({@code
 * _real_close}) when the last of them is closed, which for a {@code StreamRequestHandler} is its
 * {@code rfile} in {@code finish()}. Until then the connection reads and writes as before. Checked
 * with CPython 3.13.0: after {@code self.connection.close()} in {@code handle()}, {@code
 * wfile.write(b"late\n")} reaches the client, {@code rfile.readline()} still reads, {@code
 * fileno()} is still valid, and it is -1 after {@code finish()}.
 */
class DeferredCloseTest {

  static List<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (String transport : Transports.available()) {
      all.add(Arguments.of("tcp", transport));
      all.add(Arguments.of("unix", transport));
    }
    return all;
  }

  static TCPServer server(
      String family, String transport, UnixPaths paths, Recorder handlers)
      throws IOException {
    NettyOptions netty = NettyOptions.builder().transport(transport).build();
    if (family.equals("unix")) {
      return new UnixStreamServer(paths.next(), handlers::create) {
        @Override
        protected SocketProvider socketProvider() {
          return netty;
        }

        @Override
        public void handleError(Request request, SocketAddress clientAddress) {
          handlers.errors.add(currentException().orElseThrow());
        }
      };
    }
    return new TCPServer(Client.anyLoopbackPort(), handlers::create) {
      @Override
      protected SocketProvider socketProvider() {
        return netty;
      }

      @Override
      public void handleError(Request request, SocketAddress clientAddress) {
        handlers.errors.add(currentException().orElseThrow());
      }
    };
  }

  /** Reads until end of stream, failing if it does not come within the wait bound. */
  static String readToEnd(SocketChannel client) throws IOException {
    client.configureBlocking(false);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(4096);
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    try (Selector selector = Selector.open()) {
      client.register(selector, SelectionKey.OP_READ);
      while (true) {
        int n = client.read(buf.clear());
        if (n < 0) {
          return got.toString(StandardCharsets.US_ASCII);
        }
        got.write(buf.array(), 0, n);
        long left = (deadline - System.nanoTime()) / 1_000_000;
        assertTrue(left > 0, "no end of stream; got " + got);
        if (n == 0) {
          selector.select(left);
          selector.selectedKeys().clear();
        }
      }
    }
  }

  /** Makes the test's handler and keeps what the server reported. */
  abstract static class Recorder {
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final List<Object> seen = new CopyOnWriteArrayList<>();
    final AtomicReference<StreamRequest> connection = new AtomicReference<>();

    abstract BaseRequestHandler create();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  @DisplayName("issue 10 item 3: close() in handle() leaves the connection open until finish() closes rfile; a later write reaches the client")
  void closeThenWrite(String family, String transport) throws Exception {
    Recorder handlers =
        new Recorder() {
          @Override
          BaseRequestHandler create() {
            return new StreamRequestHandler() {
              @Override
              public void handle() throws IOException {
                connection.set(connection());
                seen.add(new String(rfile().readLine(), StandardCharsets.US_ASCII));
                connection().close();
                seen.add(connection().isOpen() ? "open" : "closed");
                seen.add(connection().fileno() == -1 ? "fileno -1" : "fileno valid");
                wfile().write("late\n".getBytes(StandardCharsets.US_ASCII));
                seen.add(new String(rfile().readLine(), StandardCharsets.US_ASCII));
              }

              @Override
              public void finish() throws Exception {
                super.finish();
                seen.add(connection().fileno() == -1 ? "fileno -1" : "fileno valid");
              }
            };
          }
        };
    try (UnixPaths paths = new UnixPaths();
        TCPServer server = server(family, transport, paths, handlers);
        SocketChannel client = SocketChannel.open(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      client.write(ByteBuffer.wrap("x\nsecond\n".getBytes(StandardCharsets.US_ASCII)));
      assertEquals("late\n", readToEnd(client));
      call.join();
    }
    assertEquals(List.of(), handlers.errors, "handleError");
    // NIO has no descriptor to show: fileno() is always -1 there.
    String during = transport.equals("epoll") ? "fileno valid" : "fileno -1";
    assertEquals(List.of("x\n", "closed", during, "second\n", "fileno -1"), handlers.seen);
    ChannelStream stream = (ChannelStream) handlers.connection.get();
    assertTrue(stream.channel().closeFuture().await(TestRules.waitBound().toMillis()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  @DisplayName("issue 10 item 3: once rfile is closed too, the close is real: the next write fails")
  void closeThenCloseFilesThenWrite(String family, String transport) throws Exception {
    Recorder handlers =
        new Recorder() {
          @Override
          BaseRequestHandler create() {
            return new StreamRequestHandler() {
              @Override
              public void handle() throws IOException {
                rfile().readLine();
                connection().close();
                wfile().write("late\n".getBytes(StandardCharsets.US_ASCII));
                rfile().close(); // the last makefile object: the socket is really closed now
                try {
                  connection().openOutputStream().write("too late\n".getBytes(StandardCharsets.US_ASCII));
                  seen.add("written");
                } catch (IOException e) {
                  seen.add(e);
                }
              }
            };
          }
        };
    try (UnixPaths paths = new UnixPaths();
        TCPServer server = server(family, transport, paths, handlers);
        SocketChannel client = SocketChannel.open(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      client.write(ByteBuffer.wrap("x\n".getBytes(StandardCharsets.US_ASCII)));
      assertEquals("late\n", readToEnd(client));
      call.join();
    }
    assertEquals(List.of(), handlers.errors, "handleError");
    assertEquals(1, handlers.seen.size());
    assertInstanceOf(SocketException.class, handlers.seen.get(0));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  @DisplayName("differences.md 43: once the output is shut down, close() closes even while rfile is open; a read then fails")
  void closeAfterShutdownOutputIsReal(String family, String transport) throws Exception {
    Recorder handlers =
        new Recorder() {
          @Override
          BaseRequestHandler create() {
            return new StreamRequestHandler() {
              @Override
              public void handle() throws IOException {
                rfile().readLine();
                connection().shutdownOutput();
                connection().close(); // CPython: rfile still open, so the socket is too
                try {
                  seen.add(new String(rfile().readLine(), StandardCharsets.US_ASCII));
                } catch (IOException e) {
                  seen.add(e);
                }
              }
            };
          }
        };
    try (UnixPaths paths = new UnixPaths();
        TCPServer server = server(family, transport, paths, handlers);
        SocketChannel client = SocketChannel.open(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      client.write(ByteBuffer.wrap("x\nsecond\n".getBytes(StandardCharsets.US_ASCII)));
      assertEquals("", readToEnd(client));
      call.join();
    }
    assertEquals(List.of(), handlers.errors, "handleError");
    assertEquals(1, handlers.seen.size());
    assertInstanceOf(SocketException.class, handlers.seen.get(0), "CPython reads 'second\\n'");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  @DisplayName("a stream the handler never closes does not keep the connection open after shutdownRequest")
  void unclosedStreamDoesNotLeakTheConnection(String family, String transport) throws Exception {
    Recorder handlers =
        new Recorder() {
          @Override
          BaseRequestHandler create() {
            return new BaseRequestHandler() {
              @Override
              public void handle() throws IOException {
                StreamRequest request = (StreamRequest) request();
                connection.set(request);
                // self.request.recv(1024) in a Python handler; the stream is never closed
                byte[] line = request.openInputStream().readLine();
                request.openOutputStream().write(line);
              }
            };
          }
        };
    try (UnixPaths paths = new UnixPaths();
        TCPServer server = server(family, transport, paths, handlers);
        SocketChannel client = SocketChannel.open(server.serverAddress());
        Background call = Background.start("handle_request", server::handleRequest)) {
      client.write(ByteBuffer.wrap("ping\n".getBytes(StandardCharsets.US_ASCII)));
      call.join();
      ChannelStream stream = (ChannelStream) handlers.connection.get();
      assertTrue(
          stream.channel().closeFuture().await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS),
          "the connection stayed open");
      assertFalse(stream.isOpen());
      assertEquals(-1, stream.fileno());
    }
    assertEquals(List.of(), handlers.errors, "handleError");
  }
}
