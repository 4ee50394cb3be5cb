package io.github.socketserver4j;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;

/**
 * A handler for stream servers with file-like {@link #rfile()} and {@link #wfile()}: CPython's
 * {@code socketserver.StreamRequestHandler}.
 *
 * <pre>{@code
 * class Echo extends StreamRequestHandler {
 *   @Override public void handle() throws IOException {
 *     wfile().write(rfile().readLine());
 *   }
 * }
 * }</pre>
 *
 * <h2>Class variables that may be overridden</h2>
 *
 * <ul>
 *   <li>{@link #rbufsize()}: -1
 *   <li>{@link #wbufsize()}: 0, so {@code wfile} is unbuffered and every write is sent whole before
 *       it returns
 *   <li>{@link #timeout()}: none
 *   <li>{@link #disableNagleAlgorithm()}: false
 * </ul>
 *
 * <h2>Comparison with Python's {@code rfile} and {@code wfile}</h2>
 *
 * <p>{@code rfile()} is a {@link LineInputStream}: {@code readLine()} and {@code readLine(limit)}
 * are Python's {@code readline}, returning the bytes with their {@code '\n'} and an empty array at
 * end of stream. {@code wfile()} is an {@link OutputStream}: {@code write(bytes)} is Python's
 * {@code wfile.write(bytes)}. A client's half-close reads as end of stream while {@code wfile}
 * still works. A timeout throws {@link java.net.SocketTimeoutException} (Python's {@code
 * TimeoutError}) from the read or write, and the connection stays usable; as in CPython, {@code
 * rfile} itself then refuses further reads ("cannot read from timed out object").
 *
 * <h2>Interop with java.io</h2>
 *
 * <p>Wrap the streams as usual, for example {@code new BufferedReader(new
 * InputStreamReader(rfile(), UTF_8))}. Closing them does not close the connection; the server
 * does that after {@link #finish()}.
 */
public class StreamRequestHandler extends BaseRequestHandler {

  private StreamRequest connection;
  private LineInputStream rfile;
  private OutputStream wfile;

  /** Creates a handler that has not run yet. */
  public StreamRequestHandler() {}

  /**
   * The read buffer size, CPython's class attribute {@code rbufsize}.
   *
   * <p>Kept for porting; it changes nothing observable, because {@code rfile} and {@link
   * #connection()} share one receive buffer (in CPython a buffered {@code rfile} can hide bytes from
   * {@code connection.recv}).
   *
   * @implSpec Returns -1, as CPython. May be overridden.
   * @return the buffer size
   */
  public int rbufsize() {
    return -1;
  }

  /**
   * The write buffer size, CPython's class attribute {@code wbufsize}: 0 makes {@code wfile}
   * unbuffered (each write is sent whole before it returns); -1 buffers 8192 bytes and a positive
   * value that many, sent on {@code flush()}, when full, and by {@link #finish()}.
   *
   * @implSpec Returns 0, as CPython. May be overridden.
   * @return the buffer size
   */
  public int wbufsize() {
    return 0;
  }

  /**
   * The timeout of reads and writes on the connection, CPython's class attribute {@code timeout}.
   *
   * @implSpec Returns empty (no timeout), as CPython. May be overridden.
   * @return the timeout, or empty
   */
  public Optional<Duration> timeout() {
    return Optional.empty();
  }

  /**
   * Whether to set {@code TCP_NODELAY}, CPython's {@code disable_nagle_algorithm}.
   *
   * @implSpec Returns false, as CPython. May be overridden.
   * @return whether to disable Nagle's algorithm
   */
  public boolean disableNagleAlgorithm() {
    return false;
  }

