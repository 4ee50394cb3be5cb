package io.github.socketserver4j.examples;

import io.github.socketserver4j.StreamRequestHandler;
import io.github.socketserver4j.netty.NettyOptions;
import io.github.socketserver4j.netty.RequestHandlerAdapter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ported Python handler inside a Netty application's own {@code ServerBootstrap}: the
 * application keeps its server, and one of its pipelines runs socketserver code.
 *
 * <p>The Python handler it reuses:
 *
 * <pre>
 * class Shout(socketserver.StreamRequestHandler):
 *     def handle(self):
 *         for line in self.rfile:
 *             self.wfile.write(line.upper())
 * </pre>
 */
public final class NettyAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(NettyAdapter.class);

  private NettyAdapter() {}

  // tag::handler[]
  static class Shout extends StreamRequestHandler {
    @Override public void handle() throws IOException {
      for (byte[] line; (line = rfile().readLine()).length > 0; ) {
        String text = new String(line, StandardCharsets.UTF_8);
        wfile().write(text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      }
    }
  }
  // end::handler[]

  /**
   * Starts the application's server: an NIO {@code ServerBootstrap} on {@code group} whose
   * connections run {@link Shout}.
   *
   * @param group the application's group, NIO
   * @param address where to listen
   * @return the listening channel; close it to stop
   * @throws InterruptedException if interrupted while binding
   */
  public static Channel start(EventLoopGroup group, SocketAddress address)
      throws InterruptedException {
    // tag::bootstrap[]
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
              @Override protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new RequestHandlerAdapter(
                    Shout::new,
                    (request, clientAddress, error) ->
                        LOG.warn("Shout failed for {}", clientAddress, error)));
              }
            });
    return bootstrap.bind(address).sync().channel();
    // end::bootstrap[]
  }

  /**
   * The application's NIO group.
   *
   * @return a group of one NIO event loop
   */
  public static EventLoopGroup nioGroup() {
    return new MultiThreadIoEventLoopGroup(1, NettyOptions.ioHandlerFactory("nio"));
  }
}
