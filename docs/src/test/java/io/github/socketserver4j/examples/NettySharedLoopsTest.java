package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs {@link NettySharedLoops}: two servers on the application's group. */
class NettySharedLoopsTest {

  @Test
  @DisplayName("docs/netty.md shared loops: two servers on one group; serverClose leaves the group running")
  void twoServersOneGroup() throws Exception {
    EventLoopGroup group = NettySharedLoops.applicationGroup();
    try {
      try (TCPServer a = NettySharedLoops.on(group, "a", anyLoopbackPort());
          TCPServer b = NettySharedLoops.on(group, "b", anyLoopbackPort())) {
        Thread servingA = new Thread(() -> a.serveForever(Duration.ofMillis(10)), "serve a");
        Thread servingB = new Thread(() -> b.serveForever(Duration.ofMillis(10)), "serve b");
        servingA.start();
        servingB.start();
        try (Client ca = Client.connect(a.serverAddress());
            Client cb = Client.connect(b.serverAddress())) {
          assertEquals("hello from b\n", cb.readAllText());
          assertEquals("hello from a\n", ca.readAllText());
        } finally {
          a.shutdown();
          b.shutdown();
          servingA.join(TestRules.waitBound().toMillis());
          servingB.join(TestRules.waitBound().toMillis());
        }
      }
      assertFalse(group.isShuttingDown(), "serverClose shut the application's group down");
      assertEquals("still mine", group.submit(() -> "still mine").get());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      assertTrue(group.awaitTermination(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    }
  }

  @Test
  @DisplayName("docs/netty.md shared loops: the application's own ServerBootstrap on the group, with the group's channel class")
  void applicationChannelOnTheSharedGroup() throws Exception {
    EventLoopGroup group = NettySharedLoops.applicationGroup();
    try {
      Class<?> type = NettySharedLoops.serverChannelClass(group);
      assertEquals(
          Epoll.isAvailable() ? "EpollServerSocketChannel" : "NioServerSocketChannel",
          type.getSimpleName());
      Channel app =
          new ServerBootstrap()
              .group(group)
              .channel(NettySharedLoops.serverChannelClass(group))
              .childHandler(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                      String text = "from the application\n";
                      ctx.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII))
                          .addListener(ChannelFutureListener.CLOSE);
                    }
                  })
              .bind(anyLoopbackPort())
              .sync()
              .channel();
      try (TCPServer server = NettySharedLoops.on(group, "s", anyLoopbackPort());
          Client c = Client.connect(app.localAddress())) {
        assertEquals("from the application\n", c.readAllText());
      } finally {
        app.close().sync();
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      assertTrue(group.awaitTermination(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS));
    }
  }
}
