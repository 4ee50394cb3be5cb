package io.github.socketserver4j.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain blocking java.net client for tests, CPython's test helpers in Java: every read has a
 * deadline ({@link TestRules#waitBound()} by default), so a broken server fails a test instead of
 * hanging it.
 */
public final class Client implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private Client(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
    socket.setSoTimeout((int) TestRules.waitBound().toMillis());
  }

  /** Connects to {@code address}, waiting at most {@link TestRules#waitBound()}. */
  public static Client connect(SocketAddress address) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(address, (int) TestRules.waitBound().toMillis());
      return new Client(s);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  public Socket socket() {
    return socket;
  }

  public Client send(byte[] data) throws IOException {
    out.write(data);
    out.flush();
    return this;
  }

  public Client send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Half-closes: {@code shutdown(SHUT_WR)}. */
  public Client shutdownOutput() throws IOException {
    socket.shutdownOutput();
    return this;
  }

  /** Reads through the next {@code '\n'} (or to end of stream), as CPython's stream_examine. */
  public String readLine() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      buf.write(b);
      if (b == '\n') {
        break;
      }
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  /** Reads exactly {@code n} bytes, or fails. */
  public byte[] readExactly(int n) throws IOException {
    byte[] data = in.readNBytes(n);
    if (data.length != n) {
      throw new IOException("expected " + n + " bytes, got " + data.length + " then end of stream");
    }
    return data;
  }

  /** Reads until end of stream and returns everything. */
  public byte[] readToEnd() throws IOException {
    return in.readAllBytes();
  }

  /** Reads to end of stream and returns it as text. */
  public String readAllText() throws IOException {
    return new String(readToEnd(), StandardCharsets.UTF_8);
  }

  /** Whether the server closed (EOF) within {@code wait}; false when still open. */
  public boolean seesEndOfStream(Duration wait) throws IOException {
    int old = socket.getSoTimeout();
    socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } finally {
      socket.setSoTimeout(old);
    }
  }

  public InputStream input() {
    return in;
  }

  /** The address as a test server binds it: loopback, port 0. */
  public static InetSocketAddress anyLoopbackPort() {
    return new InetSocketAddress("127.0.0.1", 0);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
