package io.github.socketserver4j;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/** Formats addresses as CPython prints them, so ported log lines read the same. */
final class PythonReprs {
  private PythonReprs() {}

  /** CPython's {@code str(client_address)}: {@code ('127.0.0.1', 52326)}, or a Unix path. */
  static String address(SocketAddress address) {
    if (address == null) {
      return "None";
    }
    if (address instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) address;
      String host =
          inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
      return "('" + host + "', " + inet.getPort() + ")";
    }
    if (address instanceof UnixDomainSocketAddress) {
      return ((UnixDomainSocketAddress) address).getPath().toString(); // '' prints as nothing
    }
    return String.valueOf(address);
  }

  /** A short {@code host:port} (or path) for thread names. */
  static String hostPort(SocketAddress address) {
    if (address instanceof InetSocketAddress) {
      InetSocketAddress inet = (InetSocketAddress) address;
      String host =
          inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
    return address(address);
  }
}