  /**
   * Sets up the connection and the streams, CPython's {@code StreamRequestHandler.setup()}: applies
   * {@link #timeout()} and {@link #disableNagleAlgorithm()}, then opens {@code rfile} and {@code
   * wfile}. Extend it by calling {@code super.setup()} first.
   *
   * @throws IllegalStateException if the request is not a stream connection
   */
  @Override
  public void setup() throws Exception {
    if (!(request() instanceof StreamRequest)) {
      throw new IllegalStateException(
          "StreamRequestHandler needs a stream server; got a " + request().getClass().getName());
    }
    connection = (StreamRequest) request();
    Optional<Duration> timeout = timeout();
    if (timeout.isPresent()) {
      connection.setTimeout(timeout.get());
    }
    if (disableNagleAlgorithm()) {
      connection.setTcpNoDelay(true);
    }
    rfile = connection.openInputStream();
    int size = wbufsize();
    OutputStream raw = connection.openOutputStream();
    wfile = size == 0 ? raw : new BufferedWriter(raw, size < 0 ? 8192 : size);
  }

  /**
   * Flushes {@code wfile}, ignoring a failure as CPython does (bpo-14574), then closes both
   * streams; the connection itself stays open for the server's {@code shutdownRequest}: CPython's
   * {@code StreamRequestHandler.finish()}.
   *
   * <p>A buffered {@code wfile} ({@link #wbufsize()} not 0) keeps the bytes a failed flush could
   * not send, and its {@code close()} tries again; if that fails too, {@code finish()} throws it,
   * and the server passes it to {@code handleError}: CPython 3.11 and 3.13 raise {@code
   * BrokenPipeError} from {@code wfile.close()} here. An unbuffered {@code wfile} has nothing left
   * to send, so its failure is only ever thrown by the write that failed.
   *
   * @throws IOException if a buffered {@code wfile} cannot send what it holds
   */
  @Override
  public void finish() throws Exception {
    try {
      wfile.flush();
    } catch (IOException e) {
      // CPython ignores socket.error here: the peer may be gone.
    }
    try {
      wfile.close(); // a buffered wfile flushes again: CPython raises that failure
    } finally {
      rfile.close();
    }
  }

  /**
   * Returns the connection, CPython's {@code self.connection}.
   *
   * @return the connection
   * @throws IllegalStateException before {@link #setup()}
   */
  public final StreamRequest connection() {
    return checkSetUp(connection);
  }

  /**
   * Returns the input stream, CPython's {@code self.rfile}.
   *
   * @return the stream, with {@code readLine}
   * @throws IllegalStateException before {@link #setup()}
   */
  public final LineInputStream rfile() {
    return checkSetUp(rfile);
  }

  /**
   * Returns the output stream, CPython's {@code self.wfile}.
   *
   * @return the stream
   * @throws IllegalStateException before {@link #setup()}
   */
  public final OutputStream wfile() {
    return checkSetUp(wfile);
  }

  /**
   * Python's {@code BufferedWriter} for a {@code wbufsize} other than 0: collects writes and sends
   * them when full, on {@code flush()} and on {@code close()}; a write after close fails, as
   * Python's raises {@code ValueError}. A send that fails keeps the bytes, so the next flush, or
   * {@code close()}, tries again and throws again, as Python's does; {@code close()} marks it
   * closed either way. No lock: one handler thread owns it (and {@code
   * java.io.BufferedOutputStream} would pin virtual threads in subclasses on JDK 21 to 23).
   */
  private static final class BufferedWriter extends OutputStream {
    private final OutputStream out;
    private final byte[] buf;
    private int count;
    private boolean closed;

    BufferedWriter(OutputStream out, int size) {
      this.out = out;
      this.buf = new byte[size];
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (closed) {
        throw new IOException("write to closed file");
      }
      if (len >= buf.length) {
        flushBuffer();
        out.write(b, off, len);
        return;
      }
      if (len > buf.length - count) {
        flushBuffer();
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }

    @Override
    public void flush() throws IOException {
      if (closed) {
        throw new IOException("flush of closed file");
      }
      flushBuffer();
    }

    private void flushBuffer() throws IOException {
      if (count > 0) {
        out.write(buf, 0, count); // sends all or throws: on failure the bytes stay buffered
        count = 0;
      }
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        try {
          flushBuffer();
        } finally {
          closed = true;
          out.close();
        }
      }
    }
  }

  private static <T> T checkSetUp(T value) {
    if (value == null) {
      throw new IllegalStateException("StreamRequestHandler.setup() has not run yet");
    }
    return value;
  }
}
