package io.github.socketserver4j;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Checks and resolves server addresses the way CPython's {@code bind} sees them. */
final class Addresses {
  /** {@code sizeof(sun_path) - 1}: 107 on Linux, 103 on the BSDs and macOS. */
  static final int MAX_UNIX_PATH_BYTES =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux") ? 107 : 103;

  private Addresses() {}

  /** Fails before any socket is made when the address cannot suit the family. */
  static void check(SocketAddress address, AddressFamily family) {
    if (family == AddressFamily.AF_UNIX) {
      if (!(address instanceof UnixDomainSocketAddress)) {
        throw new IllegalArgumentException(
            "AF_UNIX needs a java.net.UnixDomainSocketAddress, not " + address);
      }
      String path = ((UnixDomainSocketAddress) address).getPath().toString();
      int bytes = path.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_UNIX_PATH_BYTES) {
        throw new IllegalArgumentException(
            "AF_UNIX path too long: " + bytes + " bytes, the limit is " + MAX_UNIX_PATH_BYTES
                + ": " + path);
      }
    } else if (!(address instanceof InetSocketAddress)) {
      throw new IllegalArgumentException(
          family + " needs a java.net.InetSocketAddress, not " + address);
    }
  }

  /**
   * Resolves a host within the family, as CPython's {@code getaddrinfo} does for {@code bind}: a
   * name picks its first address of that family; an address of the other family, or a name with
   * none, fails with CPython's message "Address family for hostname not supported".
   */
  static SocketAddress resolve(SocketAddress address, AddressFamily family)
      throws UnknownHostException {
    if (family == AddressFamily.AF_UNIX) {
      return address;
    }
    InetSocketAddress inet = (InetSocketAddress) address;
    Class<? extends InetAddress> wanted =
        family == AddressFamily.AF_INET6 ? Inet6Address.class : Inet4Address.class;
    InetAddress given = inet.getAddress();
    if (given != null && wanted.isInstance(given)) {
      return inet;
    }
    String host = inet.getHostString();
    if (given != null && given.isAnyLocalAddress()) {
      // Python's '' (INADDR_ANY): the wildcard of the server's own family.
      return new InetSocketAddress(
          family == AddressFamily.AF_INET6
              ? InetAddress.getByName("::")
              : InetAddress.getByName("0.0.0.0"),
          inet.getPort());
    }
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new UnknownHostException("Name or service not known: " + host);
    }
    boolean literal = given != null && host.equals(given.getHostAddress());
    if (!literal) {
      for (InetAddress a : all) {
        if (wanted.isInstance(a)) {
          return new InetSocketAddress(a, inet.getPort());
        }
      }
    }
    throw new UnknownHostException(
        "Address family for hostname not supported: " + host + " (server family " + family + ")");
  }

  /** Sets a Unix socket file's permissions after bind, for {@code socketFileMode()}. */
  static void applySocketFileMode(SocketAddress address, Optional<Set<PosixFilePermission>> mode)
      throws IOException {
    if (mode.isEmpty() || !(address instanceof UnixDomainSocketAddress)) {
      return;
    }
    Path path = ((UnixDomainSocketAddress) address).getPath();
    try {
      Files.setPosixFilePermissions(path, mode.get());
    } catch (IOException | UnsupportedOperationException e) {
      throw new IOException(
          "cannot set mode " + PosixFilePermissions.toString(mode.get()) + " on the socket file "
              + path + ": " + e,
          e);
    }
  }
}
