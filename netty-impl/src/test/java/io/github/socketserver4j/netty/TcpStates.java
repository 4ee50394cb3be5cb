package io.github.socketserver4j.netty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The kernel's view of IPv4 TCP sockets, from /proc/net/tcp (Linux). */
final class TcpStates {
  /** {@code TCP_CLOSE_WAIT} in include/net/tcp_states.h: the peer closed, this end has not. */
  private static final String CLOSE_WAIT = "08";

  /** {@code TCP_LISTEN}. */
  private static final String LISTEN = "0A";

  private TcpStates() {}

  /** Whether the socket from {@code localPort} to {@code remotePort} is in CLOSE-WAIT. */
  static boolean closeWait(int localPort, int remotePort) {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/net/tcp"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.trim().split("\\s+");
      // sl local_address rem_address st ...; addresses are HEXIP:HEXPORT
      if (port(f[1]) == localPort && port(f[2]) == remotePort && f[3].equals(CLOSE_WAIT)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The connections waiting in the accept queue of the IPv4 socket listening on {@code port}: for
   * a listener, /proc/net/tcp's rx_queue is the accept queue's length; -1 if no listener is found.
   */
  static int acceptQueue(int port) {
    List<String> lines = lines();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.trim().split("\\s+");
      if (port(f[1]) == port && f[3].equals(LISTEN)) {
        return Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
      }
    }
    return -1;
  }

  private static List<String> lines() {
    try {
      return Files.readAllLines(Path.of("/proc/net/tcp"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
  }
}
