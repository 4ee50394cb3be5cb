package io.github.socketserver4j.netty;

import io.github.socketserver4j.LineInputStream;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The stream bridge ({@link ChannelStream}) without the kernel: the bridge sits on a Netty in-VM
 * {@link LocalChannel}, and the benchmark thread plays the handler thread, as a request thread does
 * in a ThreadingTCPServer. The peer is another local channel on the same single event loop.
 *
 * <ul>
 *   <li>{@code echo}: the handler loop of the echo server, {@code write(readLine())}, with the peer
 *       sending the next line as soon as the echo arrives: per op, the two thread hand-offs of a
 *       request (event loop to handler for the read, handler to event loop for the write).
 *   <li>{@code readLine}, {@code read8k}: consuming data the peer already sent (64 KiB per
 *       invocation: 1024 lines of 64 bytes, or 8 reads of 8 KiB), so mostly the bridge's own cost
 *       (lock, scan, copy) with one hand-off per 64 KiB.
 *   <li>{@code write64}, {@code write8k}: {@code wfile.write} of 64 bytes or 8 KiB, which the peer
 *       discards.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class StreamBridgeBenchmark {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final int LINE = 64;
  private static final int BATCH = 64 * 1024;

  private EventLoopGroup group;
  private Channel server;
  private Channel client;
  private ChannelStream stream;
  private LineInputStream in;
  private OutputStream out;
  private Peer peer;
  private final byte[] small = new byte[LINE];
  private final byte[] large = new byte[8192];
  private ByteBuf lines;
  private ByteBuf batch;
  private final byte[] readBuffer = new byte[8192];

  /** The client side: discards what it gets, or answers each 64-byte echo with the next line. */
  static final class Peer extends ChannelInboundHandlerAdapter {
    volatile boolean pingPong;
    private int pending;
    private ByteBuf line;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      int n = b.readableBytes();
      b.release();
      if (pingPong) {
        pending += n;
        while (pending >= LINE) {
          pending -= LINE;
          ctx.writeAndFlush(line.retainedDuplicate());
        }
      }
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    LocalAddress address = new LocalAddress("bridge-" + IDS.incrementAndGet());
    CompletableFuture<ChannelStream> accepted = new CompletableFuture<>();
    server =
        new ServerBootstrap()
            .group(group)
            .channel(LocalServerChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<LocalChannel>() {
                  @Override
                  protected void initChannel(LocalChannel ch) {
                    ChannelStream s = new ChannelStream(ch, Transport.NIO);
                    ch.pipeline().addLast(s.handler());
                    accepted.complete(s);
                  }
                })
            .bind(address)
            .sync()
            .channel();
    peer = new Peer();
    byte[] line = new byte[LINE];
    Arrays.fill(line, (byte) 'x');
    line[LINE - 1] = '\n';
    peer.line = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(line));
    client =
        new Bootstrap()
            .group(group)
            .channel(LocalChannel.class)
            .handler(peer)
            .connect(address)
            .sync()
            .channel();
    stream = accepted.get(10, TimeUnit.SECONDS);
    in = stream.openInputStream();
    out = stream.openOutputStream();
    Arrays.fill(small, (byte) 'y');
    Arrays.fill(large, (byte) 'y');
    byte[] many = new byte[BATCH];
    for (int i = 0; i < BATCH; i += LINE) {
      System.arraycopy(line, 0, many, i, LINE);
    }
    batch = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(many));
    lines = peer.line;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    stream.close();
    client.close().sync();
    server.close().sync();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** The echo handler's loop: per op one line in and one line out, across two threads. */
  @Benchmark
  public byte[] echo() throws IOException {
    if (!peer.pingPong) {
      peer.pingPong = true;
      client.writeAndFlush(lines.retainedDuplicate());
    }
    byte[] l = in.readLine();
    out.write(l);
    return l;
  }

  /** {@code readLine()} of 64-byte lines already sent: 1024 per invocation. */
  @Benchmark
  @OperationsPerInvocation(BATCH / LINE)
  public int readLine() throws IOException {
    client.writeAndFlush(batch.retainedDuplicate());
    int total = 0;
    for (int i = 0; i < BATCH / LINE; i++) {
      total += in.readLine().length;
    }
    return total;
  }

  /** {@code read(byte[8192])} of data already sent: 8 per invocation. */
  @Benchmark
  @OperationsPerInvocation(BATCH / 8192)
  public int read8k() throws IOException {
    client.writeAndFlush(batch.retainedDuplicate());
    int total = 0;
    while (total < BATCH) {
      total += in.read(readBuffer, 0, Math.min(readBuffer.length, BATCH - total));
    }
    return total;
  }

  /** {@code wfile.write(bytes)} of 64 bytes, discarded by the peer. */
  @Benchmark
  public void write64() throws IOException {
    out.write(small);
  }

  /** {@code wfile.write(bytes)} of 8 KiB, discarded by the peer. */
  @Benchmark
  public void write8k() throws IOException {
    out.write(large);
  }
}
