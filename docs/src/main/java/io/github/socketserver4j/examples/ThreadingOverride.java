package io.github.socketserver4j.examples;

import io.github.socketserver4j.Request;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingMixIn;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Overriding {@code process_request_thread} and calling the mix-in's version, in the two shapes
 * a Python server class takes. {@code ThreadingMixIn.super.processRequestThread(...)} compiles
 * only in a class that names {@code ThreadingMixIn} itself; in a subclass of {@code
 * ThreadingTCPServer} (which already implements it) Java rejects it as a redundant interface, and
 * the call is plain {@code super.processRequestThread(...)}.
 *
 * <pre>
 * class Counting(socketserver.ThreadingTCPServer):
 *     def process_request_thread(self, request, client_address):
 *         self.running += 1
 *         try:
 *             super().process_request_thread(request, client_address)
 *         finally:
 *             self.running -= 1
 * </pre>
 */
public final class ThreadingOverride {

  private ThreadingOverride() {}

  // tag::subclass[]
  // Python: class Counting(socketserver.ThreadingTCPServer)
  static class Counting extends ThreadingTCPServer {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger served = new AtomicInteger();

    Counting(SocketAddress address, RequestHandlerFactory handlers) throws IOException {
      super(address, handlers);
    }

    @Override
    public void processRequestThread(Request request, SocketAddress clientAddress) {
      running.incrementAndGet();
      try {
        super.processRequestThread(request, clientAddress); // super().process_request_thread(...)
      } finally {
        running.decrementAndGet();
        served.incrementAndGet();
      }
    }
  }
  // end::subclass[]

  // tag::mixin[]
  // Python: class CountingMixIn(socketserver.ThreadingMixIn, socketserver.TCPServer)
  static class CountingMixIn extends TCPServer implements ThreadingMixIn {
    final AtomicInteger served = new AtomicInteger();

    CountingMixIn(SocketAddress address, RequestHandlerFactory handlers) throws IOException {
      super(address, handlers);
    }

    @Override
    public void processRequestThread(Request request, SocketAddress clientAddress) {
      try {
        ThreadingMixIn.super.processRequestThread(request, clientAddress); // names the mix-in
      } finally {
        served.incrementAndGet();
      }
    }
  }
  // end::mixin[]
}
