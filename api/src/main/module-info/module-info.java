/**
 * Python's {@code socketserver} API for Java: the server and handler classes ({@code
 * io.github.socketserver4j}) and the SPI a transport implements ({@code
 * io.github.socketserver4j.spi}). No Netty types: the transport, found with {@link
 * java.util.ServiceLoader}, comes from another module, such as {@code
 * io.github.socketserver4j.netty}.
 *
 * @uses io.github.socketserver4j.spi.SocketProvider the transport that creates the servers'
 *     sockets
 */
module io.github.socketserver4j {
  requires org.slf4j;

  exports io.github.socketserver4j;
  exports io.github.socketserver4j.http;
  exports io.github.socketserver4j.spi;

  uses io.github.socketserver4j.spi.SocketProvider;
}
