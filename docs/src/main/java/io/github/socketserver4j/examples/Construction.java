package io.github.socketserver4j.examples;

import io.github.socketserver4j.Py;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.TCPServer;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;

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
      this.backlog = backlog;          // Python: self.backlog = backlog before __init__
      bindAndActivate();               // serverBind(), serverActivate(); on failure serverClose()
    }

    @Override
    public int requestQueueSize() {
      return backlog; // read by serverBind(), after the field is set
    }
  }
  // end::configured[]

  // tag::hooks[]
  /** A server whose serverActivate() and serverClose() use a field: a log of its life. */
  static class AuditedServer extends TCPServer {
    private final List<String> audit;

    AuditedServer(SocketAddress address, RequestHandlerFactory handlers, List<String> audit)
        throws IOException {
      super(address, handlers, false); // the hooks below must not run before audit is set
      this.audit = audit;
      bindAndActivate();
    }

    @Override
    public void serverActivate() throws IOException {
      super.serverActivate();
      audit.add("listening on " + Py.str(serverAddress())); // self.audit.append(...)
    }

    @Override
    public void serverClose() {
      super.serverClose();
      audit.add("closed");
    }
  }
  // end::hooks[]

  /** The same server written the direct way: its hooks run before {@code audit} is set. */
  static class NaiveAuditedServer extends TCPServer {
    private final List<String> audit;

    NaiveAuditedServer(SocketAddress address, RequestHandlerFactory handlers, List<String> audit)
        throws IOException {
      super(address, handlers); // calls serverActivate() while audit is still null
      this.audit = audit;
    }

    @Override
    public void serverActivate() throws IOException {
      super.serverActivate();
      audit.add("listening");
    }

    @Override
    public void serverClose() {
      super.serverClose();
      if (audit != null) {
        audit.add("closed");
      }
    }
  }
}
