package io.github.socketserver4j.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.testing.TestRules;
import java.time.Duration;

/**
 * Runs {@code serveForever} on a thread of its own, as CPython's tests do; closing it calls
 * {@code shutdown()}, joins the thread (bounded) and calls {@code serverClose()}.
 */
final class Serving implements AutoCloseable {
  private final BaseServer server;
  private final Thread thread;

  private Serving(BaseServer server) {
    this.server = server;
    this.thread = new Thread(() -> server.serveForever(Duration.ofMillis(50)), "serve_forever");
    thread.setDaemon(true);
  }

  /** Starts serving {@code server}; if that fails, closes it. */
  static Serving start(BaseServer server) {
    Serving s = new Serving(server);
    s.thread.start();
    return s;
  }

  @Override
  public void close() {
    try {
      server.shutdown();
      thread.join(TestRules.waitBound().toMillis());
      assertFalse(thread.isAlive(), "serve_forever did not return after shutdown()");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for serve_forever", e);
    } finally {
      server.serverClose();
    }
  }
}
