package io.github.socketserver4j;

import java.net.Inet6Address;
import java.net.InetAddress;
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
      InetAddress ip = inet.getAddress();
      if (ip instanceof Inet6Address) {
        // CPython's AF_INET6 address: (host, port, flowinfo, scope_id), host compressed.
        Inet6Address v6 = (Inet6Address) ip;
        return "('" + compress(v6) + "', " + inet.getPort() + ", 0, " + v6.getScopeId() + ")";
      }
      String host = ip != null ? ip.getHostAddress() : inet.getHostString();
      return "('" + host + "', " + inet.getPort() + ")";
    }
    if (address instanceof UnixDomainSocketAddress) {
      return ((UnixDomainSocketAddress) address).getPath().toString(); // '' prints as nothing
    }
    return String.valueOf(address);
  }

  /** The RFC 5952 text of an IPv6 address, as Python prints it: {@code ::1}, not {@code 0:0:...:1}. */
  static String compress(Inet6Address address) {
    byte[] b = address.getAddress();
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // a single zero group is not compressed
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
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
