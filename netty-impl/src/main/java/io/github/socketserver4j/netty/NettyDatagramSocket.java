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
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A datagram socket (UDP or Unix) read on demand: one datagram per {@code get_request()}, the
 * rest waiting in the kernel's receive buffer. Datagrams longer than the server's {@code
 * max_packet_size} are truncated, as CPython's {@code recvfrom} truncates them.
 *
 * <p>On epoll, without handlers of the user's and unless turned off, a {@link DatagramDirectPath}
 * receives and sends datagrams below Netty while it is open. Netty's read is asked for when the
 * socket is empty, and Netty's channel sends a reply when the path cannot (the send buffer is
 * full, the path is closed). What Netty's channel cannot send at all (an empty datagram, a Unix
 * name that is not UTF-8) is sent below Netty on the event loop.
 */
final class NettyDatagramSocket extends OnDemandSocket<NettyDatagramSocket.Received> {
  private static final Logger LOG = LoggerFactory.getLogger(NettyDatagramSocket.class);

  /** At most one warning per this many nanoseconds about dropped datagrams. */
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

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

  /** Whether to open a {@link DatagramDirectPath} when the channel is registered. */
  private final boolean directWanted;

  /** The path below Netty, or null when there is none (or not yet). Set on the event loop. */
  private volatile DatagramDirectPath direct;

  /** When the last warning about a dropped datagram was logged, and how many were not. */
  private final AtomicLong lastDropWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
  private final AtomicLong unloggedDrops = new AtomicLong();

  NettyDatagramSocket(SocketSpec spec, Transport transport, NettyOptions config) {
    super(spec, transport, config);
    if (spec.family() == AddressFamily.AF_UNIX) {
      transport.newDatagramChannel(spec.family()).unsafe().closeForcibly(); // fails early on NIO
    }
    boolean enabled = config.directDatagramIo(); // read (and checked) on every transport
    directWanted = enabled && transport == Transport.EPOLL && config.pipeline == null;
  }

  @Override
  AbstractBootstrap<?, ?> bootstrap(LoopGroup loops, int backlog) {
    return new Bootstrap()
        .group(loops.group())
        .channelFactory(this::newChannel)
        .option(ChannelOption.AUTO_READ, false)
        .option(
            ChannelOption.RECVBUF_ALLOCATOR,
            new FixedRecvByteBufAllocator(DatagramDirectPath.READ_SIZE))
        .handler(
            new ChannelInitializer<io.netty.channel.Channel>() {
              @Override
              protected void initChannel(io.netty.channel.Channel ch) throws Exception {
                if (config.pipeline != null) {
                  config.pipeline.initChannel(ch); // the user's handlers, in front of Receive
                }
                ch.pipeline().addLast("socketserver4j-receive", new Receive());
                if (directWanted) {
                  direct =
                      DatagramDirectPath.open(
                          ch, spec.family() == AddressFamily.AF_UNIX, e -> dropped(e));
                }
              }
            });
  }

  /** The drain's first step: receive no more, keep the socket open for the running replies. */
  @Override
  public void stopAccepting() {
    stopReading();
  }

  /** Whether datagrams go below Netty now: for tests. */
  boolean usesDirectPath() {
    DatagramDirectPath path = direct;
    return path != null && !path.isClosed();
  }

  /** The path below Netty, or null: for tests. */
  DatagramDirectPath directPath() {
    return direct;
  }

  @Override
  Received readNow() {
    DatagramDirectPath path = direct;
    if (path == null) {
      return null;
    }
    try {
      return path.receive();
    } catch (IOException e) {
      // Let Netty's read meet the error again and report it as it always does.
      LOG.debug("direct receive on {} failed; asking Netty", localAddress().orElse(null), e);
      return null;
    }
  }

  @Override
  void closing() {
    DatagramDirectPath path = direct;
    if (path != null) {
      path.close(); // waits for calls in flight; nothing uses its descriptor after
    }
  }

