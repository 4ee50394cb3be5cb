package io.github.socketserver4j;

import java.net.SocketAddress;

/** A server without a mix-in: each request runs on the serving thread, CPython's default. */
final class Sync extends Concurrency {
  Sync(BaseServer server, InFlight inFlight) {
    super(server, inFlight);
  }

  /** CPython's {@code BaseServer.process_request}: finish, then shut down. */
  @Override
  void process(Request request, SocketAddress clientAddress) throws Exception {
    server.finishRequest(request, clientAddress);
    server.shutdownRequest(request);
  }
}
