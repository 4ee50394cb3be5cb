package io.github.socketserver4j.examples;

import static io.github.socketserver4j.testing.Client.anyLoopbackPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.Request;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.testing.Client;
import io.github.socketserver4j.testing.TestRules;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Runs {@link StopFromHandler}, and shows why it uses {@code requestShutdown()}. */
class StopFromHandlerTest {

  @Test
  @DisplayName("requestShutdown() from a handler: serve_forever returns after that request")
  void quitStopsServeForever() throws Exception {
    try (TCPServer server = StopFromHandler.newServer(anyLoopbackPort())) {
      Thread serving = new Thread(server::serveForever, "serve_forever");
      serving.start();
      try (Client client = Client.connect(server.serverAddress())) {
        client.send("hello\n");
        assertEquals("hello\n", client.readLine());
        client.send("quit\n");
        assertEquals("bye\n", client.readLine());
        assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the request is shut down");
      }
      // Nobody calls shutdown(): the loop ends by itself, without waiting for its poll interval.
      serving.join(TestRules.waitBound().toMillis());
      assertFalse(serving.isAlive(), "serve_forever did not return after requestShutdown()");
    }
  }

  /** Calls {@code shutdown()} where CPython would deadlock: on the thread of serve_forever. */
  static class ShutdownInHandler extends StreamRequestHandler {
    @Override
    public void handle() {
      server().shutdown();
    }
  }

  @Test
  @DisplayName("bpo-39797: shutdown() in a handler of a synchronous server throws, not deadlocks")
  void shutdownOnTheServingThreadThrows() throws Exception {
    CompletableFuture<Throwable> handled = new CompletableFuture<>();
    try (TCPServer server =
        new TCPServer(anyLoopbackPort(), ShutdownInHandler::new) {
          @Override
          public void handleError(Request request, SocketAddress clientAddress) {
            handled.complete(BaseServer.currentException().orElseThrow());
          }
        }) {
      Thread serving = new Thread(server::serveForever, "serve_forever");
      serving.start();
      try (Client client = Client.connect(server.serverAddress())) {
        Throwable thrown = handled.get(TestRules.waitBound().toMillis(), TimeUnit.MILLISECONDS);
        assertInstanceOf(IllegalStateException.class, thrown);
        assertTrue(client.seesEndOfStream(TestRules.waitBound()), "the request is shut down");
        // The exception went to handleError like any other, so the server is still serving.
        assertTrue(serving.isAlive(), "serve_forever must go on after handleError");
      } finally {
        server.shutdown();
        serving.join(TestRules.waitBound().toMillis());
      }
      assertFalse(serving.isAlive(), "serve_forever did not return after shutdown()");
    }
  }
}
