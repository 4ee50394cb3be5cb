package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 11, "no write hand-off": on a connection the serving thread accepted (epoll), the
 * handler's thread sends on the socket itself while no earlier write is on its way through the
 * event loop ({@link DirectWriter}); only the rest after a full socket buffer goes through the
 * loop. Bytes arrive complete and in order either way, a close by Netty never lets a write reach
 * a reused descriptor, and a reset fails writes as the event loop's writes fail.
 */
class DirectWriteTest {
  /** What one connection's handler does, given its connection. */
  interface Body {
    void run(ChannelStream connection, InputStream in, OutputStream out) throws Exception;
  }

  private static TCPServer server(boolean direct, Body body) throws Exception {
    NettyOptions netty = NettyOptions.builder().directWrite(direct).directAccept(true).build();
    return Transports.with(
        "epoll",
        () ->
            new TCPServer(
                new InetSocketAddress("127.0.0.1", 0),
                () ->
                    new StreamRequestHandler() {
                      @Override
                      public void handle() throws IOException {
                        try {
                          body.run((ChannelStream) request(), rfile(), wfile());
                        } catch (IOException | RuntimeException e) {
                          throw e;
                        } catch (Exception e) {
                          throw new IOException(e);
                        }
                      }
                    }) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }
            });
  }

  private static void assumeEpoll() {
    assumeTrue(Transports.available().contains("epoll"), "direct writes need epoll");
  }

  /** The byte at {@code index} of the test stream. */
  private static byte at(long index) {
    return (byte) (index % 251);
  }

  private static final int[] SIZES = {1, 100, 64 * 1024, 1, (1 << 20) + 17, 3, 8 << 20, 5, 1};

  @ParameterizedTest(name = "directWrite({0})")
  @ValueSource(booleans = {true, false})
  @DisplayName("writes of 1 B to 8 MiB arrive complete and in order, across the full-buffer hand-over")
  void everySizeArrivesCompleteAndInOrder(boolean direct) throws Exception {
    assumeEpoll();
    AtomicReference<ChannelStream> seen = new AtomicReference<>();
    long[] directBytes = new long[1];
    long total = 0;
    for (int size : SIZES) {
      total += size;
    }
    TCPServer server =
        server(
            direct,
            (connection, in, out) -> {
              in.read(); // the registration ran: the connection is open for direct writes
              seen.set(connection);
              long index = 0;
              for (int size : SIZES) {
                byte[] chunk = new byte[size];
                for (int i = 0; i < size; i++) {
                  chunk[i] = at(index++);
                }
                out.write(chunk);
              }
              directBytes[0] = connection.directBytes();
            });
    try (server;
        Socket client = new Socket()) {
      client.setReceiveBufferSize(64 * 1024);
      client.connect(server.serverAddress());
      client.setSoTimeout((int) TestRules.waitBound().toMillis());
      Background serving = Background.start("serving", server::handleRequest);
      client.getOutputStream().write('g');
      // Nothing is read until the socket buffers are full and the rest waits in the event loop.
      TestRules.awaitTrue(
          () -> seen.get() != null && seen.get().pendingOutboundBytes() > 0,
          "bytes handed to the event loop");
      InputStream in = client.getInputStream();
      byte[] buf = new byte[65536];
      long index = 0;
      while (index < total) {
        int n = in.read(buf);
        assertTrue(n > 0, "end of stream after " + index + " of " + total + " bytes");
        for (int i = 0; i < n; i++) {
          if (buf[i] != at(index)) {
            throw new AssertionError("byte " + index + " is " + buf[i] + ", not " + at(index));
          }
          index++;
        }
      }
      serving.join();
      assertEquals(-1, in.read(), "nothing after the last write");
    }
    if (direct) {
      assertTrue(directBytes[0] > 0, "some bytes were sent on the handler's thread");
      assertTrue(directBytes[0] < total, "the rest went through the event loop");
    } else {
      assertEquals(0, directBytes[0], "the switch is off: every byte through the event loop");
    }
  }

  @Test
  @DisplayName("a write racing a close by Netty never reaches a socket that reuses the descriptor")
  void writeRacingCloseNeverReachesReusedDescriptor() throws Exception {
    assumeEpoll();
    try (ServerSocket victims = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      for (int round = 0; round < 100; round++) {
        raceOnce(victims);
      }
    }
  }

  private static void raceOnce(ServerSocket victims) throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    AtomicReference<ChannelStream> seen = new AtomicReference<>();
    AtomicReference<IOException> failure = new AtomicReference<>();
    byte[] chunk = new byte[512];
    TCPServer server =
        server(
            true,
            (connection, in, out) -> {
              in.read();
              seen.set(connection);
              try {
                while (true) {
                  out.write(chunk);
                  if (connection.directBytes() > 0) {
                    writing.countDown();
                  }
                }
              } catch (IOException e) {
                failure.set(e);
              }
            });
    try (server;
        Socket client = new Socket()) {
      client.connect(server.serverAddress());
      Background serving = Background.start("serving", server::handleRequest);
      client.getOutputStream().write('g');
      assertTrue(writing.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      // As Netty closes a channel by itself (a read error, a group's shutdown): no lock of ours.
      // On the event loop right after close(2), a new socket takes the lowest free number: the
      // closed descriptor's, most likely, while the handler is still writing.
      AtomicReference<Socket> reused = new AtomicReference<>();
      var channel = seen.get().channel();
      channel
          .closeFuture()
          .addListener(
              f -> {
                Socket victim = new Socket();
                reused.set(victim);
                victim.connect(victims.getLocalSocketAddress());
              });
      channel.close().syncUninterruptibly();
      assertFalse(seen.get().directWriterOpen(), "the writer closed with the channel");
      try (Socket victim = reused.get();
          Socket accepted = victims.accept()) {
        serving.join();
        assertInstanceOf(SocketException.class, failure.get());
        assertEquals(0, accepted.getInputStream().available(), "bytes reached a reused descriptor");
        assertEquals(0, victim.getInputStream().available(), "bytes reached a reused descriptor");
      }
    }
  }

  @ParameterizedTest(name = "directWrite({0})")
  @ValueSource(booleans = {true, false})
  @DisplayName("a peer's reset fails the write as the event loop's write fails: errno, no Netty wording")
  void peerResetFailsAsBefore(boolean direct) throws Exception {
    assumeEpoll();
    AtomicReference<IOException> failure = new AtomicReference<>();
    CountDownLatch greeted = new CountDownLatch(1);
    long[] directBytes = new long[1];
    TCPServer server =
        server(
            direct,
            (connection, in, out) -> {
              in.read();
              out.write('h');
              greeted.countDown();
              try {
                while (true) {
                  out.write(new byte[1024]);
                }
              } catch (IOException e) {
                failure.set(e);
              }
              directBytes[0] = connection.directBytes();
            });
    try (server;
        Socket client = new Socket()) {
      client.connect(server.serverAddress());
      Background serving = Background.start("serving", server::handleRequest);
      client.getOutputStream().write('g');
      assertTrue(greeted.await(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      client.setSoLinger(true, 0);
      client.close(); // unread bytes and linger 0: a reset
      serving.join();
    }
    IOException e = failure.get();
    assertInstanceOf(SocketException.class, e);
    String message = e.getMessage();
    // As ConnectionFailureTest: the operation, then CPython's errno form ([Errno 104], [Errno 32])
    // when the write saw the reset, or "the connection was closed" when the event loop's read saw
    // it first and closed the channel; either way as the event loop's writes report it.
    assertTrue(
        message.matches("(read|write) failed: (\\[Errno (104|32)] .+|the connection was closed)"),
        message);
    assertFalse(message.contains("(..) failed with error("), "Netty's wording: " + message);
    if (message.contains("[Errno")) {
      assertInstanceOf(Errors.NativeIoException.class, e.getCause(), "the transport's exception");
    }
    assertEquals(direct, directBytes[0] > 0, "which path wrote");
  }
}
