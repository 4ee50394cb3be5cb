package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.testing.Background;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Both forms of calling the mix-in's processRequestThread serve in a request thread. */
class ThreadingOverrideTest {
  static class EchoLine extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readLine());
    }
  }

  private static void serveOne(TCPServer server) throws Exception {
    Background loop = Background.start("serve_forever", server::serveForever);
    try (Client c = Client.connect(server.serverAddress())) {
      c.send("hello\n");
      assertEquals("hello\n", c.readLine());
      assertEquals("", c.readAllText());
    } finally {
      server.shutdown();
      loop.join();
    }
  }

  @Test
  @DisplayName("a ThreadingTCPServer subclass: super.processRequestThread runs the mix-in's body")
  void subclassCallsSuper() throws Exception {
    ThreadingOverride.Counting server = new ThreadingOverride.Counting(anyLoopbackPort(), EchoLine::new);
    try (server) {
      serveOne(server);
    }
    // server_close() joined the request thread: its finally block has run.
    assertEquals(1, server.served.get());
    assertEquals(0, server.running.get());
  }

  @Test
  @DisplayName("TCPServer implements ThreadingMixIn: ThreadingMixIn.super.processRequestThread")
  void mixinCallsNamedSuper() throws Exception {
    ThreadingOverride.CountingMixIn server =
        new ThreadingOverride.CountingMixIn(anyLoopbackPort(), EchoLine::new);
    try (server) {
      serveOne(server);
    }
    assertEquals(1, server.served.get());
    TestRules.assertNoServerThreads();
  }
}
