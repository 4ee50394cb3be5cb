package io.github.socketserver4j.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.unix.DatagramSocketAddress;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Datagram I/O on the calling thread, below Netty, as CPython's {@code recvfrom} and {@code
 * sendto} run on the thread that calls them: the serving thread receives while datagrams are
 * queued, and each request's thread sends its reply, with no hand-off to the event loop. Used on
 * epoll by a datagram server without handlers of the user's (they must see every datagram);
 * {@link NettyOptions.Builder#directDatagramIo} and the system property {@value #PROPERTY} turn it
 * off.
 *
 * <p><b>A descriptor of its own.</b> A raw descriptor number is only safe while nothing else can
 * close it: once closed, the number goes to the next socket the process opens, and a {@code
 * sendto} on it would leave through that socket. Netty closes its channel's descriptor on the
 * event loop whenever it decides to, and nothing can hold that off: {@code doClose} from {@code
 * Channel.close()}, {@code closeForcibly()}, a group's shutdown ({@code
 * EpollIoHandler.prepareToDestroy} closes every registration's handle), a close after a read or
 * write error or an input shutdown ({@code AbstractEpollChannel}), none of them passes through a
 * handler we could add, and the channel classes are final. So this path never uses Netty's
 * number. It works on a duplicate of the descriptor ({@code SCM_RIGHTS} through Netty's {@code
 * Socket.sendFd}/{@code recvFd} over a private pair of sockets), made on the event loop while the
 * channel is open. Both numbers refer to the same socket, so the kernel keeps the socket (its
 * port or path, its queue) until both are closed, and only {@link #close()} closes this one,
 * after every call in flight has returned: each call holds the read side of a lock and checks
 * that the path is open, and {@code close()} takes the write side. A call can therefore never
 * reach a reused number, whatever Netty does meanwhile. Netty's own deregistration ({@code
 * EPOLL_CTL_DEL}) runs before it closes its number, so the duplicate leaves no stale entry in
 * the epoll set.
 *
 * <p>The server closes the path in {@code closing()}, before the channel; a listener on the
 * channel's close future closes it when Netty closes the channel by itself, so the socket does
 * not outlive the channel by more than that listener. Netty's {@code recvFd} does not ask for
 * {@code O_CLOEXEC}: processes the JDK starts close every inherited descriptor, but native code
 * that forks and execs by itself would hand the duplicate (and so the socket) to its child.
 */
final class DatagramDirectPath {
  private static final Logger LOG = LoggerFactory.getLogger(DatagramDirectPath.class);

  /**
   * The system property that turns the path off for servers whose {@code NettyOptions} do not
   * say: {@code -Dsocketserver4j.netty.directDatagramIo=false}. Read when a server is constructed.
   */
  static final String PROPERTY = "socketserver4j.netty.directDatagramIo";

  /**
   * Every read, below Netty or through it, takes up to 64 KiB (the largest UDP payload), and the
   * server truncates to the caller's {@code max_packet_size}: that size is only known when the
   * request is taken, after Netty's read was armed, as CPython only knows it at {@code recvfrom}.
   */
  static final int READ_SIZE = 65536;

  /** How many undecodable senders one {@link #receive()} skips before it lets Netty read. */
  private static final int MAX_SKIPPED = 16;

  private final OwnedDescriptor own;
  private final boolean unix;
  private final ByteBufAllocator alloc;
  private final Consumer<UnixAddresses.Undecodable> dropped;

  /** Used by the one receiving thread at a time, inside {@code own.use}; released by close(). */
  private ByteBuf receiveBuffer;

  private DatagramDirectPath(
      OwnedDescriptor own, boolean unix, ByteBufAllocator alloc, Consumer<UnixAddresses.Undecodable> dropped) {
    this.own = own;
    this.unix = unix;
    this.alloc = alloc;
    this.dropped = dropped;
  }

