package io.github.socketserver4j.netty;

import io.github.socketserver4j.AddressFamily;
import io.github.socketserver4j.spi.ReceivedDatagram;
import io.github.socketserver4j.spi.SocketSpec;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DatagramSocketAddress;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A datagram socket (UDP or Unix) read on demand: one datagram per {@code get_request()}, the
 * rest waiting in the kernel's receive buffer. Datagrams longer than the server's {@code
 * max_packet_size} are truncated, as CPython's {@code recvfrom} truncates them.
 */
final class NettyDatagramSocket extends OnDemandSocket<NettyDatagramSocket.Received> {
  private static final Logger LOG = LoggerFactory.getLogger(NettyDatagramSocket.class);

  /**
   * Every read takes up to 64 KiB (the largest UDP payload), and {@link #receive} truncates to
   * the caller's {@code max_packet_size}: the size is only known when the request is taken, after
   * the read was armed, as CPython only knows it at {@code recvfrom}.
   */
  private static final int READ_SIZE = 65536;

  /** One datagram, copied out of Netty's buffer at once (nothing to release later). */
  static final class Received {
    final byte[] data;
    final SocketAddress sender;

    Received(byte[] data, SocketAddress sender) {
      this.data = data;
      this.sender = sender;
    }
  }

  /** On NIO, the JDK channel under Netty's, for what Netty cannot send (empty datagrams). */
  private volatile java.nio.channels.DatagramChannel jdkChannel;

  /**
   * Direct sends take its read lock; {@link #closing()} and the channel's close listener take its
   * write lock to turn the direct path off, so no send starts after either has run.
   */
  private final ReentrantReadWriteLock fdGuard = new ReentrantReadWriteLock();

  /**
   * The epoll socket below the channel, while the server may receive and send on it directly, or
   * null. Written under {@link #fdGuard}'s write lock.
   *
   * <p>A raw descriptor is only safe while nothing else can close it: the moment it is closed,
   * its number may go to the next socket the process opens. So the path is used only on a
   * server that owns its event loops (an application's group may be shut down under it, which
   * closes the channel), with no handlers of the user's (they must see every datagram), and it
   * is turned off for good by {@link #closing()}, before the channel closes. Should Netty close
   * the channel by itself (only after an epoll error on the server's own loop), the close
   * listener turns the path off just after the descriptor is closed; until then each call's
   * check that the descriptor is open narrows, but cannot close, that window.
   */
  private volatile Socket direct;

  /** Set once the direct path is turned off for good. Written under the write lock. */
  private volatile boolean directOff;

  /**
   * Where {@link #readNow()} receives, used under the socket's lock only, and released by {@link
   * #closing()}: a pooled buffer, so 1,000 servers opened and closed leave no direct memory.
   */
  private ByteBuf receiveBuffer;

  NettyDatagramSocket(SocketSpec spec, Transport transport, NettyOptions config) {
    super(spec, transport, config);
    if (spec.family() == AddressFamily.AF_UNIX) {
      transport.newDatagramChannel(spec.family()).unsafe().closeForcibly(); // fails early on NIO
    }
  }

