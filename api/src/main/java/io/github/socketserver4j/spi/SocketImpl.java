package io.github.socketserver4j.spi;

import io.github.socketserver4j.ClientRequest;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * A server's socket as a transport provides it: what CPython's {@code TCPServer.socket} is to
 * {@code socketserver}. {@link io.github.socketserver4j.TCPServer#socket()} returns a narrow view of it.
 *
 * <p>Servers call it from their serving thread and from {@code shutdown()} (only {@link #wakeup()}
 * comes from other threads). Implementations must keep CPython's pull model: a connection is
 * accepted only when the server asks for one (see {@link #poll}); the others wait in the kernel's
 * listen backlog.
 */
public interface SocketImpl extends AutoCloseable {

  /**
   * Binds the socket to {@code address} and starts listening with {@code backlog}, CPython's
   * {@code bind} (and, for stream sockets, {@code listen}, which the transport may have to do in
   * the same step).
   *
   * @param address where to bind; port 0 lets the system choose
   * @param reuseAddress whether to set {@code SO_REUSEADDR}
   * @param reusePort whether to set {@code SO_REUSEPORT} (callers pass false for {@code AF_UNIX})
   * @param backlog the listen backlog, CPython's {@code request_queue_size}
   * @throws java.net.BindException naming the address when it is in use or cannot be bound
   * @throws IOException for other failures; the socket is then unusable and must be closed
   */
  void bind(SocketAddress address, boolean reuseAddress, boolean reusePort, int backlog)
      throws IOException;

  /**
   * Makes sure the socket listens with {@code backlog}, CPython's {@code listen}. Transports that
   * listen in {@link #bind} keep the backlog given there.
   *
   * @param backlog the listen backlog
   * @throws IOException if the socket cannot listen
   */
  void listen(int backlog) throws IOException;

  /**
   * Waits until a request can be taken without blocking, CPython's {@code selector.select}.
   *
   * <p>Asks the transport for exactly one connection (or datagram) if none is waiting and none
   * has been asked for, then waits. Returns false when {@code timeout} passes, when {@link #wakeup()}
   * is called, or spuriously; callers re-check their own state. On a closed socket it waits out the
   * timeout and returns false, so a serving loop does not spin.
   *
   * @param timeout how long to wait; zero checks without waiting
   * @return true when {@link #accept()} will not block
   * @throws InterruptedException if the waiting thread is interrupted
   */
  boolean poll(Duration timeout) throws InterruptedException;

  /** Makes a current or the next {@link #poll} return at once. Safe to call from any thread. */
  void wakeup();

  /**
   * Takes the next connection, CPython's {@code accept()}, waiting for one if none is ready.
   *
   * @return the connection and the peer's address
   * @throws IOException if the socket is closed or accepting failed
   */
  ClientRequest accept() throws IOException;

  /**
   * Receives one datagram, CPython's {@code recvfrom(max_packet_size)}, waiting for one if none is
   * ready. Datagram sockets only.
   *
   * @param maxPacketSize the most bytes to keep; the rest of a longer datagram is discarded
   * @return the bytes and the sender's address
   * @throws IOException if the socket is closed, receiving failed, or this is a stream socket
   */
  ReceivedDatagram receive(int maxPacketSize) throws IOException;

  /**
   * Sends one datagram, CPython's {@code sendto(data, address)}, and waits until it is handed to
   * the system. Datagram sockets only; safe to call from several threads at once.
   *
   * @param data the datagram (may be empty: a 0-byte datagram is sent)
   * @param address where to send it
   * @throws IOException if sending fails, for example because the datagram is too large
   */
  void sendTo(byte[] data, SocketAddress address) throws IOException;

  /**
   * Sets a socket option before {@link #bind}, CPython's {@code setsockopt}. Supported: {@link
   * java.net.StandardSocketOptions#SO_REUSEADDR}, {@code SO_REUSEPORT}, {@code SO_RCVBUF}, {@code
   * SO_SNDBUF} and {@link io.github.socketserver4j.SocketOptions#IPV6_V6ONLY}.
   *
   * @param <T> the option's value type
   * @param option the option
   * @param value its value
   * @throws UnsupportedOperationException if this transport cannot set that option
   * @throws IllegalArgumentException if the value is invalid for the option (null, or a buffer
   *     size that is not positive); the message names the option and the value
   * @throws IllegalStateException if the socket is already bound
   */
  <T> void setOption(java.net.SocketOption<T> option, T value);

  /**
   * Returns the bound address, CPython's {@code getsockname()}, or empty before {@link #bind}.
   *
   * @return the local address
   */
  Optional<SocketAddress> localAddress();

  /**
   * Returns the file descriptor, CPython's {@code fileno()}: -1 before binding, after closing, or
   * where the transport exposes none.
   *
   * @return the descriptor or -1
   */
  int fileno();

  /**
   * Returns the timeout set with {@link #setTimeout}, CPython's {@code socket.gettimeout()}. {@link
   * io.github.socketserver4j.BaseServer#handleRequest()} uses the smaller of it and the server's
   * {@code timeout()}, as CPython does for code that called {@code server.socket.settimeout()}.
   *
   * @return the timeout, or empty
   */
  Optional<Duration> timeout();

  /**
   * Sets the socket timeout that {@link #timeout()} returns.
   *
   * @param timeout a positive or zero duration
   */
  void setTimeout(Duration timeout);

  /**
   * Returns whether the socket is open (created and not yet closed).
   *
   * @return true until {@link #close()}
   */
  boolean isOpen();

  /**
   * Returns the name of the I/O mechanism under this socket, which {@link
   * io.github.socketserver4j.SocketView#transportName()} reports: for example {@code "epoll"}.
   *
   * @return a short name
   */
  String transportName();

  /**
   * Stops taking requests: the first step of {@link io.github.socketserver4j.BaseServer#drain},
   * called once by the server (from the draining thread) after it has stopped its serving loop.
   * A socketserver4j addition; CPython has no drain.
   *
   * <ul>
   *   <li>A stream socket closes its listener, and with it the connections accepted but not yet
   *       taken (they are reset, never handed out); new clients are refused. This may be the same
   *       as {@link #close()}.
   *   <li>A datagram socket stops receiving: no read is asked of the system any more, {@link
   *       #poll} waits out its timeout and returns false, {@link #receive} throws. The socket
   *       stays open, so {@link #sendTo} still works for the replies of requests still running;
   *       datagrams still queued are dropped when it closes.
   * </ul>
   *
   * <p>Wakes a thread blocked in {@link #poll}. Calling it twice, or on a closed socket, does
   * nothing.
   */
  void stopAccepting();

  /**
   * Closes the socket, CPython's {@code socket.close()}: stops listening, closes connections that
   * were accepted but not yet taken, and releases the transport's resources once the last taken
   * connection is closed. Closing twice does nothing.
   */
  @Override
  void close();
}
