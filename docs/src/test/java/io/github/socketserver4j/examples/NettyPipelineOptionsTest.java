package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.RunningServer;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs {@link NettyPipelineOptions}: IdleStateHandler closes a silent connection. */
class NettyPipelineOptionsTest {

  @Test
  @DisplayName("docs/netty.md options: echo on NIO; a connection idle for 300 ms is closed by IdleStateHandler")
  void closesIdleConnections() throws Exception {
    try (TCPServer server = NettyPipelineOptions.create(anyLoopbackPort(), Duration.ofMillis(300))) {
      assertEquals("nio", NettyOptions.transportOf(server));
      Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
      serving.start();
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("hello\n");
        assertEquals("hello\n", c.readLine());
        long start = System.nanoTime();
        assertTrue(c.seesEndOfStream(TestRules.waitBound()), "the idle connection stayed open");
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waited >= 250, "closed after " + waited + " ms, before it was idle 300 ms");
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
        assertFalse(serving.isAlive());
      }
    }
  }

  @Test
  @DisplayName("docs/netty.md timeouts: ReadTimeoutHandler's close reaches the handler as SocketTimeoutException")
  void readTimeoutHandlerIsASocketTimeout() throws Exception {
    int before = NettyPipelineOptions.TIMED_OUT.get();
    try (TCPServer server =
        NettyPipelineOptions.withReadTimeout(anyLoopbackPort(), Duration.ofMillis(300))) {
      RunningServer running = server.start();
      try (Client c = Client.connect(running.serverAddress())) {
        c.send("hello\n");
        assertEquals("hello\n", c.readLine());
        assertTrue(c.seesEndOfStream(TestRules.waitBound()), "the silent client was timed out");
      }
      running.close(TestRules.waitBound());
      assertEquals(before + 1, NettyPipelineOptions.TIMED_OUT.get(), "the handler caught it");
    }
  }
}
