package io.github.socketserver4j.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The HTTP benchmark's ceiling: a raw Netty file server on {@code HttpServerCodec}, epoll, one
 * event loop per core, that does per request what a file server must (open the file, read it,
 * send it with {@code Content-Type}, {@code Content-Length}, {@code Last-Modified}, {@code Date},
 * keep-alive or close as the request says). Usage: {@code NettyHttpFileServer PORT DIRECTORY}.
 */
public final class NettyHttpFileServer {
  private NettyHttpFileServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Path root = Path.of(args[1]).toRealPath();
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(EpollIoHandler.newFactory());
    new ServerBootstrap()
        .group(group)
        .channel(EpollServerSocketChannel.class)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(new HttpServerCodec())
                    .addLast(new HttpObjectAggregator(65536))
                    .addLast(new Files(root));
              }
            })
        .bind("127.0.0.1", port)
        .sync()
        .channel()
        .closeFuture()
        .sync();
  }

  private static final class Files extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Path root;

    Files(Path root) {
      this.root = root;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
      Path file = root.resolve(request.uri().substring(1)).normalize();
      FullHttpResponse response;
      if (!file.startsWith(root) || !java.nio.file.Files.isRegularFile(file)) {
        response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.NOT_FOUND);
      } else {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
          int size = (int) ch.size();
          ByteBuf body = ctx.alloc().buffer(size);
          body.writeBytes(ch, 0L, size);
          response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK, body);
          response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
          response.headers().set(HttpHeaderNames.LAST_MODIFIED, DateTimeFormatter.RFC_1123_DATE_TIME
              .format(java.nio.file.Files.getLastModifiedTime(file).toInstant().atZone(ZoneOffset.UTC)));
        }
      }
      response.headers().set(HttpHeaderNames.DATE,
          DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
      response.headers().set(HttpHeaderNames.SERVER, "netty");
      HttpUtil.setContentLength(response, response.content().readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      var f = ctx.writeAndFlush(response);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }
  }
}
