package io.github.socketserver4j;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * An {@link InputStream} with Python's {@code readline}: the type of {@link
 * StreamRequestHandler#rfile()}.
 *
 * <h2>Comparison with Python's {@code rfile}</h2>
 *
 * <table>
 *   <caption>Python file reads and their Java form</caption>
 *   <tr><th>Python</th><th>Java</th></tr>
 *   <tr><td>{@code rfile.readline()}</td><td>{@link #readLine()}</td></tr>
 *   <tr><td>{@code rfile.readline(limit)}</td><td>{@link #readLine(int)}</td></tr>
 *   <tr><td>{@code rfile.read(n)} (buffered)</td><td>{@link #readNBytes(int)}</td></tr>
 *   <tr><td>{@code rfile.read()}</td><td>{@link #readAllBytes()}</td></tr>
 *   <tr><td>{@code rfile.read1(n)} / raw {@code read(n)}</td><td>{@link #read(byte[], int, int)}</td></tr>
 *   <tr><td>{@code for line in rfile:}</td>
 *       <td>{@code for (byte[] l; (l = rfile.readLine()).length > 0; )}</td></tr>
 * </table>
 *
 * <p>Lines are bytes, not characters, and keep their {@code '\n'}; decode them yourself, for
 * example with {@code new String(line, StandardCharsets.UTF_8)}.
 *
 * <h2>For implementers</h2>
 *
 * <p>Subclasses implement {@link #read(byte[], int, int)}; the default {@link #readLine(int)} reads
 * one byte at a time through {@link #read()}. A subclass over its own buffer should override
 * {@code readLine(int)} to scan the buffer instead.
 */
public abstract class LineInputStream extends InputStream {

  /** For subclasses. */
  protected LineInputStream() {}

  /**
   * Reads one line, Python's {@code readline()}: the bytes up to and including the next {@code
   * '\n'}, or up to end of stream. Returns an empty array at end of stream, as Python returns
   * {@code b''}.
   *
   * @return the line with its newline, or fewer bytes at end of stream; never null
   * @throws IOException if the read fails, including {@link java.net.SocketTimeoutException}
   */
  public byte[] readLine() throws IOException {
    return readLine(-1);
  }

  /**
   * Reads one line of at most {@code limit} bytes, Python's {@code readline(limit)}.
   *
   * <p>Returns as soon as a {@code '\n'} has been read, {@code limit} bytes have been read (a
   * partial line: the rest stays for the next read), or the stream has ended. A negative limit
   * means no limit; a limit of zero returns an empty array at once.
   *
   * @param limit the most bytes to return, or a negative number for no limit
   * @return the line, possibly partial; empty at end of stream
   * @throws IOException if the read fails, including {@link java.net.SocketTimeoutException}, and
   *     {@link LineTooLongException} when the line is longer than the connection may hold (more
   *     than the server's maximum line length, when {@code limit} is larger or negative)
   */
  public byte[] readLine(int limit) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (limit < 0 || line.size() < limit) {
      int b = read();
      if (b < 0) {
        break;
      }
      line.write(b);
      if (b == '\n') {
        break;
      }
    }
    return line.toByteArray();
  }

  /** Reads one byte, blocking as {@link #read(byte[], int, int)} does. */
  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public abstract int read(byte[] b, int off, int len) throws IOException;

  /**
   * Returns a stream over a copy of {@code data}: Python's {@code io.BytesIO(data)}, as {@code
   * DatagramRequestHandler} uses for its {@code rfile}.
   *
   * @param data the bytes to read
   * @return a stream that reads those bytes, then ends
   */
  public static LineInputStream of(byte[] data) {
    return over(Arrays.copyOf(data, data.length));
  }

  /** A stream over {@code data} itself, not a copy: for callers that own an unshared array. */
  static LineInputStream over(byte[] data) {
    return new BytesInput(data);
  }

  /** Python's {@code BytesIO} for reading, with a line scan over its array. */
  private static final class BytesInput extends LineInputStream {
    private final byte[] data;
    private int pos;

    BytesInput(byte[] data) {
      this.data = data;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (pos >= data.length) {
        return -1;
      }
      int n = Math.min(len, data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public byte[] readLine(int limit) {
      int end = limit < 0 ? data.length : (int) Math.min(data.length, (long) pos + limit);
      int i = pos;
      while (i < end && data[i] != '\n') {
        i++;
      }
      int stop = i < end ? i + 1 : end;
      byte[] line = Arrays.copyOfRange(data, pos, stop);
      pos = stop;
      return line;
    }

    @Override
    public int available() {
      return data.length - pos;
    }

    // InputStream's own readAllBytes and readNBytes read through 16 KiB buffers: per datagram
    // request (Python's self.rfile.read()) that was most of a request's allocation.
    @Override
    public byte[] readAllBytes() {
      return readNBytes(Integer.MAX_VALUE);
    }

    @Override
    public byte[] readNBytes(int len) {
      if (len < 0) {
        throw new IllegalArgumentException("len < 0");
      }
      int n = Math.min(len, data.length - pos);
      byte[] out = Arrays.copyOfRange(data, pos, pos + n);
      pos += n;
      return out;
    }

    @Override
    public long skip(long n) {
      long skipped = Math.max(0, Math.min(n, data.length - pos));
      pos += (int) skipped;
      return skipped;
    }
  }
}
