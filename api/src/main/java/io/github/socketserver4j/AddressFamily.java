package io.github.socketserver4j;

/**
 * The address family of a server's socket: CPython's {@code socket.AF_*} constants.
 *
 * <p>A server reads it from {@link TCPServer#addressFamily()} when it creates its socket, exactly
 * as CPython reads the class attribute {@code address_family}.
 */
public enum AddressFamily {
  /** IPv4, CPython's {@code socket.AF_INET}: the default of {@link TCPServer}. */
  AF_INET,
  /** IPv6, CPython's {@code socket.AF_INET6}. */
  AF_INET6,
  /** Unix domain sockets, CPython's {@code socket.AF_UNIX}. */
  AF_UNIX
}
