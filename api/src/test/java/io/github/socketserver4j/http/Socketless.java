package io.github.socketserver4j.http;

import io.github.socketserver4j.BaseRequestHandler;
import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.ClientRequest;
import io.github.socketserver4j.LineInputStream;
import io.github.socketserver4j.StreamRequest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * CPython's {@code SocketlessRequestHandler} harness: a handler runs over an in-memory connection
 * (CPython gives it a BytesIO {@code rfile} and {@code wfile}), so the parsing and the header
 * buffer can be checked without a socket; {@link Memory#writes} counts writes as CPython's {@code
 * AuditableBytesIO} does.
 */
final class Socketless {
  private Socketless() {}

  /** An in-memory stream connection. */
  static final class Memory implements StreamRequest {
    final byte[] input;
    final List<byte[]> writes = new ArrayList<>();
    boolean noDelay;

    Memory(byte[] input) {
      this.input = input;
    }

    byte[] output() {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      writes.forEach(w -> all.write(w, 0, w.length));
      return all.toByteArray();
    }

    String text() {
      return new String(output(), StandardCharsets.ISO_8859_1);
    }

    /** CPython's {@code output.readlines()}. */
    List<String> lines() {
      List<String> lines = new ArrayList<>();
      String t = text();
      int start = 0;
      for (int i = 0; i < t.length(); i++) {
        if (t.charAt(i) == '\n') {
          lines.add(t.substring(start, i + 1));
          start = i + 1;
        }
      }
      if (start < t.length()) {
        lines.add(t.substring(start));
      }
      return lines;
    }

    @Override
    public LineInputStream openInputStream() {
      return LineInputStream.of(input);
    }

    @Override
    public OutputStream openOutputStream() {
      return new OutputStream() {
        @Override
        public void write(int b) {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
        }
      };
    }

    @Override
    public void setTimeout(Duration timeout) {}

    @Override
    public void clearTimeout() {}

    @Override
    public Optional<Duration> timeout() {
      return Optional.empty();
    }

    @Override
    public void setTcpNoDelay(boolean noDelay) {
      this.noDelay = noDelay;
    }

    @Override
    public void shutdownOutput() {}

    @Override
    public void close() {}

    @Override
    public void abort() {}

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public SocketAddress remoteAddress() {
      return CLIENT;
    }

    @Override
    public SocketAddress localAddress() {
      return CLIENT;
    }

    @Override
    public int fileno() {
      return -1;
    }
  }

  static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 1337);

  /** A server that is never served: {@code run} needs one, CPython's handler takes None. */
  static final class NoServer extends BaseServer {
    NoServer() {
      super(new InetSocketAddress("127.0.0.1", 0), BaseRequestHandler::new);
    }

    @Override
    public ClientRequest getRequest() {
      throw new UnsupportedOperationException();
    }

    @Override
    protected boolean waitForRequest(Duration timeout) {
      return false;
    }

    @Override
    protected void wakeup() {}
  }

  /** Runs {@code handler} (setup, handle, finish) over {@code input}; returns the connection. */
  static Memory run(BaseRequestHandler handler, String input) throws Exception {
    Memory memory = new Memory(input.getBytes(StandardCharsets.ISO_8859_1));
    handler.run(memory, CLIENT, new NoServer());
    return memory;
  }
}
