package io.github.socketserver4j;

import io.github.socketserver4j.testing.TestRules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A stream client (TCP or Unix) that can misbehave on purpose, with a deadline on every wait.
 *
 * <p>{@link #abort()} is the fault: over TCP it closes with {@code SO_LINGER} 0, which sends RST;
 * a Unix socket has no RST, so it closes with bytes still unread in its receive queue, which makes
 * Linux report {@code ECONNRESET} to the server's next read and {@code EPIPE} to its next write.
 * {@link #awaitReadable()} waits for bytes without reading them, so they stay unread for that.
 */
final class FaultClient implements AutoCloseable {
  private final SocketChannel channel;
  private final Selector selector;
  private final SelectionKey key;
  private final boolean unix;

  FaultClient(SocketAddress address) throws IOException {
    this(address, 4096);
  }

  /**
   * A client whose TCP receive buffer (its window) is {@code receiveBuffer} bytes: small, so a
   * server writing to it while it does not read blocks soon.
   */
  FaultClient(SocketAddress address, int receiveBuffer) throws IOException {
    unix = address instanceof UnixDomainSocketAddress;
    channel = SocketChannel.open(unix ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
    try {
      if (!unix) {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
      }
      channel.connect(address);
      channel.configureBlocking(false);
      selector = Selector.open();
      key = channel.register(selector, 0);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Waits until bytes have arrived, without reading them. */
  FaultClient awaitReadable() throws IOException {
    await(SelectionKey.OP_READ);
    return this;
  }

  /** Sends all of {@code data}. */
  FaultClient send(String data) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8));
    while (buf.hasRemaining()) {
      if (channel.write(buf) == 0) {
        await(SelectionKey.OP_WRITE);
      }
    }
    return this;
  }

  /** Reads through the next newline. */
  String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (true) {
      int n = channel.read(one.clear());
      if (n < 0) {
        break;
      }
      if (n == 0) {
        await(SelectionKey.OP_READ);
        continue;
      }
      line.write(one.get(0));
      if (one.get(0) == '\n') {
        break;
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  /** Reads and discards exactly {@code n} bytes. */
  void skip(long n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(16384);
    while (n > 0) {
      buf.clear().limit((int) Math.min(buf.capacity(), n));
      int got = channel.read(buf);
      if (got < 0) {
        throw new IOException("end of stream with " + n + " bytes still expected");
      }
      if (got == 0) {
        await(SelectionKey.OP_READ);
      }
      n -= got;
    }
  }

  /** The fault: RST over TCP; over Unix, a close with unread bytes (see the class comment). */
  void abort() throws IOException {
    if (!unix) {
      channel.setOption(StandardSocketOptions.SO_LINGER, 0);
    }
    close();
  }

  private void await(int op) throws IOException {
    key.interestOps(op);
    long deadline = System.nanoTime() + TestRules.waitBound().toNanos();
    try {
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          throw new SocketTimeoutException("client: nothing happened within the wait bound");
        }
        selector.select(left);
        if (selector.selectedKeys().remove(key)) {
          return;
        }
      }
    } finally {
      key.interestOps(0);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      selector.close(); // deregisters, so the channel's close below really closes the socket
    } finally {
      channel.close();
    }
  }
}
