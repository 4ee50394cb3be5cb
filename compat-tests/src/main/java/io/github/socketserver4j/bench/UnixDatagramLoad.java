package io.github.socketserver4j.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The load client for Unix datagrams: the JDK has no {@code AF_UNIX} datagram sockets, so this one
 * uses Netty's epoll transport, on one event loop thread. Same protocol as {@link LoadClient}'s
 * DATAGRAM pattern: each socket (bound to its own path, so the server can reply) sends a 64-byte
 * datagram and the next one when the echo is back; a reply that does not come within the timeout
 * counts as lost and the datagram is sent again.
 */
final class UnixDatagramLoad {
  private final Workload workload;
  private final String target;
  private final LoadClient.Timing timing;
  private final LoadClient.Window window;
  private final Measurement m = new Measurement();
  private final CompletableFuture<Measurement> done = new CompletableFuture<>();
  private final Sock[] socks;

  private int established;
  private boolean running;
  private boolean measuring;
  private long start;
  private long warmEnd;
  private long measureEnd;
  private long windowStart;
  private long clientCpuStart;

  private UnixDatagramLoad(
      Workload workload, String target, LoadClient.Timing timing, LoadClient.Window window) {
    this.workload = workload;
    this.target = target;
    this.timing = timing;
    this.window = window;
    this.socks = new Sock[workload.connections()];
  }

  static Measurement run(
      Workload workload, String target, LoadClient.Timing timing, LoadClient.Window window)
      throws IOException, InterruptedException {
    return new UnixDatagramLoad(workload, target, timing, window).go();
  }

  private final class Sock extends ChannelInboundHandlerAdapter {
    final byte[] line = new byte[Workload.MESSAGE];
    Channel channel;
    long sentAt;
    long seq;
    boolean waiting;
    boolean used;

    Sock(int id) {
      Arrays.fill(line, (byte) 'x');
      line[line.length - 1] = '\n';
      digits(line, 0, id);
    }

    void send() {
      seq++;
      digits(line, 16, seq);
      sentAt = System.nanoTime();
      waiting = true;
      channel.writeAndFlush(
          new DomainDatagramPacket(
              Unpooled.wrappedBuffer(line.clone()), new DomainSocketAddress(target)));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DomainDatagramPacket packet = (DomainDatagramPacket) msg;
      try {
        ByteBuf content = packet.content();
        if (!waiting || !Arrays.equals(ByteBufUtil.getBytes(content), line)) {
          return; // a late reply to a datagram counted as lost
        }
        long now = System.nanoTime();
        waiting = false;
        if (measuring) {
          m.completed++;
          m.latency(now - sentAt);
        }
        if (!used) {
          used = true;
          established++;
          if (established == socks.length) {
            begin(now);
          }
        }
        if (running && !done.isDone()) {
          send();
        }
      } finally {
        packet.release();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      m.errors++;
      if (m.failure == null) {
        m.failure = cause.toString();
      }
    }
  }

  private static void digits(byte[] b, int at, long value) {
    for (int i = at + 7; i >= at; i--) {
      b[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
  }

  private void begin(long now) {
    running = true;
    warmEnd = now + timing.warmup();
    measureEnd = warmEnd + timing.measure();
    m.setupNanos = now - start;
    for (Sock s : socks) {
      if (!s.waiting) {
        s.send();
      }
    }
  }

  /** Every 10 ms on the event loop: the window's edges, lost datagrams, the setup timeout. */
  private void tick() {
    long now = System.nanoTime();
    if (!running && now - start > timing.setupTimeout()) {
      m.failure = "setup timed out: " + established + " of " + socks.length + " sockets ready";
      m.errors += socks.length - established;
      done.complete(m);
      return;
    }
    if (running && !measuring && now - warmEnd >= 0) {
      measuring = true;
      windowStart = now;
      clientCpuStart = ProcStats.cpuMicros(ProcessHandle.current().pid());
      window.start();
    }
    if (running && now - measureEnd >= 0) {
      window.end();
      m.windowNanos = System.nanoTime() - windowStart;
      m.clientCpuMicros = ProcStats.cpuMicros(ProcessHandle.current().pid()) - clientCpuStart;
      measuring = false;
      running = false;
      done.complete(m);
      return;
    }
    if (done.isDone()) {
      return;
    }
    for (Sock s : socks) {
      if (s.waiting && now - s.sentAt > timing.replyTimeout()) {
        if (measuring) {
          m.lost++;
          m.errors++;
        }
        s.send();
      }
    }
  }

  private Measurement go() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "ss4j-udg");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      var loop = group.next();
      for (int i = 0; i < socks.length; i++) {
        Sock s = new Sock(i);
        socks[i] = s;
        s.channel =
            new Bootstrap()
                .group(loop)
                .channel(EpollDomainDatagramChannel.class)
                .handler(s)
                .bind(new DomainSocketAddress(dir.resolve("c" + i).toString()))
                .sync()
                .channel();
      }
      ScheduledFuture<?> ticker =
          loop.submit(
                      () -> {
                        start = System.nanoTime();
                        for (Sock s : socks) {
                          s.send();
                        }
                      })
                  .sync()
                  .isSuccess()
              ? loop.scheduleAtFixedRate(this::tick, 10, 10, TimeUnit.MILLISECONDS)
              : null;
      try {
        return done.get();
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IOException(e.getCause());
      } finally {
        if (ticker != null) {
          ticker.cancel(false);
        }
        for (Sock s : socks) {
          if (s != null && s.channel != null) {
            s.channel.close().await(5, TimeUnit.SECONDS);
          }
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