  /**
   * A datagram whose sender no reply can reach was dropped: logged at WARN with the sender's
   * bytes, at most every 10 s (the others at DEBUG, counted in the next warning). Not a socket
   * error: the server reads on at once, with no backoff.
   */
  private void dropped(UnixAddresses.Undecodable e) {
    long now = System.nanoTime();
    long last = lastDropWarning.get();
    if (now - last >= WARN_EVERY_NANOS && lastDropWarning.compareAndSet(last, now)) {
      long before = unloggedDrops.getAndSet(0);
      LOG.warn(
          "Dropped a datagram to {}: {}{}",
          localAddress().orElse(null),
          e.getMessage(),
          before == 0 ? "" : " (" + before + " more dropped since the last warning)");
    } else {
      unloggedDrops.incrementAndGet();
      LOG.debug("Dropped a datagram to {}: {}", localAddress().orElse(null), e.getMessage());
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
    boolean unix = spec.family() == AddressFamily.AF_UNIX;
    if (unix != (UnixAddresses.nameBytes(address) != null)) {
      throw new IllegalArgumentException(
          "cannot send to " + address + " from a " + spec.family() + " socket");
    }
    DatagramDirectPath path = direct;
    if (path != null && (!c.isOpen() || c.eventLoop().isTerminated())) {
      // Netty closed its channel, or can no longer (an application group shut down under the
      // server), and a terminated loop runs no close listener: as DirectAccept does, close the
      // path here, so the reply fails as Netty's own send does instead of leaving on our copy.
      path.close();
      path = null;
    }
    try {
      if (data.length > 0 && path != null && path.send(data, address)) {
        return;
      }
    } catch (IOException e) {
      throw sendFailure(address, e);
    }
    Object recipient = unix ? UnixAddresses.toNetty(address) : address;
    if (data.length == 0 || recipient == null) {
      // Netty drops empty datagrams silently, and cannot encode a name that is not UTF-8;
      // CPython sends both (a handler that wrote nothing; any bytes address).
      sendBelowNetty(c, data, address);
      return;
    }
    ByteBuf payload = c.alloc().ioBuffer(data.length).writeBytes(data); // the one copy
    Object packet =
        unix
            ? new DomainDatagramPacket(payload, (DomainSocketAddress) recipient)
            : new DatagramPacket(payload, (InetSocketAddress) address);
    Throwable failure = Futures.await(c.writeAndFlush(packet));
    if (failure != null) {
      throw sendFailure(address, failure);
    }
  }

  private static SocketException sendFailure(SocketAddress address, Throwable cause) {
    SocketException e = new SocketException("sendto " + address + " failed: " + cause.getMessage());
    e.initCause(cause);
    return e;
  }

  /**
   * Sends what Netty's channel cannot, on the channel's event loop, where the descriptor cannot
   * be closed under the call: through the JDK channel under Netty's on NIO, through the native
   * socket on epoll.
   */
  private void sendBelowNetty(io.netty.channel.Channel c, byte[] data, SocketAddress address)
      throws IOException {
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
                  jdkChannel.send(ByteBuffer.wrap(data), address);
                } else {
                  Socket socket = (Socket) ((UnixChannel) c).fd();
                  ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(1, data.length));
                  buf.put(data).flip();
                  byte[] name = UnixAddresses.nameBytes(address);
                  if (name != null) {
                    socket.sendToDomainSocket(buf, 0, data.length, name);
                  } else {
                    InetSocketAddress inet = (InetSocketAddress) address;
                    socket.sendTo(buf, 0, data.length, inet.getAddress(), inet.getPort());
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
          try {
            sender = UnixAddresses.sender(packet.sender() == null ? "" : packet.sender().path());
          } catch (UnixAddresses.Undecodable e) {
            dropped(e); // the read ends without an item, and the next is asked for at once
            return;
          }
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
