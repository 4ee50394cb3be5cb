package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs {@link NettyEventLoopHandler}: Netty handlers under the server's lifecycle. */
class NettyEventLoopHandlerTest {

  @Test
  @DisplayName("docs/netty.md event loop: two clients counted at once, after verifyRequest; quit ends one")
  void countsLinesPerConnection() throws Exception {
    try (NettyEventLoopHandler.CountingServer server =
        new NettyEventLoopHandler.CountingServer(anyLoopbackPort())) {
      Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
      serving.start();
      try (Client a = Client.connect(server.serverAddress());
          Client b = Client.connect(server.serverAddress())) {
        a.send("x\n");
        assertEquals("1: x\n", a.readLine());
        b.send("y\n");
        assertEquals("1: y\n", b.readLine());
        a.send("z\n");
        assertEquals("2: z\n", a.readLine());
        a.send("quit\n");
        assertEquals("bye\n", a.readAllText());
        b.send("quit\n");
        assertEquals("bye\n", b.readAllText());
        assertEquals(2, NettyEventLoopHandler.accepted(server));
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
        assertFalse(serving.isAlive());
      }
    }
  }

  @Test
  @DisplayName("docs/netty.md event loop: a client that just closes ends its request, so serverClose returns (issue 10, item 5)")
  void clientThatJustClosesEndsTheRequest() throws Exception {
    NettyEventLoopHandler.CountingServer server =
        new NettyEventLoopHandler.CountingServer(anyLoopbackPort());
    Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
    serving.start();
    Thread closing = new Thread(server::serverClose, "server_close");
    try {
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("x\n");
        assertEquals("1: x\n", c.readLine());
      } // no "quit": the client just goes away
      server.shutdown();
      closing.start(); // joins the request thread, which waits for the channel to close
      closing.join(TestRules.waitBound().toMillis());
      assertFalse(closing.isAlive(), "serverClose() waits for a connection the client closed");
    } finally {
      server.shutdown();
      serving.join(TestRules.waitBound().toMillis());
      assertFalse(serving.isAlive());
      if (closing.getState() == Thread.State.NEW) {
        server.serverClose(); // the test failed before closing it
      }
    }
  }

  @Test
  @DisplayName("docs/netty.md event loop: handlers that opt in to half-closure reply after the client's half-close")
  void optInToHalfClosure() throws Exception {
    try (ThreadingTCPServer server =
        new ThreadingTCPServer(anyLoopbackPort(), NettyEventLoopHandler.TotalLines::new)) {
      Thread serving = new Thread(() -> server.serveForever(Duration.ofMillis(10)), "serve_forever");
      serving.start();
      try (Client c = Client.connect(server.serverAddress())) {
        c.send("a\nb\nc\n").shutdownOutput();
        assertEquals("3 lines\n", c.readAllText());
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
        assertFalse(serving.isAlive());
      }
    }
  }
}
