package io.github.socketserver4j.http;

import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.testing.Background;
import java.net.InetSocketAddress;

/**
 * CPython's {@code TestServerThread}: a server on 127.0.0.1 port 0 serving in the background until
 * closed, then shut down and closed.
 */
final class Serving implements AutoCloseable {
  final BaseServer server;
  private final Background loop;

  Serving(BaseServer server) {
    this.server = server;
    this.loop = Background.start("serve-forever", server::serveForever);
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.serverAddress();
  }

  HttpClient client() throws java.io.IOException {
    return new HttpClient(address());
  }

  @Override
  public void close() throws Exception {
    try {
      server.shutdown();
      loop.join();
    } finally {
      server.serverClose();
    }
  }
}
