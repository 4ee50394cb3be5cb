package io.github.socketserver4j;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * An accepted stream connection: the {@code request} of a {@link TCPServer}, CPython's connected
 * {@code socket} object.
 *
 * <p>A {@link StreamRequestHandler} reaches it as {@link StreamRequestHandler#connection()} and
 * normally reads and writes through {@code rfile()} and {@code wfile()}, which are views made with
 * {@link #openInputStream()} and {@link #openOutputStream()}.
 *
 * <h2>Blocking and threads</h2>
 *
 * <p>Reads and writes block the calling thread, as a Python socket in blocking mode does. They
 * must not run on a transport's I/O thread (a Netty event loop); doing so throws {@link
 * IllegalStateException} instead of deadlocking. Interrupting a thread that is blocked in a read or
 * write does not abort it and never closes the connection: the call carries on, as CPython retries
 * a system call interrupted by a signal (PEP 475), and the thread's interrupt status is restored
 * when it returns. Use {@link #setTimeout} to bound a blocked call.
 *
 * <h2>Comparison with Python</h2>
 *
 * <table>
 *   <caption>Python socket calls and their Java form</caption>
 *   <tr><th>Python</th><th>Java</th></tr>
 *   <tr><td>{@code makefile('rb')}</td><td>{@link #openInputStream()}</td></tr>
 *   <tr><td>{@code makefile('wb', 0)} / {@code sendall}</td><td>{@link #openOutputStream()}</td></tr>
 *   <tr><td>{@code settimeout(t)} / {@code settimeout(None)}</td>
 *       <td>{@link #setTimeout(Duration)} / {@link #clearTimeout()}</td></tr>
 *   <tr><td>{@code setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)}</td><td>{@link #setTcpNoDelay}</td></tr>
 *   <tr><td>{@code shutdown(SHUT_WR)}</td><td>{@link #shutdownOutput()}</td></tr>
 *   <tr><td>{@code close()}</td><td>{@link #close()}</td></tr>
 *   <tr><td>{@code getpeername()} / {@code getsockname()}</td>
 *       <td>{@link #remoteAddress()} / {@link #localAddress()}</td></tr>
 *   <tr><td>{@code fileno()}</td><td>{@link #fileno()}</td></tr>
 * </table>
 */
public interface StreamRequest extends Request, AutoCloseable {

  /**
   * Returns a new input stream over this connection, like Python's {@code makefile('rb')}.
   *
   * <p>All streams opened on one connection share one receive buffer, so no byte is lost or read
   * twice when a handler mixes them. A read returns what has arrived (at least one byte), or -1
   * once the peer has shut down its side (a half-close or a close), and throws {@link
   * java.net.SocketTimeoutException} when the {@linkplain #setTimeout timeout} expires. As
   * CPython's {@code SocketIO}, a stream whose read timed out refuses every further read with an
   * {@code IOException("cannot read from timed out object")}; the connection stays usable, and a
   * new stream reads on.
   *
   * <p>As a {@code makefile} object, an open stream keeps the connection open after {@link
   * #close()} (CPython's {@code _io_refs}); closing the last one then closes the connection.
   * Otherwise closing a stream closes only that stream.
   *
   * @return a stream with Python's {@code readline}
   */
  LineInputStream openInputStream();

  /**
   * Returns a new unbuffered output stream over this connection, like CPython's {@code
   * _SocketWriter}: every {@code write} hands all its bytes to the transport before it returns, as
   * {@code sendall} does, and never writes only part of them.
   *
   * <p>A peer that does not read makes {@code write} block once the transport's outbound buffer is
   * full (real backpressure), until the peer reads, the {@linkplain #setTimeout timeout} expires
   * ({@link java.net.SocketTimeoutException}) or the connection fails ({@link IOException}).
   * Closing the stream closes only the stream, never the connection.
   *
   * @return an unbuffered stream with {@code sendall} semantics
   */
  OutputStream openOutputStream();

  /**
   * Sets the timeout of blocking reads and writes on this connection, Python's {@code
   * settimeout(t)}. A read or write that waits longer throws {@link
   * java.net.SocketTimeoutException}.
   *
   * @param timeout a positive or zero duration
   */
  void setTimeout(Duration timeout);

  /** Removes the timeout: reads and writes block without limit, Python's {@code settimeout(None)}. */
  void clearTimeout();

  /**
   * Returns the timeout set by {@link #setTimeout}, or empty when there is none.
   *
   * @return the timeout, Python's {@code gettimeout()}
   */
  Optional<Duration> timeout();

  /**
   * Turns Nagle's algorithm off ({@code true}) or on. CPython's {@code StreamRequestHandler} turns
   * it off when {@code disable_nagle_algorithm} is true; it is on by default, as in Python.
   *
   * @param noDelay whether to set {@code TCP_NODELAY}
   * @throws IOException if the socket has no such option (a Unix socket), as CPython's {@code
   *     setsockopt} raises {@code OSError}
   */
  void setTcpNoDelay(boolean noDelay) throws IOException;

  /**
   * Sends FIN after every byte already written, Python's {@code shutdown(SHUT_WR)}: the peer reads
   * everything written so far, then end of stream. Further writes fail. Does not wait for the bytes
   * to leave.
   *
   * @throws IOException if the connection is already closed
   */
  void shutdownOutput() throws IOException;

  /**
   * Closes the connection, Python's {@code close()}. Bytes already written are still delivered
   * before the connection closes; they are never dropped. Closing twice does nothing.
   *
   * <p>As in CPython, while a stream from {@link #openInputStream()} is open (a handler's {@code
   * rfile}), this only marks the connection closed: reads and writes still work, and the
   * connection closes when the last such stream is closed, which {@code
   * StreamRequestHandler.finish()} does. Once the output is shut down ({@link #shutdownOutput()},
   * as {@code shutdownRequest} does), it closes at once.
   */
  @Override
  void close();

  /**
   * Closes the connection at once, without waiting for bytes still queued: they are discarded.
   * Blocked reads and writes on it throw. Used by {@link BaseServer#drain} to cut requests that
   * outlive its deadline. Aborting a closed connection does nothing.
   */
  void abort();

  /**
   * Returns whether {@link #close()} has not been called and the connection has not failed.
   *
   * @return true while the connection is open
   */
  boolean isOpen();

  /**
   * Returns the peer's address, Python's {@code getpeername()}.
   *
   * @return the remote address
   */
  SocketAddress remoteAddress();

  /**
   * Returns this end's address, Python's {@code getsockname()}.
   *
   * @return the local address
   */
  SocketAddress localAddress();

  /**
   * Returns the operating system's file descriptor, Python's {@code fileno()}, or -1 once closed or
   * where the transport exposes none (Netty's NIO transport).
   *
   * @return the descriptor, or -1
   */
  int fileno();
}
