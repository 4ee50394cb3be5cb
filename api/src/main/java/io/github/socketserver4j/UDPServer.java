package io.github.socketserver4j;

import io.github.socketserver4j.spi.ReceivedDatagram;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * A server on a datagram socket: CPython's {@code socketserver.UDPServer}, which, as in CPython,
 * extends {@link TCPServer}.
 *
 * <p>Each request is one datagram ({@link DatagramRequest}), read on demand: exactly one per
 * {@link #getRequest()}, the rest waiting in the kernel's receive buffer. Datagrams longer than
 * {@link #maxPacketSize()} are truncated, as in CPython. Use {@link DatagramRequestHandler}.
 *
 * <h2>Class variables that may be overridden</h2>
 *
 * <ul>
 *   <li>{@link #socketType()}: {@code SOCK_DGRAM}
 *   <li>{@link #allowReuseAddress()}: false; {@link #allowReusePort()}: false
 *   <li>{@link #maxPacketSize()}: 8192
 * </ul>
 */
public class UDPServer extends TCPServer {

  /**
   * Creates, binds and activates the server: CPython's {@code UDPServer(server_address,
   * RequestHandlerClass)}.
   *
   * @param serverAddress where to receive; port 0 lets the system choose
   * @param requestHandlerFactory makes one handler per datagram
   * @throws IOException if the socket cannot be created or bound
   */
  public UDPServer(SocketAddress serverAddress, RequestHandlerFactory requestHandlerFactory)
      throws IOException {
    super(serverAddress, requestHandlerFactory);
  }

  /**
   * Creates the server; see {@link TCPServer#TCPServer(SocketAddress, RequestHandlerFactory,
   * boolean)}.
   *
   * @param serverAddress where to receive
   * @param requestHandlerFactory makes one handler per datagram
   * @param bindAndActivate whether to bind now
   * @throws IOException if the socket cannot be created or bound
   */
  public UDPServer(
      SocketAddress serverAddress,
      RequestHandlerFactory requestHandlerFactory,
      boolean bindAndActivate)
      throws IOException {
    super(serverAddress, requestHandlerFactory, bindAndActivate);
  }

  /**
   * {@inheritDoc}
   *
   * @implSpec Returns {@link SocketType#SOCK_DGRAM}.
   */
  @Override
  public SocketType socketType() {
    return SocketType.SOCK_DGRAM;
  }

  /**
   * The largest datagram a request holds, CPython's (undocumented) {@code max_packet_size}; longer
   * datagrams are truncated to it.
   *
   * @implSpec Returns 8192, as CPython. May be overridden.
   * @return the size in bytes
   */
  public int maxPacketSize() {
    return 8192;
  }

  /** Does nothing: datagram sockets do not listen, CPython's {@code UDPServer.server_activate}. */
  @Override
  public void serverActivate() {}

  /**
   * Receives one datagram, CPython's {@code recvfrom(max_packet_size)}.
   *
   * @return the {@link DatagramRequest} and the sender's address
   * @throws IOException if receiving fails or the socket is closed
   */
  @Override
  public ClientRequest getRequest() throws IOException {
    ReceivedDatagram datagram = impl().receive(maxPacketSize());
    return new ClientRequest(
        new DatagramRequest(datagram.data(), (DatagramSocketView) socket(), true),
        datagram.sender());
  }

  /**
   * Calls {@link #closeRequest}; there is nothing to shut down: CPython's {@code
   * UDPServer.shutdown_request}.
   */
  @Override
  public void shutdownRequest(Request request) {
    closeRequest(request);
  }

  /** Does nothing: the socket is shared by all requests, CPython's {@code close_request}. */
  @Override
  public void closeRequest(Request request) {}
}
