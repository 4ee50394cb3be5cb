package io.github.socketserver4j;

import java.net.SocketAddress;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Optional;

/**
 * A server's socket as user code sees it: CPython's {@code server.socket}, narrowed to the calls a
 * Python server makes on it. {@link TCPServer#socket()} returns it.
 *
 * <p>It is a view: the server owns the socket, accepts and receives on it, and closes it in
 * {@link TCPServer#serverClose()}. A handler cannot accept, poll or close through it, so it cannot
 * disturb the serving loop. Datagram servers return a {@link DatagramSocketView}, which adds
 * {@code sendto}.
 *
 * <table>
 *   <caption>Python socket calls and their Java form</caption>
 *   <tr><th>Python</th><th>Java</th></tr>
 *   <tr><td>{@code getsockname()}</td><td>{@link #localAddress()}</td></tr>
 *   <tr><td>{@code fileno()}</td><td>{@link #fileno()}</td></tr>
 *   <tr><td>{@code settimeout(t)} / {@code gettimeout()}</td>
 *       <td>{@link #setTimeout(Duration)} / {@link #timeout()}</td></tr>
 *   <tr><td>{@code setsockopt(...)} (in {@code server_bind}, before binding)</td>
 *       <td>{@link #setOption(SocketOption, Object)}</td></tr>
 * </table>
 *
 * <p>Not for implementing: the server classes make the only instances.
 */
public interface SocketView {

  /**
   * Returns the bound address, Python's {@code getsockname()}, or empty before the socket is
   * bound.
   *
   * @return the local address
   */
  Optional<SocketAddress> localAddress();

  /**
   * Returns the file descriptor, Python's {@code fileno()}: -1 before binding, after closing, and
   * on transports that expose none (Netty's NIO).
   *
   * @return the descriptor or -1
   */
  int fileno();

  /**
   * Returns the timeout set with {@link #setTimeout}, Python's {@code gettimeout()}. {@link
   * BaseServer#handleRequest()} waits at most the smaller of it and the server's {@code
   * timeout()}, as CPython does for code that called {@code server.socket.settimeout()}.
   *
   * @return the timeout, or empty
   */
  Optional<Duration> timeout();

  /**
   * Sets the socket's timeout, Python's {@code settimeout(t)}.
   *
   * @param timeout a positive or zero duration
   * @throws IllegalArgumentException if it is negative
   */
  void setTimeout(Duration timeout);

  /**
   * Sets a socket option before the socket is bound, Python's {@code setsockopt}, typically in an
   * override of {@code serverBind()} before {@code super.serverBind()}. Supported: {@code
   * SO_REUSEADDR}, {@code SO_REUSEPORT}, {@code SO_RCVBUF}, {@code SO_SNDBUF} and {@link
   * SocketOptions#IPV6_V6ONLY}.
   *
   * @param <T> the option's value type
   * @param option the option
   * @param value its value
   * @throws UnsupportedOperationException if the transport cannot set that option
   * @throws IllegalArgumentException if the value is invalid for the option
   * @throws IllegalStateException if the socket is already bound
   */
  <T> void setOption(SocketOption<T> option, T value);

  /**
   * Returns whether the socket is open: created and not yet closed by {@code serverClose()}.
   *
   * @return whether it is open
   */
  boolean isOpen();

  /**
   * Returns the name of the I/O mechanism under the socket, for logs and checks: with the Netty
   * provider {@code "epoll"} or {@code "nio"}. A socketserver4j addition; Python has no such call.
   *
   * @return the transport's name
   */
  String transportName();
}
