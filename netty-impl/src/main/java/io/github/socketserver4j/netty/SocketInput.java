package io.github.socketserver4j.netty;

import io.github.socketserver4j.LineInputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;

/**
 * A stream made by {@link ChannelStream#openInputStream()}: CPython's {@code
 * socket.makefile('rb')}, the {@code rfile} of a {@code StreamRequestHandler}.
 *
 * <p>As CPython's {@code SocketIO}: while it is open the connection stays open after {@code
 * close()} (it counts in the socket's {@code _io_refs}), and closing it closes the connection if
 * that was asked for already; after a read through it timed out, it refuses every further read
 * with {@code OSError('cannot read from timed out object')}, here an {@link IOException} with that
 * message, because bytes may have been lost in the middle of a line. The connection itself stays
 * usable: a new stream reads on. All streams of a connection share its receive buffer.
 */
final class SocketInput extends LineInputStream {
  static final String TIMED_OUT = "cannot read from timed out object";

  private final ChannelStream stream;
  private volatile boolean closed;
  private volatile boolean timedOut;

  SocketInput(ChannelStream stream) {
    this.stream = stream;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    checkReadable();
    try {
      return stream.read(b, off, len);
    } catch (SocketTimeoutException e) {
      timedOut = true;
      throw e;
    }
  }

  @Override
  public byte[] readLine(int limit) throws IOException {
    checkReadable();
    try {
      return stream.readLine(limit);
    } catch (SocketTimeoutException e) {
      timedOut = true;
      throw e;
    }
  }

  @Override
  public int available() throws IOException {
    if (closed) {
      throw new IOException("Stream closed");
    }
    return stream.available();
  }

  /** Closes this stream; the connection too if {@code close()} was called on it already. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      stream.inputStreamClosed();
    }
  }

  private void checkReadable() throws IOException {
    if (closed) {
      throw new IOException("Stream closed");
    }
    if (timedOut) {
      throw new IOException(TIMED_OUT);
    }
  }
}
