package io.github.socketserver4j.bench;

import io.github.socketserver4j.BaseServer;
import io.github.socketserver4j.DatagramRequestHandler;
import io.github.socketserver4j.RequestHandlerFactory;
import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.TCPServer;
import io.github.socketserver4j.ThreadingTCPServer;
import io.github.socketserver4j.ThreadingUDPServer;
import io.github.socketserver4j.ThreadingUnixStreamServer;
import io.github.socketserver4j.UDPServer;
import io.github.socketserver4j.UnixDatagramServer;
import io.github.socketserver4j.UnixStreamServer;
import io.github.socketserver4j.netty.EventLoopRequestHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The benchmark's echo servers: {@code EchoServers [--impl IMPL] KIND ADDRESS}, started by {@code
 * compat-tests/bench/echo-server}.
 *
 * <p>IMPL {@code ss4j} (the default) runs socketserver4j's server of that KIND with the handlers of
 * the issue: a {@link StreamRequestHandler} that writes back every line until end of stream
 * (Python: {@code for line in self.rfile: self.wfile.write(line)}) and a {@link
 * DatagramRequestHandler} that writes back the datagram. KIND {@code eventloop-tcp} is a {@code
 * ThreadingTCPServer} whose handler is an {@link EventLoopRequestHandler} echoing on the event loop
 * ({@link EventLoopEcho}). The settings are CPython's defaults except {@code allowReuseAddress}
 * true, {@code requestQueueSize} 1024 and {@code daemonThreads} true.
 * IMPL {@code netty} runs a raw Netty echo ({@link NettyEcho}); {@code javanet-platform} and {@code
 * javanet-virtual} a thread-per-connection java.net line echo ({@link JavaNetEcho}).
 *
 * <p>Prints {@code READY} on stdout once it serves, and runs until killed.
 */
public final class EchoServers {
  /** The socketserver4j kinds: CPython's names, and {@code eventloop-tcp}, which CPython lacks. */
  public static final List<String> SS4J_KINDS =
      List.of(
          "tcp",
          "threading-tcp",
          "udp",
          "threading-udp",
          "unix",
          "threading-unix",
          "unix-datagram",
          "eventloop-tcp");

  private EchoServers() {}

