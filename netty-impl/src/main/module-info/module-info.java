/**
 * The socketserver4j transport over Netty 4.2: epoll where Netty's native library loads, NIO
 * elsewhere. Servers find it through {@link java.util.ServiceLoader}; applications that use Netty
 * themselves read its public package, {@code io.github.socketserver4j.netty} ({@code
 * NettyOptions}, {@code EventLoopRequestHandler}, {@code RequestHandlerAdapter}).
 *
 * <p>{@code io.netty.handler} (TLS) and {@code io.netty.codec.haproxy} (PROXY protocol) are
 * optional: the transport recognises their handlers when the application puts them in the
 * pipeline and resolves their modules. Netty's epoll library is found only when its native
 * module is resolved too: {@code --add-modules io.netty.transport.epoll.linux.x86_64} (or {@code
 * linux.aarch_64}); without it the servers use NIO.
 *
 * @provides io.github.socketserver4j.spi.SocketProvider the Netty transport
 */
module io.github.socketserver4j.netty {
  requires transitive io.github.socketserver4j;
  // NettyOptions, EventLoopRequestHandler and RequestHandlerAdapter show Netty's Channel,
  // EventLoopGroup, ChannelOption and IoHandlerFactory in their signatures.
  requires transitive io.netty.transport;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.common;
  requires io.netty.transport.classes.epoll;
  requires io.netty.transport.unix.common;
  requires static io.netty.handler;
  requires static io.netty.codec.haproxy;
  requires org.slf4j;

  exports io.github.socketserver4j.netty;

  provides io.github.socketserver4j.spi.SocketProvider with
      io.github.socketserver4j.netty.NettySocketProvider;
}
