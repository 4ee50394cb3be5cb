package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.socketserver4j.ServerInternals;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.UDPServer;
import io.github.socketserver4j.testing.Transports;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The socket options a server really has: CPython's defaults, not Netty's (spec netty 4.3:
 * Netty and the JDK set SO_REUSEADDR on server sockets, and a backlog of SOMAXCONN).
 */
class SocketOptionsDefaultsTest {

  static java.util.List<String> transports() {
    return Transports.available();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void reuseAddressFollowsAllowReuseAddress(String transport) throws Exception {
    Transports.with(transport, () -> {
      try (TCPServer plain = new TCPServer(new InetSocketAddress("127.0.0.1", 0), StreamRequestHandler::new);
          TCPServer reusing = new TCPServer(new InetSocketAddress("127.0.0.1", 0), StreamRequestHandler::new) {
            @Override
            public boolean allowReuseAddress() {
              return true;
            }
          };
          UDPServer udp = new UDPServer(new InetSocketAddress("127.0.0.1", 0), io.github.socketserver4j.DatagramRequestHandler::new)) {
        assertEquals(false, option(plain, ChannelOption.SO_REUSEADDR), "CPython's allow_reuse_address is False");
        assertEquals(true, option(reusing, ChannelOption.SO_REUSEADDR));
        assertEquals(false, option(udp, ChannelOption.SO_REUSEADDR));
        assertEquals(5, option(plain, ChannelOption.SO_BACKLOG), "CPython's request_queue_size is 5");
      }
      return null;
    });
  }

  static <T> T option(TCPServer server, ChannelOption<T> option) {
    return ((OnDemandSocket<?>) ServerInternals.impl(server)).channel.config().getOption(option);
  }
}
