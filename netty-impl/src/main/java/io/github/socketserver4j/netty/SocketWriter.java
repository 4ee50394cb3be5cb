package io.github.socketserver4j.netty;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A stream made by {@link ChannelStream#openOutputStream()}: CPython's {@code _SocketWriter}, the
 * unbuffered {@code wfile} of a {@code StreamRequestHandler}. Each {@code write} is {@code
 * sendall}: all of its bytes, never part of them. As {@code _SocketWriter}, it holds no reference
 * on the connection: closing it closes only the stream.
 */
final class SocketWriter extends OutputStream {
  private final ChannelStream stream;
  private volatile boolean closed;

  SocketWriter(ChannelStream stream) {
    this.stream = stream;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    checkOpen();
    stream.write(b, off, len);
  }

  @Override
  public void flush() throws IOException {
    checkOpen(); // nothing is buffered here
  }

  @Override
  public void close() {
    closed = true;
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("Stream closed");
    }
  }
}
