package io.github.socketserver4j.netty;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CPython's "read the request to end of stream, then reply" with a reply larger than the socket
 * buffers: the server must block in {@code wfile.write} on a half-closed connection and still
 * deliver every byte. On epoll this needs the registration fix in {@link EpollEmptyInterestFix}
 * (Netty 4.2.18 closes such a connection with ENOENT from {@code epoll_ctl}).
 */
class HalfCloseReplyTest {
  static final int CHUNK = 65536;
  static final int CHUNKS = 32; // 2 MiB: far more than the buffers hold

  static final AtomicReference<ChannelStream> CONNECTION = new AtomicReference<>();

  /** Reads to end of stream, then writes 8 MiB. */
  static final class ReplyAfterEndOfStream extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      CONNECTION.set((ChannelStream) connection());
      while (rfile().readLine().length > 0) {
        // the request
      }
      byte[] chunk = new byte[CHUNK];
      for (int i = 0; i < CHUNKS; i++) {
        wfile().write(chunk);
      }
    }
  }

  static java.util.List<String> transports() {
    return Transports.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  @DisplayName(
      "test_socketserver's read-to-EOF-then-reply, with a reply larger than the buffers:"
          + " every byte arrives")
  void replyLargerThanTheBuffersAfterTheClientHalfClosed(String transport) throws Exception {
    CONNECTION.set(null);
    NettyOptions netty =
        NettyOptions.builder()
            .transport(transport)
            // A small send buffer makes the write block and drain many times.
            .childOption(ChannelOption.SO_SNDBUF, 8192)
            .build();
    try (TCPServer server =
            new TCPServer(anyLoopbackPort(), ReplyAfterEndOfStream::new) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }
            };
        Serving serving = Serving.start(server);
        Client client = Client.connect(server.serverAddress())) {
      assertEquals(transport, NettyOptions.transportOf(server));
      client.send("request\n").shutdownOutput();
      // Read only once the server is blocked in a write on the half-closed connection.
      long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
      ChannelStream connection;
      while ((connection = CONNECTION.get()) == null
          || (connection.pendingOutboundBytes() == 0 && connection.isOpen())) {
        assertTrue(System.nanoTime() < deadline, "the server never blocked in write");
        LockSupport.parkNanos(1_000_000);
      }
      assertNotNull(connection);
      assertEquals(CHUNK * CHUNKS, client.readToEnd().length);
    }
  }
}
