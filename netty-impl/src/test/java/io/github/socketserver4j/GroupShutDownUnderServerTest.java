package io.github.socketserver4j;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.spi.SocketProvider;
import io.github.socketserver4j.testing.TestRules;
import io.github.socketserver4j.testing.Transports;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The application shuts its event loop group down under a server that runs on it, before the
 * serving thread has asked the loop for the next request. Asking a terminated loop to read threw
 * Netty's {@code RejectedExecutionException} out of {@code handleRequest} and {@code
 * serveForever}, killing the serving thread (seen in {@code
 * DatagramDirectPathTest#applicationGroupShutDownUnderServer}, whose serving thread polled after
 * the shutdown once datagrams were received on it directly). Now nothing more arrives and the
 * server times out as it would on a quiet socket, after one warning.
 */
class GroupShutDownUnderServerTest {

  static List<Arguments> kinds() {
    List<Arguments> all = new ArrayList<>();
    for (String transport : Transports.available()) {
      all.add(Arguments.of("TCPServer", transport));
      all.add(Arguments.of("UDPServer", transport));
    }
    return all;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("kinds")
  @DisplayName("handleRequest on a server whose application group was shut down times out; it does not throw")
  void handleRequestAfterGroupShutdown(String kind, String transport) throws Exception {
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("app-loop", true), NettyOptions.ioHandlerFactory(transport));
    NettyOptions netty = NettyOptions.builder().eventLoopGroup(group).build();
    AtomicInteger timeouts = new AtomicInteger();
    TCPServer server =
        kind.equals("TCPServer")
            ? new TCPServer(anyLoopbackPort(), StreamRequestHandler::new) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }

              @Override
              public Optional<Duration> timeout() {
                return Optional.of(Duration.ofMillis(20));
              }

              @Override
              public void handleTimeout() {
                timeouts.incrementAndGet();
              }
            }
            : new UDPServer(anyLoopbackPort(), DatagramRequestHandler::new) {
              @Override
              protected SocketProvider socketProvider() {
                return netty;
              }

              @Override
              public Optional<Duration> timeout() {
                return Optional.of(Duration.ofMillis(20));
              }

              @Override
              public void handleTimeout() {
                timeouts.incrementAndGet();
              }
            };
    try {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      assertTrue(group.awaitTermination(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
      assertDoesNotThrow(server::handleRequest);
      assertDoesNotThrow(server::handleRequest);
      assertEquals(2, timeouts.get());
    } finally {
      server.serverClose();
    }
  }
}
