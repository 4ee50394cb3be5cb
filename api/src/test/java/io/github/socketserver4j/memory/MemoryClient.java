package io.github.socketserver4j.memory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The client's end of an in-memory connection, made by {@link MemoryNetwork#connect}. */
public final class MemoryClient implements AutoCloseable {
  private final Pipe toServer;
  private final Pipe fromServer;
  private final MemoryConnection serverEnd;
  private final SocketAddress address;

  MemoryClient(Pipe toServer, Pipe fromServer, MemoryConnection serverEnd, SocketAddress address) {
    this.toServer = toServer;
    this.fromServer = fromServer;
    this.serverEnd = serverEnd;
    this.address = address;
  }

  /** This client's own address, the server's {@code clientAddress}. */
  public SocketAddress address() {
    return address;
  }

  /** The server's end, to look at what the server did to the connection. */
  public MemoryConnection serverEnd() {
    return serverEnd;
  }

  public MemoryClient send(String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    toServer.write(b, 0, b.length);
    return this;
  }

  /** Reads one line (with its newline), or less at end of stream; fails after {@code bound}. */
  public String readLine(Duration bound) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] one = new byte[1];
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      int n = fromServer.read(one, 0, 1, Math.max(1, deadline - System.nanoTime()));
      if (n < 0) {
        break;
      }
      line.write(one[0]);
      if (one[0] == '\n') {
        break;
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  /** Reads until end of stream; fails after {@code bound}. */
  public String readAll(Duration bound) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    long deadline = System.nanoTime() + bound.toNanos();
    for (int n; (n = fromServer.read(buf, 0, buf.length, Math.max(1, deadline - System.nanoTime())))
        >= 0; ) {
      all.write(buf, 0, n);
    }
    return all.toString(StandardCharsets.US_ASCII);
  }

  /**
   * Whether the server ended the connection within {@code bound}: an end of stream (after any
   * bytes still queued) or a reset. False if it is still open at the bound.
   */
  public boolean seesEnd(Duration bound) throws InterruptedException {
    return fromServer.awaitEnded(bound.toMillis());
  }

  /** Whether the server cut the connection: reading fails with a reset. */
  public boolean wasReset(Duration bound) throws IOException {
    try {
      readAll(bound);
      return false;
    } catch (SocketTimeoutException e) {
      throw e;
    } catch (SocketException e) {
      return e.getMessage().contains("reset");
    }
  }

  /** Python's {@code shutdown(SHUT_WR)}: the server reads end of stream. */
  public void shutdownOutput() {
    toServer.shutdown();
  }

  /** Resets the connection (SO_LINGER 0): the server's reads and writes fail from now on. */
  public void reset() {
    toServer.fail(new SocketException("Connection reset by peer"));
    fromServer.fail(new SocketException("Broken pipe"));
  }

  @Override
  public void close() {
    toServer.shutdown();
  }
}