  /** {@code for line in self.rfile: self.wfile.write(line)}. */
  public static final class StreamEcho extends StreamRequestHandler {
    @Override
    public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        wfile().write(line);
      }
    }
  }

  /**
   * The echo of {@code eventloop-tcp}: the line echo done by a channel handler on the event loop,
   * as cheap as raw Netty's ({@link NettyEcho.StreamEcho}), under the server's usual lifecycle.
   */
  public static final class EventLoopEcho extends EventLoopRequestHandler {
    private static final BytesEcho ECHO = new BytesEcho();

    @Override
    protected void initChannel(Channel channel) {
      channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // see BytesEcho
      channel.pipeline().addLast(ECHO);
    }
  }

  /**
   * Writes back what it reads, as it arrives, and flushes once per read burst: Netty's
   * EchoServerHandler, so no line framing. For a client that sends whole lines the bytes written
   * back are the lines read, so this is the stream echo above. At end of input (EventLoopEcho opts
   * in to half-closure, so EOF arrives as an event rather than closing the channel as it does in
   * raw Netty) it closes once everything read has been written, which ends the request. An exception
   * is left to the request's lifecycle: it closes the connection and reaches {@code handleError},
   * as an {@code IOException} of the blocking echo does.
   */
  @Sharable
  static final class BytesEcho extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }
  }

  /** {@code self.wfile.write(self.rfile.read())}. */
  public static final class DatagramEcho extends DatagramRequestHandler {
    @Override
    public void handle() throws IOException {
      wfile().write(rfile().readAllBytes());
    }
  }

  public static void main(String[] args) throws Exception {
    String impl = "ss4j";
    int i = 0;
    if (args.length > 0 && args[0].equals("--impl")) {
      if (args.length < 2) {
        usage();
      }
      impl = args[1];
      i = 2;
    }
    if (args.length - i != 2) {
      usage();
    }
    String kind = args[i];
    String address = args[i + 1];
    switch (impl) {
      case "ss4j":
        serve(kind, address);
        break;
      case "netty":
        NettyEcho.serve(kind, address);
        break;
      case "javanet-platform":
        JavaNetEcho.serve(kind, address, false);
        break;
      case "javanet-virtual":
        JavaNetEcho.serve(kind, address, true);
        break;
      default:
        usage();
    }
  }

  private static void usage() {
    System.err.println(
        "usage: echo-server [--impl ss4j|netty|javanet-platform|javanet-virtual] KIND ADDRESS\n"
            + "  ss4j KINDs: "
            + String.join(", ", SS4J_KINDS)
            + "\n  netty KINDs: tcp, udp, unix, unix-datagram; javanet KINDs: tcp, unix\n"
            + "  ADDRESS: a port on 127.0.0.1, or a path for the Unix kinds");
    System.exit(2);
  }

  /** Whether the kind's ADDRESS is a path. */
  static boolean isUnix(String kind) {
    return kind.contains("unix");
  }

  /** A port on 127.0.0.1, or a Unix socket path (any stale file removed first). */
  static SocketAddress address(String kind, String address) throws IOException {
    if (isUnix(kind)) {
      Path path = Path.of(address);
      Files.deleteIfExists(path);
      return UnixDomainSocketAddress.of(path);
    }
    return new InetSocketAddress("127.0.0.1", Integer.parseInt(address));
  }

  static void ready() {
    System.out.println("READY");
    System.out.flush();
  }

  private static void serve(String kind, String where) throws IOException {
    SocketAddress address = address(kind, where);
    RequestHandlerFactory stream = StreamEcho::new;
    RequestHandlerFactory datagram = DatagramEcho::new;
    BaseServer server;
    switch (kind) {
      case "tcp":
        server = new BenchTCPServer(address, stream);
        break;
      case "threading-tcp":
        server = new BenchThreadingTCPServer(address, stream);
        break;
      case "udp":
        server = new BenchUDPServer(address, datagram);
        break;
      case "threading-udp":
        server = new BenchThreadingUDPServer(address, datagram);
        break;
      case "unix":
        server = new BenchUnixStreamServer(address, stream);
        break;
      case "threading-unix":
        server = new BenchThreadingUnixStreamServer(address, stream);
        break;
      case "unix-datagram":
        server = new BenchUnixDatagramServer(address, datagram);
        break;
      case "eventloop-tcp":
        server = new BenchThreadingTCPServer(address, EventLoopEcho::new);
        break;
      default:
        usage();
        return;
    }
    try (server) {
      ready();
      server.serveForever();
    }
  }

  // One subclass per kind, each with the benchmark's settings, as a CPython user would write them.

  static final class BenchTCPServer extends TCPServer {
    BenchTCPServer(SocketAddress a, RequestHandlerFactory f) throws IOException {
      super(a, f);
    }

    @Override
    public boolean allowReuseAddress() {
      return true;
    }

    @Override
    public int requestQueueSize() {
      return 1024;
    }
  }

  static final class BenchThreadingTCPServer extends ThreadingTCPServer {
    BenchThreadingTCPServer(SocketAddress a, RequestHandlerFactory f) throws IOException {
      super(a, f);
    }

    @Override
    public boolean allowReuseAddress() {
      return true;
    }

    @Override
    public int requestQueueSize() {
      return 1024;
    }

    @Override
    public boolean daemonThreads() {
      return true;
    }
  }

  static final class BenchUDPServer extends UDPServer {
    BenchUDPServer(SocketAddress a, RequestHandlerFactory f) throws IOException {
      super(a, f);
    }

    @Override
    public boolean allowReuseAddress() {
      return true;
    }

    @Override
    public int requestQueueSize() {
      return 1024;
    }
  }

  static final class BenchThreadingUDPServer extends ThreadingUDPServer {
    BenchThreadingUDPServer(SocketAddress a, RequestHandlerFactory f) throws IOException {
      super(a, f);
    }

    @Override
    public boolean allowReuseAddress() {
      return true;
    }

    @Override
    public int requestQueueSize() {
      return 1024;
    }

    @Override
    public boolean daemonThreads() {
      return true;
    }
  }

  static final class BenchUnixStreamServer extends UnixStreamServer {
    BenchUnixStreamServer(SocketAddress a, RequestHandlerFactory f) throws IOException {
      super(a, f);
    }

    @Override
    public boolean allowReuseAddress() {
      return true;
    }

    @Override
    public int requestQueueSize() {
      return 1024;
    }
  }

  static final class BenchThreadingUnixStreamServer extends ThreadingUnixStreamServer {
    BenchThreadingUnixStreamServer(SocketAddress a, RequestHandlerFactory f) throws IOException {
      super(a, f);
    }

    @Override
    public boolean allowReuseAddress() {
      return true;
    }

    @Override
    public int requestQueueSize() {
      return 1024;
    }

    @Override
    public boolean daemonThreads() {
      return true;
    }
  }

  static final class BenchUnixDatagramServer extends UnixDatagramServer {
    BenchUnixDatagramServer(SocketAddress a, RequestHandlerFactory f) throws IOException {
      super(a, f);
    }

    @Override
    public boolean allowReuseAddress() {
      return true;
    }

    @Override
    public int requestQueueSize() {
      return 1024;
    }
  }
}
