package io.github.socketserver4j;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * A received datagram and the server socket it came in on: the {@code request} of a {@link
 * UDPServer}, CPython's {@code (data, socket)} pair.
 *
 * <p>There is no connection: the socket is shared by every request and every thread, so {@link
 * UDPServer#shutdownRequest} and {@link UDPServer#closeRequest} do nothing to it. Reply with
 * {@code socket().sendTo(bytes, clientAddress)}; {@link DatagramRequestHandler} does that for you in
 * {@code finish()}.
 */
public final class DatagramRequest implements Request {
  private final byte[] packet;
  private final DatagramSocketView socket;

  /**
   * Creates a request from a received datagram; custom {@code getRequest()} overrides call this.
   *
   * @param packet the datagram's bytes (copied)
   * @param socket the server socket it arrived on
   */
  public DatagramRequest(byte[] packet, DatagramSocketView socket) {
    this(packet.clone(), socket, true);
  }

  /** For {@link UDPServer}: takes {@code packet} without a copy; no one else holds it. */
  DatagramRequest(byte[] packet, DatagramSocketView socket, boolean owned) {
    this.packet = Objects.requireNonNull(packet, "packet");
    this.socket = Objects.requireNonNull(socket, "socket");
  }

  /**
   * Returns a copy of the datagram's bytes, CPython's {@code request[0]}. At most the server's
   * {@code maxPacketSize()} bytes: longer datagrams were truncated, as in CPython.
   *
   * @return the bytes
   */
  public byte[] packet() {
    return packet.clone();
  }

  /** The bytes without a copy, for this package's handler. */
  byte[] packetNoCopy() {
    return packet;
  }

  /**
   * Returns the server socket, CPython's {@code request[1]}.
   *
   * @return the socket the datagram arrived on, to reply with {@code sendTo}
   */
  public DatagramSocketView socket() {
    return socket;
  }

  /**
   * Sends a datagram from the server socket, Python's {@code sock.sendto(data, address)} after
   * {@code data, sock = self.request}: {@code socket().sendto(data, address)}.
   *
   * @param data the datagram; an empty array sends a 0-byte datagram
   * @param address where to send it, usually the handler's {@code clientAddress()}
   * @return {@code data.length}, as Python's {@code sendto} returns
   * @throws IOException if sending fails (too large, socket closed); the message names the address
   */
  public int sendto(byte[] data, SocketAddress address) throws IOException {
    return socket.sendto(data, address);
  }

  @Override
  public String toString() {
    return "DatagramRequest[" + packet.length + " bytes]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DatagramRequest
        && ((DatagramRequest) o).socket == socket
        && Arrays.equals(((DatagramRequest) o).packet, packet);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(packet);
  }
}
