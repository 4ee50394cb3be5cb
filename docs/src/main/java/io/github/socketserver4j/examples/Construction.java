package io.github.socketserver4j.examples;

import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.TCPServer;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * Two ways to port a class attribute that CPython reads while the constructor runs ({@code
 * request_queue_size} here; also {@code address_family}, {@code socket_type}, {@code
 * allow_reuse_address} and {@code allow_reuse_port}). A Java subclass cannot set a field before
 * the superclass constructor runs, so the override either returns a constant or the server binds
 * after its fields are set.
 */
public final class Construction {

  private Construction() {}

  // tag::constant[]
  static class BigBacklogServer extends TCPServer {
    BigBacklogServer(SocketAddress address, RequestHandlerFactory handlers) throws IOException {
      super(address, handlers);
    }

    @Override
    public int requestQueueSize() {
      return 128; // Python: request_queue_size = 128
    }
  }
  // end::constant[]

  // tag::configured[]
  static class ConfiguredServer extends TCPServer {
    private final int backlog;

    ConfiguredServer(SocketAddress address, RequestHandlerFactory handlers, int backlog)
        throws IOException {
      super(address, handlers, false); // bind_and_activate=False
      this.backlog = backlog;
      try {
        serverBind();
        serverActivate();
      } catch (IOException | RuntimeException | Error e) {
        serverClose(); // what TCPServer's constructor does on failure (bpo-22435)
        throw e;
      }
    }

    @Override
    public int requestQueueSize() {
      return backlog; // read by serverBind(), after the field is set
    }
  }
  // end::configured[]
}
