package io.github.socketserver4j.netty;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code accept} on the calling thread, below Netty, as CPython's {@code accept()} runs on the
 * thread that calls {@code get_request()}: the serving thread takes the next connection from the
 * listen backlog itself, with no hand-off to the event loop and back, and wraps it as a Netty
 * channel for the server to register. Used on epoll by a stream server without handlers of the
 * user's and without TLS (their connections pass the event loop's accept path); {@link
 * NettyOptions.Builder#directAccept} and the system property {@value #PROPERTY} turn it off.
 *
 * <p><b>A descriptor of its own</b>, for the reason {@link DatagramDirectPath} gives: Netty may
 * close its listening channel's descriptor at any time on the event loop (a group's shutdown, a
 * {@code close()}), and an {@code accept} on a number that was closed and reused would take a
 * connection from a stranger's socket. So this path accepts on a duplicate of the listener's
 * descriptor (see {@link Descriptors#duplicate}), which only {@link #close()} closes, after every
 * {@code accept} in flight has returned: each holds the read side of a lock and checks that the
 * path is open, and {@code close()} takes the write side. The duplicate keeps the listening
 * socket open until it is closed, so the server closes the path in {@code closing()}, before the
 * channel, and a listener on the channel's close future closes it when Netty closes the channel
 * by itself. Both numbers share one open file, so the duplicate is non-blocking as Netty's is.
 *
 * <p>The accepted descriptor is the caller's from the start ({@code accept4} with {@code
 * SOCK_NONBLOCK | SOCK_CLOEXEC}), and becomes the channel's: only Netty closes it after that.
 */
final class DirectAccept {
  private static final Logger LOG = LoggerFactory.getLogger(DirectAccept.class);

  /**
   * The system property that turns the path off for servers whose {@code NettyOptions} do not
   * say: {@code -Dsocketserver4j.netty.directAccept=false}. Read when a server is constructed.
   */
  static final String PROPERTY = "socketserver4j.netty.directAccept";

  private final OwnedDescriptor own;
  private final Channel listener;
  private final boolean unix;

  /** The peer's address as {@code accept} writes it (Netty's layout); the channel asks again. */
  private final byte[] peer = new byte[26];

  private DirectAccept(OwnedDescriptor own, Channel listener, boolean unix) {
    this.own = own;
    this.listener = listener;
    this.unix = unix;
  }

  /**
   * On {@code listener}'s event loop, while it is open: a path on a duplicate of its descriptor,
   * closed when the channel closes; or null (logged at DEBUG) if the descriptor cannot be
   * duplicated, and the event loop accepts every connection.
   *
   * @param unix whether the listener is a Unix domain socket
   */
  static DirectAccept open(Channel listener, boolean unix) {
    assert listener.eventLoop().inEventLoop();
    if (!(listener instanceof UnixChannel) || !listener.isOpen()) {
      return null;
    }
    int fd = ((UnixChannel) listener).fd().intValue(); // open: only this loop can close it
    OwnedDescriptor copy;
    try {
      copy = new OwnedDescriptor(fd);
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot duplicate descriptor {}; the event loop accepts every connection", fd, e);
      return null;
    }
    DirectAccept path = new DirectAccept(copy, listener, unix);
    listener.closeFuture().addListener(f -> path.close());
    return path;
  }

  /** A connection taken from the backlog: its channel, not registered yet, and what accept said. */
  static final class Taken {
    final Channel channel;
    /** The peer's address as {@code accept} gave it; null for Unix sockets (ask the channel). */
    final SocketAddress peer;
    /**
     * Reset before it was accepted: the channel is inactive (Netty's constructor consumed the
     * socket's error), and the handler's first read must fail as it would have on the socket.
     */
    final boolean reset;

    Taken(Channel channel, SocketAddress peer, boolean reset) {
      this.channel = channel;
      this.peer = peer;
      this.reset = reset;
    }
  }

  /**
   * Takes one connection from the backlog, without blocking, wrapped as a channel for the caller
   * to configure and register; or null when none is waiting, the path is closed, or the
   * descriptor could not be wrapped (it is closed). One caller at a time.
   *
   * @throws IOException if {@code accept} fails, for example with EMFILE (the connection stays in
   *     the backlog)
   */
  Taken accept() throws IOException {
    if (!listener.isOpen()) {
      // Netty closed its listener (say, a group's shutdown) and its close listener could not run
      // (a terminated loop notifies no one): close the duplicate now, so the socket closes.
      close();
      return null;
    }
    Integer accepted = own.use(socket -> socket.accept(peer));
    if (accepted == null) {
      return null; // closed
    }
    int fd = accepted;
    if (fd < 0) {
      return null; // EAGAIN: nothing waiting
    }
    Channel child;
    try {
      // As Netty's own listeners make them, except that a TCP child has no parent: Netty's
      // constructor that takes one is not public, and nothing of ours asks for it.
      child =
          unix
              ? new EpollDomainSocketChannel(listener, LinuxSocket.newSocket(fd))
              : new EpollSocketChannel(fd);
    } catch (RuntimeException e) {
      LOG.debug("cannot wrap accepted descriptor {}; closing it", fd, e);
      closeQuietly(fd);
      return null;
    }
    // Reset before the accept (a client's RST): SO_ERROR, which Netty's constructor reads and so
    // clears, made the channel inactive. CPython hands such a connection to the handler, whose
    // first recv fails with ECONNRESET: the caller makes the connection fail the same way.
    SocketAddress from = unix ? null : NativeInetAddress.address(peer, 1, peer[0]);
    return new Taken(child, from, !child.isActive());
  }

  /**
   * Closes the duplicate once no {@code accept} is in flight; nothing uses it after. Called by
   * the server before it closes the channel, and by the channel's close listener; idempotent.
   */
  void close() {
    own.close(() -> {});
  }

  /** Whether {@link #close()} has run. */
  boolean isClosed() {
    return own.isClosed();
  }

  /** The duplicate's number, for tests. */
  int descriptor() {
    return own.intValue();
  }

  private static void closeQuietly(int fd) {
    try {
      new Socket(fd).close();
    } catch (IOException e) {
      LOG.debug("closing descriptor {} failed", fd, e);
    }
  }
}