  @Override
  AbstractBootstrap<?, ?> bootstrap(LoopGroup loops, int backlog) {
    return new Bootstrap()
        .group(loops.group())
        .channelFactory(this::newChannel)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(READ_SIZE))
        .handler(
            new ChannelInitializer<io.netty.channel.Channel>() {
              @Override
              protected void initChannel(io.netty.channel.Channel ch) throws Exception {
                if (config.pipeline != null) {
                  config.pipeline.initChannel(ch); // the user's handlers, in front of Receive
                }
                ch.pipeline().addLast("socketserver4j-receive", new Receive());
              }
            });
  }

  @Override
  Received readNow() {
    Socket socket = direct;
    if (socket == null) {
      socket = startDirect();
      if (socket == null) {
        return null;
      }
    }
    if (!socket.isOpen()) {
      return null;
    }
    ByteBuffer buf = receiveBuffer.internalNioBuffer(0, READ_SIZE);
    int at = buf.position();
    try {
      if (spec.family() == AddressFamily.AF_UNIX) {
        DomainDatagramSocketAddress from = socket.recvFromDomainSocket(buf, at, at + READ_SIZE);
        if (from == null) {
          return null;
        }
        byte[] data = copy(buf, at, from.receivedAmount());
        String path = from.path();
        SocketAddress sender;
        try {
          sender = unixSender(path);
        } catch (RuntimeException e) {
          // A path the JVM cannot decode (say, non-ASCII bytes under LANG=C): dropped and
          // reported as on Netty's path, never out of getRequest.
          readFailed(e);
          return null;
        }
        return new Received(data, sender);
      }
      DatagramSocketAddress from = socket.recvFrom(buf, at, at + READ_SIZE);
      if (from == null) {
        return null;
      }
      return new Received(
          copy(buf, at, from.receivedAmount()),
          new InetSocketAddress(from.getAddress(), from.getPort()));
    } catch (IOException e) {
      // Let Netty's read meet the error again and report it as it always does.
      LOG.debug("direct receive on {} failed; asking Netty", localAddress().orElse(null), e);
      return null;
    }
  }

  /** Lock held: the socket to read and send on directly, once it is bound, or null if none. */
  private Socket startDirect() {
    var c = channel;
    if (directOff
        || transport != Transport.EPOLL
        || config.pipeline != null
        || config.group != null
        || !(c instanceof UnixChannel)) {
      return null;
    }
    fdGuard.writeLock().lock();
    try {
      if (directOff || !isOpen() || !c.isOpen()) {
        return null;
      }
      receiveBuffer = c.alloc().directBuffer(READ_SIZE, READ_SIZE);
      direct = (Socket) ((UnixChannel) c).fd();
      c.closeFuture().addListener(f -> turnDirectOff());
      return direct;
    } finally {
      fdGuard.writeLock().unlock();
    }
  }

  private void turnDirectOff() {
    fdGuard.writeLock().lock();
    try {
      directOff = true;
      direct = null;
    } finally {
      fdGuard.writeLock().unlock();
    }
  }

  /** The sender of a Unix datagram; an unbound sender has no address: CPython's None. */
  private static SocketAddress unixSender(String path) {
    return path.isEmpty() ? null : UnixDomainSocketAddress.of(path);
  }

  private static byte[] copy(ByteBuffer buf, int at, int length) {
    byte[] data = new byte[length];
    buf.get(at, data);
    return data;
  }

  @Override
  void closing() {
    turnDirectOff();
    // No readNow() runs now or later: it runs under the socket's lock, only while open.
    if (receiveBuffer != null) {
      receiveBuffer.release();
      receiveBuffer = null;
    }
  }

  private io.netty.channel.Channel newChannel() {
    if (transport == Transport.NIO && spec.family() != AddressFamily.AF_UNIX) {
      try {
        jdkChannel =
            java.nio.channels.DatagramChannel.open(
                spec.family() == AddressFamily.AF_INET6
                    ? java.net.StandardProtocolFamily.INET6
                    : java.net.StandardProtocolFamily.INET);
      } catch (IOException e) {
        throw new io.netty.channel.ChannelException("cannot open a datagram channel", e);
      }
      return new io.netty.channel.socket.nio.NioDatagramChannel(jdkChannel);
    }
    return transport.newDatagramChannel(spec.family());
  }

  @Override
  public ReceivedDatagram receive(int maxPacketSize) throws IOException {
    if (maxPacketSize < 0) {
      // CPython's recvfrom raises ValueError("negative buffersize in recvfrom"); 0 is allowed.
      throw new IllegalArgumentException("maxPacketSize must not be negative: " + maxPacketSize);
    }
    Received datagram = take();
    byte[] data =
        datagram.data.length > maxPacketSize
            ? java.util.Arrays.copyOf(datagram.data, maxPacketSize) // CPython truncates silently
            : datagram.data;
    return new ReceivedDatagram(data, datagram.sender);
  }

  @Override
  public void sendTo(byte[] data, SocketAddress address) throws IOException {
    Objects.requireNonNull(address, "address");
    var c = channel;
    if (c == null || !isOpen()) {
      throw new SocketException("Socket is closed");
    }
    if (data.length > 0 && direct != null && sendDirectly(c, data, address)) {
      return;
    }
    if (data.length == 0) {
      // Netty drops empty datagrams silently; CPython sends them (a handler that wrote nothing).
      sendEmpty(c, address);
      return;
    }
    ByteBuf payload = c.alloc().ioBuffer(data.length).writeBytes(data); // the one copy
    Object packet;
    if (address instanceof UnixDomainSocketAddress) {
      packet =
          new DomainDatagramPacket(
              payload,
              new DomainSocketAddress(((UnixDomainSocketAddress) address).getPath().toString()));
    } else {
      packet = new DatagramPacket(payload, (InetSocketAddress) address);
    }
    Throwable failure = Futures.await(c.writeAndFlush(packet));
    if (failure != null) {
      throw sendFailure(address, failure);
    }
  }

  /**
   * Sends a non-empty datagram on the calling thread, below Netty, as CPython's {@code sendto}
   * does: no hand-off to the event loop. Returns false when it could not (closing, or the send
   * buffer is full) and the caller should go through Netty, which waits for room.
   */
  private boolean sendDirectly(io.netty.channel.Channel c, byte[] data, SocketAddress address)
      throws SocketException {
    ByteBuf buf = c.alloc().directBuffer(data.length);
    fdGuard.readLock().lock();
    try {
      Socket socket = direct;
      if (socket == null || !socket.isOpen()) {
        return false; // Netty's path reports the closed socket
      }
      buf.writeBytes(data);
      ByteBuffer nio = buf.internalNioBuffer(0, data.length);
      int limit = nio.position() + data.length;
      int sent;
      if (address instanceof UnixDomainSocketAddress) {
        sent =
            socket.sendToDomainSocket(
                nio,
                nio.position(),
                limit,
                ((UnixDomainSocketAddress) address)
                    .getPath()
                    .toString()
                    .getBytes(StandardCharsets.UTF_8));
      } else {
        InetSocketAddress inet = (InetSocketAddress) address;
        if (inet.isUnresolved()) {
          return false; // Netty's path reports it
        }
        sent = socket.sendTo(nio, nio.position(), limit, inet.getAddress(), inet.getPort());
      }
      // 0 is EAGAIN: the send buffer is full, and Netty's path waits for room.
      return sent > 0;
    } catch (IOException e) {
      throw sendFailure(address, e);
    } finally {
      fdGuard.readLock().unlock();
      buf.release();
    }
  }

  private static SocketException sendFailure(SocketAddress address, Throwable cause) {
    SocketException e = new SocketException("sendto " + address + " failed: " + cause.getMessage());
    e.initCause(cause);
    return e;
  }

  /** Sends a 0-byte datagram below Netty, on the channel's event loop. */
  private void sendEmpty(io.netty.channel.Channel c, SocketAddress address) throws IOException {
    io.netty.channel.ChannelPromise done = c.newPromise();
    c.eventLoop()
        .execute(
            () -> {
              try {
                if (!c.isOpen()) {
                  // Closed by a task that ran first: its descriptor number may be reused.
                  throw new SocketException("Socket is closed");
                }
                if (transport == Transport.NIO) {
                  jdkChannel.send(java.nio.ByteBuffer.allocate(0), address);
                } else {
                  io.netty.channel.unix.Socket socket =
                      (io.netty.channel.unix.Socket) ((io.netty.channel.unix.UnixChannel) c).fd();
                  java.nio.ByteBuffer empty = java.nio.ByteBuffer.allocateDirect(1);
                  if (address instanceof UnixDomainSocketAddress) {
                    socket.sendToDomainSocket(
                        empty,
                        0,
                        0,
                        ((UnixDomainSocketAddress) address)
                            .getPath()
                            .toString()
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                  } else {
                    InetSocketAddress inet = (InetSocketAddress) address;
                    socket.sendTo(empty, 0, 0, inet.getAddress(), inet.getPort());
                  }
                }
                done.setSuccess();
              } catch (IOException | RuntimeException e) {
                done.setFailure(e);
              }
            });
    Throwable failure = Futures.await(done);
    if (failure != null) {
      throw sendFailure(address, failure);
    }
  }

  @Override
  void discard(Received datagram) {
    // Nothing to release: the bytes were copied on arrival.
  }

  /** Copies each datagram out on the event loop and parks it. */
  private final class Receive extends ChannelInboundHandlerAdapter {
    private boolean got;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        ByteBuf content;
        SocketAddress sender;
        if (msg instanceof DatagramPacket) {
          content = ((DatagramPacket) msg).content();
          sender = ((DatagramPacket) msg).sender();
        } else {
          DomainDatagramPacket packet = (DomainDatagramPacket) msg;
          content = packet.content();
          String path = packet.sender() == null ? "" : packet.sender().path();
          sender = unixSender(path);
        }
        got = true;
        arrived(new Received(ByteBufUtil.getBytes(content), sender));
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (!got) {
        readEnded(); // the read found nothing: ask again on the next poll
      }
      got = false;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      readFailed(cause);
    }
  }
}
