package io.github.socketserver4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs {@link NettyAdapter}: a ported handler in the application's ServerBootstrap. */
class NettyAdapterTest {

  @Test
  @DisplayName("docs/netty.md adapter: the ported Shout handler serves a plain Netty server's connections")
  void shouts() throws Exception {
    EventLoopGroup group = NettyAdapter.nioGroup();
    try {
      Channel server = NettyAdapter.start(group, new InetSocketAddress("127.0.0.1", 0));
      try (Client c = Client.connect(server.localAddress())) {
        c.send("hello\n");
        assertEquals("HELLO\n", c.readLine());
        c.send("and goodbye\n").shutdownOutput();
        assertEquals("AND GOODBYE\n", c.readAllText());
      } finally {
        server.close().sync();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      assertTrue(group.awaitTermination(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    }
  }
}
