package io.github.socketserver4j;

/** The type of a server's socket: CPython's {@code socket.SOCK_STREAM} and {@code SOCK_DGRAM}. */
public enum SocketType {
  /** A connected byte stream, CPython's {@code socket.SOCK_STREAM}: TCP or a Unix stream socket. */
  SOCK_STREAM,
  /** Datagrams, CPython's {@code socket.SOCK_DGRAM}: UDP or a Unix datagram socket. */
  SOCK_DGRAM
}
