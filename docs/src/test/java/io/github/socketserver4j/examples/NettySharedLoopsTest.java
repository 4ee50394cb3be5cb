package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import io.netty.channel.EventLoopGroup;
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
}
