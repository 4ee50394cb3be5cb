package io.github.socketserver4j.spi;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * One datagram as {@link SocketImpl#receive} returns it: the bytes kept and the sender.
 *
 * @param data the datagram's bytes, at most the {@code maxPacketSize} asked for; owned by the
 *     caller from now on (the transport keeps no reference)
 * @param sender the sender's address; {@code null} for an unbound Unix datagram sender, CPython's
 *     {@code None}
 */
public record ReceivedDatagram(byte[] data, SocketAddress sender) {
  /**
   * Checks that the bytes are present.
   *
   * @param data the datagram's bytes
   * @param sender the sender's address, or {@code null} as above
   */
  public ReceivedDatagram {
    Objects.requireNonNull(data, "data");
  }
}
