package io.github.socketserver4j.memory;

import io.github.socketserver4j.LineInputStream;
import io.github.socketserver4j.StreamRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's end of an in-memory connection: a {@link StreamRequest} over two {@link Pipe}s,
 * with the blocking, timeout, half-close, close and abort rules the interface documents.
 */
public final class MemoryConnection implements StreamRequest {
  private final Pipe in;
  private final Pipe out;
  private final SocketAddress local;
  private final SocketAddress remote;
  private volatile Duration timeout;
  private volatile boolean open = true;
  private volatile boolean aborted;
  private volatile boolean noDelay;
  /** How many times {@link #close()} ran: the server closes each request once. */
  final AtomicInteger closes = new AtomicInteger();

  MemoryConnection(Pipe in, Pipe out, SocketAddress local, SocketAddress remote) {
    this.in = in;
    this.out = out;
    this.local = local;
    this.remote = remote;
  }

  @Override
  public LineInputStream openInputStream() {
    return new LineInputStream() {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (!open && !aborted) {
          throw new SocketException("Socket is closed");
        }
        Duration t = timeout;
        return in.read(b, off, len, t == null ? Long.MAX_VALUE : Math.max(0, t.toNanos()));
      }
    };
  }

  @Override
  public OutputStream openOutputStream() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (!open && !aborted) {
          throw new SocketException("Socket is closed");
        }
        out.write(b, off, len);
      }
    };
  }

  @Override
  public void setTimeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("Timeout value out of range: " + timeout);
    }
    this.timeout = timeout;
  }

  @Override
  public void clearTimeout() {
    timeout = null;
  }

  @Override
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  @Override
  public void setTcpNoDelay(boolean noDelay) {
    this.noDelay = noDelay;
  }

  /** Whether the handler turned Nagle's algorithm off. */
  public boolean tcpNoDelay() {
    return noDelay;
  }

  @Override
  public void shutdownOutput() throws IOException {
    if (!open) {
      throw new SocketException("Socket is closed");
    }
    out.shutdown();
  }

  @Override
  public void close() {
    closes.incrementAndGet();
    if (open) {
      open = false;
      out.shutdown(); // bytes written are still delivered, then end of stream
      in.fail(new SocketException("Socket is closed"));
    }
  }

  @Override
  public void abort() {
    if (!aborted) {
      aborted = true;
      open = false;
      out.fail(new SocketException("Connection reset"));
      in.fail(new SocketException("Connection aborted: the server cut the request"));
    }
  }

  /** Whether {@link #abort()} cut this connection. */
  public boolean isAborted() {
    return aborted;
  }

  /** How many times the server closed this connection. */
  public int closeCount() {
    return closes.get();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public SocketAddress remoteAddress() {
    return remote;
  }

  @Override
  public SocketAddress localAddress() {
    return local;
  }

  @Override
  public int fileno() {
    return -1;
  }

  @Override
  public String toString() {
    return "MemoryConnection[" + remote + " -> " + local + "]";
  }
}
