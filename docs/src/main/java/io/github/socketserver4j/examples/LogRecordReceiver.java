package io.github.socketserver4j.examples;

import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.ThreadingTCPServer;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The logging cookbook's network receiver ("Sending and receiving logging events across a
 * network"), whose serving loop is {@code select([self.socket.fileno()], [], [], self.timeout)}
 * followed by {@code handle_request()}. Records are length-prefixed as in the cookbook ({@code
 * struct.pack('>L', len)}); their payload is UTF-8 text here instead of a pickle.
 *
 * <pre>
 * def serve_until_stopped(self):
 *     import select
 *     abort = 0
 *     while not abort:
 *         rd, wr, ex = select.select([self.socket.fileno()], [], [], self.timeout)
 *         if rd:
 *             self.handle_request()
 *         abort = self.abort
 * </pre>
 */
public final class LogRecordReceiver {

  private LogRecordReceiver() {}

  /** Reads length-prefixed records until the client closes; keeps each one. */
  static class LogRecordStreamHandler extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      while (true) {
        byte[] chunk = rfile().readNBytes(4); // chunk = self.connection.recv(4)
        if (chunk.length < 4) {
          break;
        }
        int slen = ByteBuffer.wrap(chunk).getInt(); // struct.unpack('>L', chunk)[0]
        byte[] record = rfile().readNBytes(slen); // recv until slen bytes
        ((Receiver) server()).records.add(new String(record, StandardCharsets.UTF_8));
      }
    }
  }

  // tag::select[]
  // Python: class LogRecordSocketReceiver(socketserver.ThreadingTCPServer)
  static class Receiver extends ThreadingTCPServer {
    final List<String> records = new CopyOnWriteArrayList<>();
    volatile boolean abort; // self.abort = 0

    Receiver(SocketAddress address, RequestHandlerFactory handlers) throws IOException {
      super(address, handlers);
    }

    @Override
    public boolean allowReuseAddress() {
      return true; // allow_reuse_address = True
    }

    @Override
    public Optional<Duration> timeout() {
      return Optional.of(Duration.ofSeconds(1)); // self.timeout = 1
    }

    void serveUntilStopped() {
      while (!abort) {
        // select([self.socket.fileno()], [], [], self.timeout) + handle_request(): handleRequest()
        // waits at most timeout() for a client, then calls handleTimeout(), which does nothing.
        handleRequest();
      }
    }
  }
  // end::select[]
}
