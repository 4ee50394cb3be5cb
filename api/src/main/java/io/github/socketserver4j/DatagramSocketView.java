package io.github.socketserver4j;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A datagram server's socket as user code sees it: CPython's {@code self.socket} in a {@link
 * DatagramRequestHandler}, the second item of a {@link UDPServer}'s request. Adds Python's {@code
 * sendto} to {@link SocketView}.
 *
 * <p>Not for implementing: the server classes make the only instances.
 */
public interface DatagramSocketView extends SocketView {

  /**
   * Sends one datagram, Python's {@code sendto(data, address)}, and returns once it is handed to
   * the system. Safe to call from several threads at once.
   *
   * @param data the datagram; an empty array sends a 0-byte datagram
   * @param address where to send it
   * @throws IOException if sending fails (the datagram is too large, the socket is closed); the
   *     message names the address
   */
  void sendTo(byte[] data, SocketAddress address) throws IOException;

  /**
   * Sends one datagram, Python's {@code sendto(data, address)}, and returns the number of bytes
   * sent, as Python does: {@link #sendTo} under its Python name.
   *
   * @param data the datagram
   * @param address where to send it
   * @return {@code data.length}
   * @throws IOException as {@link #sendTo}
   */
  default int sendto(byte[] data, SocketAddress address) throws IOException {
    sendTo(data, address);
    return data.length;
  }
}
