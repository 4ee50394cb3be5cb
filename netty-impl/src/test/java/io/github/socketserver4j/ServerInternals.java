package io.github.socketserver4j;

import io.github.socketserver4j.spi.SocketImpl;

/** Reaches a server's SPI socket from the transport's tests, which look below the public view. */
public final class ServerInternals {
  private ServerInternals() {}

  /** The {@link SocketImpl} behind {@code server.socket()}. */
  public static SocketImpl impl(TCPServer server) {
    return server.impl();
  }
}