  /**
   * On {@code channel}'s event loop, while it is open: a path on a duplicate of its descriptor,
   * closed when the channel closes; or null (logged at DEBUG) if the descriptor cannot be
   * duplicated, and the server uses Netty's path alone.
   *
   * @param dropped told of each datagram dropped because its sender's name is not UTF-8
   */
  static DatagramDirectPath open(
      Channel channel, boolean unix, Consumer<UnixAddresses.Undecodable> dropped) {
    assert channel.eventLoop().inEventLoop();
    if (!(channel instanceof UnixChannel) || !channel.isOpen()) {
      return null;
    }
    int fd = ((UnixChannel) channel).fd().intValue(); // open: only this loop can close it
    OwnedDescriptor copy;
    try {
      copy = new OwnedDescriptor(fd);
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot duplicate descriptor {}; datagrams go through Netty only", fd, e);
      return null;
    }
    DatagramDirectPath path = new DatagramDirectPath(copy, unix, channel.alloc(), dropped);
    channel.closeFuture().addListener(f -> path.close());
    return path;
  }

  /**
   * Receives one queued datagram, or returns null when none is queued or the path is closed.
   * Datagrams from senders no reply can reach are dropped and reported, and the next is read.
   * Never blocks; one caller at a time.
   *
   * @throws IOException if the socket reports an error (the caller lets Netty's read meet it)
   */
  NettyDatagramSocket.Received receive() throws IOException {
    return own.use(this::receiveOn);
  }

  private NettyDatagramSocket.Received receiveOn(Socket socket) throws IOException {
    if (receiveBuffer == null) {
      receiveBuffer = alloc.directBuffer(READ_SIZE, READ_SIZE);
    }
    ByteBuffer buf = receiveBuffer.internalNioBuffer(0, READ_SIZE);
    int at = buf.position();
    for (int skipped = 0; skipped < MAX_SKIPPED; skipped++) {
      if (!unix) {
        DatagramSocketAddress from = socket.recvFrom(buf, at, at + READ_SIZE);
        return from == null
            ? null
            : new NettyDatagramSocket.Received(
                copy(buf, at, from.receivedAmount()),
                new InetSocketAddress(from.getAddress(), from.getPort()));
      }
      DomainDatagramSocketAddress from = socket.recvFromDomainSocket(buf, at, at + READ_SIZE);
      if (from == null) {
        return null;
      }
      try {
        SocketAddress sender = UnixAddresses.sender(from.path());
        return new NettyDatagramSocket.Received(copy(buf, at, from.receivedAmount()), sender);
      } catch (UnixAddresses.Undecodable e) {
        dropped.accept(e);
      }
    }
    return null;
  }

  /**
   * Sends a non-empty datagram on the calling thread. Returns false when the caller should send
   * through Netty instead: the path is closed, the send buffer is full (Netty waits for room),
   * or the address is unresolved (Netty reports it).
   *
   * @throws IOException if {@code sendto} fails
   */
  boolean send(byte[] data, SocketAddress address) throws IOException {
    byte[] name = unix ? UnixAddresses.nameBytes(address) : null;
    if (!unix && ((InetSocketAddress) address).isUnresolved()) {
      return false;
    }
    ByteBuf buf = alloc.directBuffer(data.length);
    try {
      Boolean sent =
          own.use(
              socket -> {
                buf.writeBytes(data);
                ByteBuffer nio = buf.internalNioBuffer(0, data.length);
                int limit = nio.position() + data.length;
                if (unix) {
                  return socket.sendToDomainSocket(nio, nio.position(), limit, name) > 0;
                }
                InetSocketAddress inet = (InetSocketAddress) address;
                return socket.sendTo(nio, nio.position(), limit, inet.getAddress(), inet.getPort())
                    > 0; // 0 is EAGAIN
              });
      return sent != null && sent; // null: the path is closed
    } finally {
      buf.release();
    }
  }

  /**
   * Closes the duplicate once no call is in flight; nothing uses it after. Called by the server
   * before it closes the channel, and by the channel's close listener; idempotent.
   */
  void close() {
    own.close(
        () -> {
          if (receiveBuffer != null) {
            receiveBuffer.release();
            receiveBuffer = null;
          }
        });
  }

  /** Whether {@link #close()} has run. */
  boolean isClosed() {
    return own.isClosed();
  }

  /** The duplicate's number, for tests. */
  int descriptor() {
    return own.intValue();
  }

  private static byte[] copy(ByteBuffer buf, int at, int length) {
    byte[] data = new byte[length];
    buf.get(at, data);
    return data;
  }
}
