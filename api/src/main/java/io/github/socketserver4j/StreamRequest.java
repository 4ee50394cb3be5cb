package io.github.socketserver4j;

import io.github.socketserver4j.spi.SendfileArguments;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.net.SocketException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

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
 * <p>The socket calls a Python handler makes on {@code self.request} keep their Python names and
 * meaning ({@link #recv}, {@link #recvInto}, {@link #send}, {@link #sendall}, {@link
 * #shutdown(int)}, {@link #getpeername()}, {@link #getsockname()}, {@link #settimeout}, {@link
 * #gettimeout()}), so {@code data = self.request.recv(1024)} ports as {@code byte[] data =
 * request.recv(1024)}.
 *
 * <table>
 *   <caption>Python socket calls and their Java form</caption>
 *   <tr><th>Python</th><th>Java</th></tr>
 *   <tr><td>{@code recv(n)}, {@code recv_into(buf, n)}</td>
 *       <td>{@link #recv(int)}, {@link #recvInto(byte[], int)}</td></tr>
 *   <tr><td>{@code send(data)}, {@code sendall(data)}</td>
 *       <td>{@link #send(byte[])}, {@link #sendall(byte[])}</td></tr>
 *   <tr><td>{@code sendfile(file, offset, count)}</td>
 *       <td>{@link #sendfile(FileChannel, long, long)}</td></tr>
 *   <tr><td>{@code shutdown(SHUT_RD | SHUT_WR | SHUT_RDWR)}</td>
 *       <td>{@link #shutdown(int)} with {@link #SHUT_RD}, {@link #SHUT_WR}, {@link #SHUT_RDWR}</td></tr>
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
 *   <tr><td>{@code getpeercert()} / {@code getpeercert(binary_form=True)}</td>
 *       <td>{@link #getpeercert()} / {@link #getpeercertBinary()}</td></tr>
 *   <tr><td>{@code isinstance(sock, ssl.SSLSocket)}, {@code sock.session}</td>
 *       <td>{@link #sslSession()}</td></tr>
 * </table>
 */
public interface StreamRequest extends Request, AutoCloseable {

  /** Python's {@code socket.SHUT_RD} (0): for {@link #shutdown(int)}, no more reads. */
  int SHUT_RD = 0;

  /** Python's {@code socket.SHUT_WR} (1): for {@link #shutdown(int)}, no more writes (FIN). */
  int SHUT_WR = 1;

  /** Python's {@code socket.SHUT_RDWR} (2): for {@link #shutdown(int)}, both. */
  int SHUT_RDWR = 2;

  /**
   * Receives at most {@code bufsize} bytes, Python's {@code recv(bufsize)}: waits until at least
   * one byte has arrived and returns what has (never more than {@code bufsize}), or an empty array
   * at end of stream, Python's {@code b''}. {@code recv(0)} returns an empty array at once.
   *
   * @param bufsize the most bytes to return
   * @return the bytes, empty at end of stream
   * @throws IllegalArgumentException if {@code bufsize} is negative (Python's {@code ValueError:
   *     negative buffersize in recv})
   * @throws java.net.SocketTimeoutException when the {@linkplain #settimeout timeout} expires
   *     (Python's {@code TimeoutError}); the connection stays usable
   * @throws IOException if the connection failed or is closed
   */
  default byte[] recv(int bufsize) throws IOException {
    if (bufsize < 0) {
      throw new IllegalArgumentException("negative buffersize in recv");
    }
    if (bufsize == 0) {
      return new byte[0];
    }
    byte[] buffer = new byte[bufsize];
    int n = openInputStream().read(buffer, 0, bufsize);
    return n <= 0 ? new byte[0] : n == bufsize ? buffer : Arrays.copyOf(buffer, n);
  }

  /**
   * Receives into {@code buffer}, Python's {@code recv_into(buffer)}: as {@link #recv(int)} with
   * the buffer's length.
   *
   * @param buffer where the bytes go, from index 0
   * @return how many bytes were received; 0 at end of stream
   * @throws IOException as {@link #recv(int)}
   */
  default int recvInto(byte[] buffer) throws IOException {
    return recvInto(buffer, 0);
  }

  /**
   * Receives at most {@code nbytes} bytes into {@code buffer}, Python's {@code recv_into(buffer,
   * nbytes)}; {@code nbytes} 0 means the buffer's length, as in Python.
   *
   * @param buffer where the bytes go, from index 0
   * @param nbytes the most bytes to receive, or 0 for {@code buffer.length}
   * @return how many bytes were received; 0 at end of stream
   * @throws IllegalArgumentException if {@code nbytes} is negative or larger than the buffer
   *     (Python's {@code ValueError})
   * @throws IOException as {@link #recv(int)}
   */
  default int recvInto(byte[] buffer, int nbytes) throws IOException {
    Objects.requireNonNull(buffer, "buffer");
    if (nbytes < 0) {
      throw new IllegalArgumentException("negative buffersize in recv_into");
    }
    if (nbytes > buffer.length) {
      throw new IllegalArgumentException("buffer too small for requested bytes");
    }
    int n = nbytes == 0 ? buffer.length : nbytes;
    if (n == 0) {
      return 0;
    }
    int got = openInputStream().read(buffer, 0, n);
    return Math.max(got, 0);
  }

  /**
   * Sends {@code data}, Python's {@code send(data)}, and returns how many bytes were sent. Python
   * may send only part of the data; here every byte is always handed over before it returns (as
   * {@link #sendall}), so the count is {@code data.length}. Code written for partial sends (a
   * loop over the rest) therefore works unchanged.
   *
   * @param data the bytes
   * @return {@code data.length}
   * @throws IOException if the connection failed, is closed or its output was shut down
   *     (Python's {@code BrokenPipeError})
   */
  default int send(byte[] data) throws IOException {
    sendall(data);
    return data.length;
  }

  /**
   * Sends every byte of {@code data}, Python's {@code sendall(data)}; returns once all are handed
   * to the transport, blocking while the peer does not read (see {@link #openOutputStream()}).
   *
   * @param data the bytes
   * @throws java.net.SocketTimeoutException when the {@linkplain #settimeout timeout} expires
   * @throws IOException if the connection failed, is closed or its output was shut down
   */
  default void sendall(byte[] data) throws IOException {
    openOutputStream().write(data);
  }

  /**
   * Sends up to {@code count} bytes of {@code file} from {@code offset}, Python's {@code
   * sendfile(file, offset, count)}: as {@link #sendall} would send them, in order after every
   * byte written before, and returns how many were sent, fewer than {@code count} only when the
   * file ends first. As in Python, the file's position is {@code offset} plus that number on
   * return; the file stays open (the caller closes it).
   *
   * <p>Handlers call it to send a file body without copying it through a {@code byte[]} of
   * their own; {@link io.github.socketserver4j.http.SimpleHTTPRequestHandler} sends files with
   * it. Use {@link Long#MAX_VALUE} for Python's {@code count=None} (to the end of the file).
   * Handlers and requests made for tests do not override it; a transport does, when it can send
   * a file more cheaply, and checks its arguments with {@link
   * io.github.socketserver4j.spi.SendfileArguments#check} as the default does.
   *
   * @implSpec The default reads the file in blocks of up to 64 KiB and sends each with {@link
   *     #sendall}, as CPython's {@code _sendfile_use_send} does where {@code os.sendfile} cannot
   *     be used. The Netty transport overrides it to read the file straight into the buffers it
   *     sends, with no copy in between.
   * @param file a file open for reading
   * @param offset where to start, 0 or more
   * @param count how many bytes at most, 1 or more
   * @return the number of bytes sent
   * @throws IllegalArgumentException if {@code count} is 0 or less, Python's {@code ValueError}
   * @throws SocketException {@code [Errno 22] Invalid argument} if {@code offset} is negative
   * @throws java.net.SocketTimeoutException when the {@linkplain #settimeout timeout} expires
   * @throws IOException if reading the file fails, or the connection failed, is closed or its
   *     output was shut down; the file's position then tells how far it got
   */
  default long sendfile(FileChannel file, long offset, long count) throws IOException {
    SendfileArguments.check(offset, count);
    ByteBuffer block = ByteBuffer.allocate(SendfileArguments.firstBlock(file, offset, count));
    long sent = 0;
    try {
      while (sent < count) {
        block.clear().limit((int) Math.min(block.capacity(), count - sent));
        int n = file.read(block, offset + sent);
        if (n <= 0) {
          break;
        }
        sendall(Arrays.copyOf(block.array(), n));
        sent += n;
      }
    } finally {
      file.position(offset + sent);
    }
    return sent;
  }

  /**
   * Shuts down one or both halves of the connection, Python's {@code shutdown(how)}: {@link
   * #SHUT_WR} sends FIN after the bytes already written ({@link #shutdownOutput()}), {@link
   * #SHUT_RD} ends reading ({@link #shutdownInput()}), {@link #SHUT_RDWR} does both. Shutting
   * down a half twice does nothing, as on Linux. The connection stays open until {@link #close()}.
   *
   * @param how {@code SHUT_RD}, {@code SHUT_WR} or {@code SHUT_RDWR}
   * @throws SocketException {@code [Errno 22] Invalid argument} for another value, as Python's
   *     {@code OSError}; or if the connection is closed
   * @throws IOException if shutting down fails
   */
  default void shutdown(int how) throws IOException {
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
      throw new SocketException("[Errno 22] Invalid argument: shutdown(" + how + ")");
    }
    if (how != SHUT_WR) {
      shutdownInput();
    }
    if (how != SHUT_RD) {
      shutdownOutput();
    }
  }

  /**
   * Ends reading, Python's {@code shutdown(SHUT_RD)}: from now on reads return the bytes that
   * have already arrived, then end of stream (an empty {@code recv}), and never wait, as on
   * Linux. Writing is not affected.
   *
   * @implSpec The default throws {@link UnsupportedOperationException}; the Netty transport
   *     implements it.
   * @throws IOException if the connection is closed
   */
  default void shutdownInput() throws IOException {
    throw new UnsupportedOperationException(getClass().getName() + " cannot shut down its input");
  }

  /**
   * Returns the peer's address, Python's {@code getpeername()}; the same as {@link
   * #remoteAddress()}.
   *
   * @return the remote address
   */
  default SocketAddress getpeername() {
    return remoteAddress();
  }

  /**
   * Returns this end's address, Python's {@code getsockname()}; the same as {@link
   * #localAddress()}.
   *
   * @return the local address
   */
  default SocketAddress getsockname() {
    return localAddress();
  }

  /**
   * Returns the TLS session of this connection, or empty when the connection does not use TLS: the
   * hook behind {@link #getpeercert()}, and the way to tell an {@code ssl.SSLSocket} from a plain
   * socket ({@code isinstance(self.request, ssl.SSLSocket)}). The session gives what Python's
   * {@code SSLSocket} methods give: {@code version()} is {@link SSLSession#getProtocol()}, the peer's
   * chain is {@link SSLSession#getPeerCertificates()}; on the server side, the host name the client
   * asked for (SNI) is in {@link javax.net.ssl.ExtendedSSLSession#getRequestedServerNames()}.
   *
   * <p>A server that does the handshake before {@code getRequest()} returns the connection (an
   * {@code HTTPSServer}, or a server whose Netty pipeline hook adds an {@code SslHandler}) always
   * has a session here. The session outlives the connection: it can still be read after {@link
   * #close()}.
   *
   * @implSpec The default returns empty; a transport with TLS overrides it (the Netty transport
   *     does).
   * @return the session, or empty for a connection without TLS
   * @throws IllegalStateException if the connection uses TLS and its handshake has not completed,
   *     as Python's {@code ValueError: handshake not done yet}
   */
  default Optional<SSLSession> sslSession() {
    return Optional.empty();
  }

  /**
   * Returns the peer's certificate as Python's {@code SSLSocket.getpeercert()} returns it: a map
   * with CPython's keys in CPython's order ({@code subject}, {@code issuer}, {@code version},
   * {@code serialNumber}, {@code notBefore}, {@code notAfter}, and when present {@code
   * subjectAltName}, {@code OCSP}, {@code caIssuers}, {@code crlDistributionPoints}). Python's
   * tuples are unmodifiable {@link java.util.List}s, {@code version} is an {@link Integer}, the rest
   * are {@link String}s, so {@code cert["subject"]} is a list of RDNs, each a list of {@code [name,
   * value]} pairs such as {@code ["commonName", "client.example"]}, and {@code
   * cert["subjectAltName"]} a list of pairs such as {@code ["DNS", "localhost"]} and {@code ["IP
   * Address", "127.0.0.1"]}.
   *
   * <p>Empty when the peer sent no certificate (a server that did not ask for one, or a client
   * that had none to give), Python's {@code None}. A certificate the handshake accepted has been
   * checked by the TLS context's trust manager, so CPython's empty dict for an unverified
   * certificate does not occur (docs/differences.md, entry 60). Attribute names outside the
   * common ones appear as dotted OIDs where OpenSSL would know a name.
   *
   * @return the certificate as a map, or empty when the peer sent none
   * @throws UnsupportedOperationException on a connection without TLS: Python's plain socket has
   *     no {@code getpeercert} ({@code AttributeError})
   * @throws IllegalStateException if the TLS handshake has not completed (Python's {@code
   *     ValueError: handshake not done yet})
   */
  default Optional<Map<String, Object>> getpeercert() {
    return peerCertificate("getpeercert").map(PeerCertificates::decode);
  }

  /**
   * Returns the peer's certificate in DER form, Python's {@code getpeercert(binary_form=True)}; for
   * {@link java.security.cert.CertificateFactory} or a fingerprint.
   *
   * @return a new copy of the DER bytes, or empty when the peer sent no certificate
   * @throws UnsupportedOperationException on a connection without TLS, as {@link #getpeercert()}
   * @throws IllegalStateException if the TLS handshake has not completed
   */
  default Optional<byte[]> getpeercertBinary() {
    return peerCertificate("getpeercert").map(c -> {
      try {
        return c.getEncoded();
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException("cannot encode the peer's certificate", e);
      }
    });
  }

  /** The peer's leaf certificate; empty when it sent none. */
  private Optional<X509Certificate> peerCertificate(String method) {
    SSLSession session =
        sslSession()
            .orElseThrow(
                () ->
                    new UnsupportedOperationException(
                        "'socket' object has no attribute '" + method + "': " + this
                            + " does not use TLS"));
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate
          ? Optional.of((X509Certificate) chain[0])
          : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty(); // no certificate was asked for or sent
    }
  }

  /**
   * Python's {@code settimeout(t)}: a duration sets the timeout ({@link #setTimeout}), {@code
   * null} removes it ({@link #clearTimeout()}), as {@code settimeout(None)} does.
   *
   * @param timeout the timeout, or null for none
   */
  default void settimeout(Duration timeout) {
    if (timeout == null) {
      clearTimeout();
    } else {
      setTimeout(timeout);
    }
  }

  /**
   * Python's {@code gettimeout()}: the timeout, or empty for {@code None}; the same as {@link
   * #timeout()}.
   *
   * @return the timeout, or empty
   */
  default Optional<Duration> gettimeout() {
    return timeout();
  }

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
