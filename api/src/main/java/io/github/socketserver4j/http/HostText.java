package io.github.socketserver4j.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Hosts as Python prints them: IPv6 compressed ({@code ::1}), as in {@code client_address[0]}. */
final class HostText {
  private HostText() {}

  static String of(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    if (ip == null) {
      return address.getHostString();
    }
    return of(ip);
  }

  static String of(InetAddress ip) {
    if (!(ip instanceof Inet6Address)) {
      return ip.getHostAddress();
    }
    Inet6Address v6 = (Inet6Address) ip;
    String text = compress(v6.getAddress());
    String full = v6.getHostAddress();
    int scope = full.indexOf('%');
    return scope >= 0 ? text + full.substring(scope) : text;
  }

  /** RFC 5952 text: the longest run of two or more zero groups becomes {@code ::}. */
  static String compress(byte[] b) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
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
}
